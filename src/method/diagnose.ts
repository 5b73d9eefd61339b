import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { loadConfig } from './config.js';
import { labeledPool } from './pools.js';
import { pseudoLabelFile } from './pseudo-labels.js';
import { makePreprocessor, openDataset } from './setup.js';

/** Quality of one round's pseudo-labels against the withheld labels, in network space. */
export interface PseudoLabelQuality {
  /** The stage, or the stages sharing the file (round 0), comma-separated. */
  stage: string;
  round: number;
  /** Dice per foreground class over all unlabeled slices pooled, and their mean. */
  perClass: number[];
  dice: number;
  /** Share of unlabeled slices whose pseudo-label contains every class. */
  allClassSlices: number;
}

/**
 * Scores the pseudo-labels a run saved (`pseudoLabelFile`) against the labels
 * the data set withheld from training (method.md: the hidden labels of the unlabeled slices may be
 * read for this diagnosis only).
 */
export async function pseudoLabelQuality(runDir: string): Promise<PseudoLabelQuality[]> {
  const cfg = loadConfig(join(runDir, 'config.json'));
  const dataset = await openDataset(cfg);
  if (!dataset.withheldLabels)
    throw new InputError(`the ${dataset.name} data set has no withheld labels`, runDir);
  const classes = dataset.classNames.length;
  const truth = labeledPool(await dataset.withheldLabels(), makePreprocessor(cfg), classes);
  const gt = truth.labels as Uint8Array;
  const plane = truth.size[0] * truth.size[1];
  const out: PseudoLabelQuality[] = [];
  // Stages sharing a file (round 0) are scored once, under all their names.
  const files = new Map<string, { stages: string[]; round: number }>();
  for (const stage of cfg.methods.filter((m) => m !== 'fixmatch')) {
    for (let r = 0; r < cfg.joint.rounds; r++) {
      const path = pseudoLabelFile(runDir, stage, r);
      if (!existsSync(path)) continue;
      const entry = files.get(path) ?? { stages: [], round: r };
      entry.stages.push(stage);
      files.set(path, entry);
    }
  }
  for (const [path, { stages, round: r }] of files) {
    const pseudo = new Uint8Array(readFileSync(path));
    if (pseudo.length !== gt.length)
      throw new InputError('pseudo-labels do not match the unlabeled pool', path);
    const inter = new Float64Array(classes);
    const sumP = new Float64Array(classes);
    const sumG = new Float64Array(classes);
    for (let i = 0; i < gt.length; i++) {
      sumP[pseudo[i]]++;
      sumG[gt[i]]++;
      if (pseudo[i] === gt[i]) inter[gt[i]]++;
    }
    const perClass = Array.from(
      { length: classes - 1 },
      (_, k) => (2 * inter[k + 1]) / Math.max(1, sumP[k + 1] + sumG[k + 1]),
    );
    let all = 0;
    for (let s = 0; s < truth.count; s++) {
      const seen = new Set(pseudo.subarray(s * plane, (s + 1) * plane));
      if (seen.size === classes) all++;
    }
    out.push({
      stage: stages.join(', '),
      round: r,
      perClass,
      dice: perClass.reduce((a, b) => a + b, 0) / perClass.length,
      allClassSlices: all / truth.count,
    });
  }
  return out;
}
