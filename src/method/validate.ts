import type { UNet } from '../nn/index.js';
import type { Preprocessor } from '../data/preprocess.js';
import { evaluateVolume, type VolumeMetrics } from '../metrics/evaluate.js';
import { argmaxClasses, predictProbabilities } from './predict.js';
import type { EvalVolume } from './pools.js';
import { SINGLE, mapShared, type World } from './distributed/world.js';

export interface VolumeScore {
  id: string;
  metrics: VolumeMetrics;
}

/** Mean foreground Dice over volumes and per class (classes 1..C−1). */
export interface ValidationScore {
  dice: number;
  perClass: number[];
  volumes: VolumeScore[];
}

/**
 * Scores a network on volumes in network space (training resolution, labels resampled as for
 * training): one forward pass per slice and Dice counts, without the inverse resampling, so that
 * checkpoints can be selected often at a fraction of the cost of {@link scoreVolumes}. With a
 * `world` of several ranks each scores its share of the volumes and the scores are gathered.
 */
export function scoreVolumesNetworkSpace(
  net: UNet,
  volumes: EvalVolume[],
  pre: Preprocessor,
  o: { batchSize?: number; world?: World } = {},
): ValidationScore {
  const classes = net.config.numClasses;
  const [h, w] = pre.outputSize;
  const scores = mapShared(o.world ?? SINGLE, volumes, (share) =>
    share.map((v): VolumeScore => {
      const probs = predictProbabilities(net, v.slices, v.depth, pre.outputSize, o.batchSize);
      const shape: [number, number, number] = [v.depth, h, w];
      const metrics = evaluateVolume(
        { shape, data: argmaxClasses(probs, v.depth, classes) },
        { shape, data: v.networkLabel },
        classes,
        null,
        { distances: false },
      );
      return { id: v.id, metrics };
    }),
  );
  return summarize(scores, classes);
}

/**
 * Scores a network on volumes at their native geometry (method.md G and D.4): predict in network
 * space, map probabilities back, compare with the native labels. HD95/ASSD only with `distances`.
 */
export function scoreVolumes(
  net: UNet,
  volumes: EvalVolume[],
  pre: Preprocessor,
  o: { distances?: boolean; batchSize?: number; world?: World } = {},
): ValidationScore {
  const classes = net.config.numClasses;
  const scores = mapShared(o.world ?? SINGLE, volumes, (share) =>
    share.map((v): VolumeScore => {
      const probs = predictProbabilities(net, v.slices, v.depth, pre.outputSize, o.batchSize);
      const pred = pre.inverseProbabilities(probs, v.geometry);
      const metrics = evaluateVolume(
        { shape: v.label.shape, data: pred },
        v.label,
        classes,
        v.label.spacing,
        {
          distances: o.distances ?? false,
        },
      );
      return { id: v.id, metrics };
    }),
  );
  return summarize(scores, classes);
}

function summarize(scores: VolumeScore[], classes: number): ValidationScore {
  const perClass = Array.from({ length: classes - 1 }, (_, c) =>
    mean(scores.map((s) => s.metrics.classes[c].dice)),
  );
  return { dice: mean(perClass), perClass, volumes: scores };
}

function mean(v: number[]): number {
  return v.length === 0 ? NaN : v.reduce((a, b) => a + b, 0) / v.length;
}
