import { existsSync, readFileSync } from 'node:fs';
import { InputError } from '../errors.js';
import { loadConfig } from './config.js';
import { UNet } from '../nn/index.js';
import { Rng } from '../util/rng.js';
import { IGNORE_LABEL, labeledPool, unlabeledPool, type SlicePool } from './pools.js';
import {
  crfParamsOf,
  gatherImages,
  keepLargestPerCase,
  labelSlices,
  roundSlices,
} from './pseudo-labels.js';
import type { CrfUnits } from './pseudo/crf.js';
import { predictProbabilities } from './predict.js';
import { methodSpec } from './methods/index.js';
import { pseudoLabelFile, pseudoLabelInfoFile, runFiles, semiSupervisedStart } from './run-dir.js';
import { pseudoLabelSlicesKey, streamSeed } from './seed-streams.js';
import { makePreprocessor, openDataset, unetConfig } from './setup.js';
import { loadCheckpoint } from './train/checkpoint.js';

/** Quality of one round's pseudo-labels against the withheld labels, in network space. */
export interface PseudoLabelQuality {
  /** The stage, or the stages sharing the file (round 0), comma-separated. */
  stage: string;
  round: number;
  /**
   * Dice per foreground class over all unlabeled slices pooled, and their mean; pixels left out
   * (`pseudo.minConfidence`) count for neither side.
   */
  perClass: number[];
  dice: number;
  /** Share of unlabeled slices whose pseudo-label contains every class. */
  allClassSlices: number;
  /** Share of the pixels that hold a class (1 unless `pseudo.minConfidence` left some out). */
  coverage: number;
}

/**
 * A CRF setting to score: a parameter list in `units` (default: the run's), or null for argmax;
 * with `minConfidence`, its pixels below that confidence left out (config `pseudo.minConfidence`).
 */
export interface CrfSetting {
  crf: readonly number[] | null;
  units?: CrfUnits;
  minConfidence?: number;
}

/** How `pseudoLabelQuality` names the row of a setting. */
export function settingName(s: CrfSetting, defaultUnits: CrfUnits): string {
  const labels = s.crf
    ? `CRF [${s.crf.join(', ')}] ${s.units ?? defaultUnits}`
    : 'argmax without CRF';
  return s.minConfidence === undefined ? labels : `${labels}, confidence ≥ ${s.minConfidence}`;
}

/**
 * Scores the pseudo-labels a run saved (`pseudoLabelFile`) against the labels the data set
 * withheld from training (method.md F.5: the hidden labels of the unlabeled slices may be read for
 * this diagnosis only). With `argmax`, also scores the plain argmax (no CRF) of the checkpoint
 * round 0's pseudo-labels came from, to show what the CRF adds; with `settings`, also the
 * round-0 pseudo-labels of that checkpoint under each CRF setting (one network pass for all; no
 * TTA filter), in the order given, after the argmax; with `minConfidence`, then the run's own
 * CRF with each confidence threshold. `saved: false` skips the saved files. With
 * `keepLargest`, every saved file is also scored after `keepLargestPerCase` (config
 * `pseudo.keepLargest`), as a row of its own after it.
 */
export async function pseudoLabelQuality(
  runDir: string,
  o: {
    argmax?: boolean;
    settings?: readonly CrfSetting[];
    minConfidence?: readonly number[];
    saved?: boolean;
    keepLargest?: boolean;
  } = {},
): Promise<PseudoLabelQuality[]> {
  const cfg = loadConfig(runFiles(runDir).config);
  const dataset = await openDataset(cfg);
  if (!dataset.withheldLabels)
    throw new InputError(`the ${dataset.name} data set has no withheld labels`, runDir);
  const classes = dataset.classNames.length;
  const pre = makePreprocessor(cfg);
  const truth = labeledPool(await dataset.withheldLabels(), pre, classes);
  const out: PseudoLabelQuality[] = [];
  let pool: SlicePool | null = null;
  // Stages sharing a file (round 0) are scored once, under all their names.
  const files = new Map<string, { stages: string[]; round: number }>();
  for (const stage of o.saved === false
    ? []
    : cfg.methods.filter((m) => methodSpec(m).pseudoLabels)) {
    for (let r = 0; r < cfg.joint.rounds; r++) {
      const path = pseudoLabelFile(runDir, stage, r);
      if (!existsSync(path)) continue;
      const entry = files.get(path) ?? { stages: [], round: r };
      entry.stages.push(stage);
      files.set(path, entry);
    }
  }
  for (const [path, { stages, round }] of files) {
    const pseudo = new Uint8Array(readFileSync(path));
    if (pseudo.length !== truth.labels?.length)
      throw new InputError('pseudo-labels do not match the unlabeled pool', path);
    const meta = JSON.parse(readFileSync(pseudoLabelInfoFile(path), 'utf8')) as {
      active: number[];
    };
    out.push({ stage: stages.join(', '), round, ...score(pseudo, truth, classes, meta.active) });
    if (o.keepLargest) {
      pool ??= unlabeledPool(await dataset.unlabeledTrain(), pre);
      keepLargestPerCase(pseudo, pool, meta.active, classes);
      const stage = `${stages.join(', ')}, largest component`;
      out.push({ stage, round, ...score(pseudo, truth, classes, meta.active) });
    }
  }
  const settings: CrfSetting[] = [
    ...(o.argmax ? [{ crf: null }] : []),
    ...(o.settings ?? []),
    ...(o.minConfidence ?? []).map((t) => ({ crf: cfg.pseudo.crf, minConfidence: t })),
  ];
  if (settings.length > 0) {
    // Convert (and so validate) every setting before the network runs.
    const params = settings.map((st) => crfParamsOf(cfg, st.crf, st.units));
    // The round-0 source and slices as the run used them.
    const net = new UNet(unetConfig(cfg, classes));
    loadCheckpoint(semiSupervisedStart(runDir, cfg), net, null, null);
    const unlabeled = pool ?? unlabeledPool(await dataset.unlabeledTrain(), pre);
    const slices = roundSlices(
      unlabeled.count,
      cfg,
      new Rng(streamSeed(cfg.seed, pseudoLabelSlicesKey(0))),
    );
    const [h, w] = unlabeled.size;
    const plane = h * w;
    const labels = settings.map(() => new Uint8Array(unlabeled.count * plane));
    const bs = cfg.pseudo.batchSize;
    try {
      for (let start = 0; start < slices.length; start += bs) {
        const batch = slices.slice(start, start + bs);
        const images = gatherImages(unlabeled, batch);
        const probs = predictProbabilities(net, images, batch.length, [h, w], bs);
        params.forEach((p, k) => {
          const out = labelSlices(
            probs,
            images,
            batch.length,
            [h, w],
            classes,
            p,
            net.device,
            settings[k].minConfidence,
          );
          batch.forEach((i, j) =>
            labels[k].set(out.subarray(j * plane, (j + 1) * plane), i * plane),
          );
        });
      }
    } finally {
      net.dispose();
    }
    settings.forEach((st, k) =>
      out.push({
        stage: settingName(st, cfg.pseudo.crfUnits),
        round: 0,
        ...score(labels[k], truth, classes, slices),
      }),
    );
  }
  return out;
}

/** Dice per foreground class of pseudo-labels against the truth, pooled over the given slices. */
function score(
  pseudo: Uint8Array,
  truth: SlicePool,
  classes: number,
  slices: number[],
): Omit<PseudoLabelQuality, 'stage' | 'round'> {
  const gt = truth.labels as Uint8Array;
  const plane = truth.size[0] * truth.size[1];
  const inter = new Float64Array(classes);
  const sumP = new Float64Array(classes);
  const sumG = new Float64Array(classes);
  let ignored = 0;
  for (const s of slices) {
    for (let i = s * plane; i < (s + 1) * plane; i++) {
      if (pseudo[i] === IGNORE_LABEL) {
        ignored++;
        continue;
      }
      sumP[pseudo[i]]++;
      sumG[gt[i]]++;
      if (pseudo[i] === gt[i]) inter[gt[i]]++;
    }
  }
  const perClass = Array.from(
    { length: classes - 1 },
    (_, k) => (2 * inter[k + 1]) / Math.max(1, sumP[k + 1] + sumG[k + 1]),
  );
  let all = 0;
  for (const s of slices) {
    const present = new Set(pseudo.subarray(s * plane, (s + 1) * plane));
    present.delete(IGNORE_LABEL);
    if (present.size === classes) all++;
  }
  return {
    perClass,
    dice: perClass.reduce((a, b) => a + b, 0) / perClass.length,
    allClassSlices: all / slices.length,
    coverage: 1 - ignored / Math.max(1, slices.length * plane),
  };
}
