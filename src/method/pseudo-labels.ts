import * as torch from '../torch/index.js';
import type { UNet } from '../nn/index.js';
import type { Rng } from '../util/rng.js';
import type { RunConfig } from './config.js';
import { methodSpec } from './methods/index.js';
import { IGNORE_LABEL, type SlicePool } from './pools.js';
import { argmaxClasses, predictProbabilities } from './predict.js';
import {
  crfListInPixels,
  crfParamsFromList,
  denseCrf,
  type CrfParams,
  type CrfUnits,
} from './pseudo/crf.js';
import { ttaFilter } from './pseudo/tta-filter.js';
import { SINGLE, shareOf, type World } from './distributed/world.js';
import { keepLargestComponent } from '../metrics/largest-component.js';

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
 * marginals with `params`, computed on `device` (the network's: on a GPU machine the CRF on the
 * CPU took most of every pseudo-label pass), or the plain argmax for null. With `minConfidence`,
 * pixels where the network's probability of their label is below it get IGNORE_LABEL.
 */
export function labelSlices(
  probs: Float32Array,
  images: Float32Array,
  n: number,
  [h, w]: readonly [number, number],
  classes: number,
  params: CrfParams | null,
  device: torch.Device = 'cpu',
  minConfidence?: number,
): Uint8Array {
  if (!params && minConfidence === undefined) return argmaxClasses(probs, n, classes);
  return torch.tidy(() => {
    const p = torch.tensor(probs, [n, classes, h, w], { device });
    const q = params ? denseCrf(p, torch.tensor(images, [n, 1, h, w], { device }), params) : p;
    const argmax = q.argmax(1);
    // The confidence is the network's probability of the label: the CRF's marginals are all but
    // one-hot (docs/results.md).
    const labels =
      minConfidence === undefined
        ? argmax
        : torch.where(
            p.gather(1, argmax.unsqueeze(1)).squeeze(1).lt(minConfidence),
            IGNORE_LABEL,
            argmax,
          );
    return (labels.to('uint8').data({ copy: false }) as Uint8Array).slice();
  });
}

/** Pseudo-labels of an unlabeled pool and the slices of the volumes kept for this round. */
export interface PseudoLabels {
  labels: Uint8Array;
  active: number[];
  rejectedCases: string[];
}

/**
 * The unlabeled slices a round of joint training can draw: all of them, or, when the round makes
 * fewer draws than there are slices, that many chosen at random without replacement
 * (`Rng.sample`), in pool order. Only these get pseudo-labels: a short round does not pay for
 * labelling slices it never reads.
 */
export function roundSlices(count: number, cfg: RunConfig, rng: Rng): number[] {
  const draws = Math.max(0, ...cfg.methods.map((m) => methodSpec(m).pseudoLabels?.draws(cfg) ?? 0));
  return rng.sample(count, draws);
}

/**
 * Estimates pseudo-labels for the unlabeled slices `indices` (method.md A.3): softmax of the
 * network in inference mode, then the dense CRF (argmax of its marginals) when configured, else
 * the argmax; other slices keep label 0 and are not active. With `tta`, volumes whose predictions
 * disagree under two random augmentations (mean foreground Dice ≤ threshold) are left out of
 * this round. With `keepLargest`, each volume keeps only the largest component of every class
 * (`keepLargestPerCase`). With a `world` of several ranks, each labels its share of the slices (the TTA
 * filter, which draws from `rng` volume after volume, runs on every rank alike).
 */
export function estimatePseudoLabels(
  net: UNet,
  pool: SlicePool,
  cfg: RunConfig,
  rng: Rng,
  indices: number[] = Array.from({ length: pool.count }, (_, i) => i),
  world: World = SINGLE,
): PseudoLabels {
  const [h, w] = pool.size;
  const plane = h * w;
  const classes = net.config.numClasses;
  const p = cfg.pseudo;
  const params = crfParamsOf(cfg);
  // Each rank labels its contiguous share of the slices; the shares are gathered on every rank.
  const [first, end] = shareOf(indices.length, world.rank, world.size);
  const mine = new Uint8Array((end - first) * plane);
  for (let start = first; start < end; start += p.batchSize) {
    const batch = indices.slice(start, Math.min(end, start + p.batchSize));
    const n = batch.length;
    const images = gatherImages(pool, batch);
    const probs = predictProbabilities(net, images, n, [h, w], p.batchSize);
    mine.set(
      labelSlices(probs, images, n, [h, w], classes, params, net.device, p.minConfidence),
      (start - first) * plane,
    );
  }
  const labels = new Uint8Array(pool.count * plane);
  world.gatherBytes(mine).forEach((part, r) => {
    const [from] = shareOf(indices.length, r, world.size);
    for (let k = 0; k < part.length / plane; k++)
      labels.set(part.subarray(k * plane, (k + 1) * plane), indices[from + k] * plane);
  });
  if (p.keepLargest) keepLargestPerCase(labels, pool, indices, classes);
  const rejected = new Set<string>();
  if (p.tta) {
    const wasTraining = net.training;
    net.eval();
    try {
      for (const [caseId, slices] of groupByCase(pool, indices)) {
        const volume = gatherImages(pool, slices);
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
  const active = indices.filter((i) => !rejected.has(pool.sources[i].caseId));
  return { labels, active, rejectedCases: [...rejected] };
}

/**
 * Config `pseudo.keepLargest`: in place, keeps only the largest 3-D connected component of every
 * foreground class in each case's pseudo-labels (nnU-Net's post-processing, which removes the
 * distant blobs of a network that is not yet sure). A case's slices among `indices` are stacked
 * in slice order; when a round labels only some of a case's slices, those are taken as adjacent.
 */
export function keepLargestPerCase(
  labels: Uint8Array,
  pool: SlicePool,
  indices: number[],
  classes: number,
): void {
  const plane = pool.size[0] * pool.size[1];
  const foreground = Array.from({ length: classes - 1 }, (_, c) => c + 1);
  for (const slices of groupByCase(pool, indices).values()) {
    slices.sort((a, b) => pool.sources[a].slice - pool.sources[b].slice);
    const volume = new Uint8Array(slices.length * plane);
    slices.forEach((i, k) => volume.set(labels.subarray(i * plane, (i + 1) * plane), k * plane));
    const kept = keepLargestComponent(volume, [slices.length, ...pool.size], foreground);
    slices.forEach((i, k) => labels.set(kept.subarray(k * plane, (k + 1) * plane), i * plane));
  }
}

function groupByCase(pool: SlicePool, indices: number[]): Map<string, number[]> {
  const m = new Map<string, number[]>();
  for (const i of indices) {
    const caseId = pool.sources[i].caseId;
    m.set(caseId, [...(m.get(caseId) ?? []), i]);
  }
  return m;
}

/** The images of the given slices of a pool, one after the other. */
export function gatherImages(pool: SlicePool, slices: number[]): Float32Array {
  const plane = pool.size[0] * pool.size[1];
  const out = new Float32Array(slices.length * plane);
  slices.forEach((i, k) => out.set(pool.images.subarray(i * plane, (i + 1) * plane), k * plane));
  return out;
}
