import { InputError } from '../errors.js';
import type { VoxelArray } from '../io/volume.js';
import { diceFromCounts, type EmptyDice } from './dice.js';
import type { Shape3, Spacing3 } from './edt.js';
import { surfaceMetrics } from './surface-distance.js';

/** An integer label map (values 0..C−1) in C order [D, H, W]; every `Volume` is one. */
export interface LabelMap {
  shape: Shape3;
  data: VoxelArray;
}

/** Unit of HD95 and ASSD: millimetres when a spacing was given, voxel steps otherwise. */
export type DistanceUnit = 'mm' | 'voxel';

/** Metrics of one foreground class in one volume. */
export interface ClassMetrics {
  label: number;
  /** Dice coefficient (see `diceFromCounts`, `EmptyDice`). */
  dice: number;
  /** 95th-percentile symmetric surface distance; NaN when either mask is empty. */
  hd95: number;
  /** Average symmetric surface distance; NaN when either mask is empty. */
  assd: number;
  predVoxels: number;
  gtVoxels: number;
}

/** Metrics of one volume: one entry per foreground class 1..C−1, in label order. */
export interface VolumeMetrics {
  unit: DistanceUnit;
  classes: ClassMetrics[];
}

export interface EvaluateOptions {
  /** Dice when a class is absent from both prediction and ground truth; default 'one'. */
  emptyDice?: EmptyDice;
  /** Compute HD95 and ASSD (default true); false gives NaN for both, e.g. for quick validation. */
  distances?: boolean;
}

/**
 * Per-class Dice, HD95 and ASSD of a predicted label map against the ground truth, with the
 * definitions of medpy.metric.binary (dc, hd95, assd) applied to the binary masks `label == c`
 * for every foreground class c = 1..numClasses−1 (background, label 0, is not scored).
 *
 * `spacing` is the voxel size [D, H, W] in millimetres (anisotropic allowed), or null to measure
 * distances in voxel steps. It is not read from the inputs, so pass `gt.spacing` explicitly.
 *
 * Empty masks: Dice is 0 when exactly one of the two is empty and `options.emptyDice` ('one' by
 * default) when both are; HD95 and ASSD are NaN when either is empty (medpy raises, MONAI returns
 * NaN). Throws InputError for mismatched shapes, labels outside 0..numClasses−1 or non-integer,
 * and invalid spacing.
 */
export function evaluateVolume(
  pred: LabelMap,
  gt: LabelMap,
  numClasses: number,
  spacing: Spacing3 | null,
  options: EvaluateOptions = {},
): VolumeMetrics {
  checkInputs(pred, gt, numClasses, spacing);
  const predCount = new Float64Array(numClasses);
  const gtCount = new Float64Array(numClasses);
  const both = new Float64Array(numClasses);
  countLabels(pred.data, gt.data, numClasses, predCount, gtCount, both);
  const classes: ClassMetrics[] = [];
  for (let c = 1; c < numClasses; c++) {
    const dice = diceFromCounts(both[c], predCount[c], gtCount[c], options.emptyDice ?? 'one');
    const surface =
      options.distances !== false && predCount[c] > 0 && gtCount[c] > 0
        ? surfaceMetrics(binaryMask(pred.data, c), binaryMask(gt.data, c), gt.shape, spacing)
        : { hd95: NaN, assd: NaN };
    classes.push({ label: c, dice, ...surface, predVoxels: predCount[c], gtVoxels: gtCount[c] });
  }
  return { unit: spacing ? 'mm' : 'voxel', classes };
}

function checkInputs(
  pred: LabelMap,
  gt: LabelMap,
  numClasses: number,
  spacing: Spacing3 | null,
): void {
  if (!Number.isInteger(numClasses) || numClasses < 2) {
    throw new InputError(`evaluateVolume: numClasses must be an integer >= 2, got ${numClasses}`);
  }
  for (const [name, map] of [
    ['pred', pred],
    ['gt', gt],
  ] as const) {
    const n = map.shape.reduce((p, s) => p * s, 1);
    const valid = map.shape.length === 3 && map.shape.every((s) => Number.isInteger(s) && s >= 0);
    if (!valid || map.data.length !== n) {
      throw new InputError(
        `evaluateVolume: ${name} has ${map.data.length} voxels for shape [${map.shape.join(', ')}]`,
      );
    }
  }
  if (pred.shape.some((s, i) => s !== gt.shape[i])) {
    throw new InputError(
      `evaluateVolume: pred shape [${pred.shape.join(', ')}] differs from gt shape ` +
        `[${gt.shape.join(', ')}]`,
    );
  }
  if (spacing && (spacing.length !== 3 || !spacing.every((s) => Number.isFinite(s) && s > 0))) {
    throw new InputError(
      `evaluateVolume: spacing must be 3 positive finite numbers, got [${spacing.join(', ')}]`,
    );
  }
}

/**
 * One pass over both maps: voxel counts per label in pred and gt, and of voxels where both carry
 * the same label. Throws InputError at the first label that is not an integer in [0, numClasses).
 */
function countLabels(
  pred: VoxelArray,
  gt: VoxelArray,
  numClasses: number,
  predCount: Float64Array,
  gtCount: Float64Array,
  both: Float64Array,
): void {
  for (let i = 0; i < pred.length; i++) {
    const p = pred[i];
    const g = gt[i];
    if (!isLabel(p, numClasses)) throw badLabel('pred', p, i, numClasses);
    if (!isLabel(g, numClasses)) throw badLabel('gt', g, i, numClasses);
    predCount[p]++;
    gtCount[g]++;
    if (p === g) both[p]++;
  }
}

function isLabel(v: number, numClasses: number): boolean {
  return v >= 0 && v < numClasses && v === Math.floor(v);
}

function badLabel(name: string, value: number, index: number, numClasses: number): InputError {
  return new InputError(
    `evaluateVolume: ${name} has label ${value} at voxel ${index}; ` +
      `labels must be integers in [0, ${numClasses})`,
  );
}

/** 0/1 mask of the voxels equal to `label`. */
function binaryMask(data: VoxelArray, label: number): Uint8Array {
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i] === label ? 1 : 0;
  return out;
}
