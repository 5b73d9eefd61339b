/**
 * Dice's value when prediction and ground truth are both empty: 'one' (perfect agreement; MONAI
 * DiceMetric with ignore_empty = false) or 'nan' (undefined; skipped and counted by aggregates).
 * medpy.metric.binary.dc itself returns 0 in that case, which no convention here reproduces.
 */
export type EmptyDice = 'one' | 'nan';

/**
 * Dice coefficient 2|A ∩ B| / (|A| + |B|) from voxel counts (medpy.metric.binary.dc). It is 0
 * when exactly one mask is empty and `bothEmpty` (see `EmptyDice`) when both are.
 */
export function diceFromCounts(
  intersection: number,
  sizeA: number,
  sizeB: number,
  bothEmpty: EmptyDice,
): number {
  if (sizeA + sizeB === 0) return bothEmpty === 'one' ? 1 : NaN;
  return (2 * intersection) / (sizeA + sizeB);
}
