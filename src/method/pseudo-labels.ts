import { join } from 'node:path';
import * as torch from '../torch/index.js';
import type { UNet } from '../nn/index.js';
import type { Rng } from '../util/rng.js';
import type { RunConfig } from './config.js';
import type { SlicePool } from './pools.js';
import { argmaxClasses, predictProbabilities } from './predict.js';
import {
  crfListInPixels,
  crfParamsFromList,
  denseCrf,
  type CrfParams,
  type CrfUnits,
} from './pseudo/crf.js';
import { ttaFilter } from './pseudo/tta-filter.js';

/**
 * Where a run keeps round r's pseudo-labels of a stage. Round 0's come from the checkpoint every
 * semi-supervised method starts from, with the same seed, so the stages share one file in the
 * baseline's folder; later rounds' are the stage's own.
 */
export function pseudoLabelFile(runDir: string, stage: string, round: number): string {
  return round === 0
    ? join(runDir, 'baseline', 'round0-pseudo-labels.bin')
    : join(runDir, stage, `round${round}-pseudo-labels.bin`);
}

/**
 * The CRF parameters of a run in pixels of the network input (`pseudo.crf` converted from
 * `pseudo.crfUnits`), or null for the plain argmax. `crf`/`units` override the config's.
 */
export function crfParamsOf(
  cfg: RunConfig,
  crf: readonly number[] | null = cfg.pseudo.crf,
  units: CrfUnits = cfg.pseudo.crfUnits,
): CrfParams | null {
  if (!crf) return null;
  const pre = cfg.preprocess;
  const geometry =
    pre.mode === 'spacing'
      ? { size: pre.cropSize, spacing: pre.targetSpacing }
      : { size: pre.size, spacing: null };
  return crfParamsFromList(crfListInPixels(crf, units, geometry));
}

/**
 * Labels of `n` slices from their probabilities (n, C, H, W): the argmax of the dense CRF's
 * marginals with `params`, or the plain argmax for null.
 */
export function labelSlices(
  probs: Float32Array,
  images: Float32Array,
  n: number,
  [h, w]: readonly [number, number],
  classes: number,
  params: CrfParams | null,
): Uint8Array {
  if (!params) return argmaxClasses(probs, n, classes);
  return torch.tidy(() => {
    const q = denseCrf(
      torch.tensor(probs, [n, classes, h, w]),
      torch.tensor(images, [n, 1, h, w]),
      params,
    );
    return (q.argmax(1).to('uint8').data({ copy: false }) as Uint8Array).slice();
  });
}

/** Pseudo-labels of an unlabeled pool and the slices of the volumes kept for this round. */
export interface PseudoLabels {
  labels: Uint8Array;
  active: number[];
  rejectedCases: string[];
}

/**
 * Estimates pseudo-labels for every unlabeled slice (method.md A.3): softmax of the network in
 * inference mode, then the dense CRF (argmax of its marginals) when configured, else the argmax.
 * With `tta`, volumes whose predictions disagree under two random augmentations (mean foreground
 * Dice ≤ threshold) are left out of this round.
 */
export function estimatePseudoLabels(
  net: UNet,
  pool: SlicePool,
  cfg: RunConfig,
  rng: Rng,
): PseudoLabels {
  const [h, w] = pool.size;
  const plane = h * w;
  const classes = net.config.numClasses;
  const p = cfg.pseudo;
  const labels = new Uint8Array(pool.count * plane);
  const params = crfParamsOf(cfg);
  for (let start = 0; start < pool.count; start += p.batchSize) {
    const n = Math.min(p.batchSize, pool.count - start);
    const images = pool.images.subarray(start * plane, (start + n) * plane);
    const probs = predictProbabilities(net, images, n, [h, w], p.batchSize);
    labels.set(labelSlices(probs, images, n, [h, w], classes, params), start * plane);
  }
  const rejected = new Set<string>();
  if (p.tta) {
    const wasTraining = net.training;
    net.eval();
    try {
      for (const [caseId, slices] of groupByCase(pool)) {
        const first = slices[0];
        const volume = pool.images.subarray(first * plane, (first + slices.length) * plane);
        const kept = torch.tidy(() =>
          torch.noGrad(
            () =>
              ttaFilter(
                (x) => net.forward(x).softmax(1),
                torch.tensor(volume, [slices.length, 1, h, w]),
                classes,
                {
                  rng,
                  threshold: p.ttaThreshold,
                },
              ).keep,
          ),
        );
        if (!kept) rejected.add(caseId);
      }
    } finally {
      net.train(wasTraining);
    }
  }
  const active = pool.sources.flatMap((s, i) => (rejected.has(s.caseId) ? [] : [i]));
  return { labels, active, rejectedCases: [...rejected] };
}

function groupByCase(pool: SlicePool): Map<string, number[]> {
  const m = new Map<string, number[]>();
  pool.sources.forEach((s, i) => {
    const list = m.get(s.caseId) ?? [];
    list.push(i);
    m.set(s.caseId, list);
  });
  return m;
}
