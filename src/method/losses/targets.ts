/**
 * Shared input handling of the segmentation losses: checks the logits/target pair and turns a label
 * map into a one-hot target. Internal to src/method/losses.
 */
import { InputError } from '../../errors.js';
import * as torch from '../../torch/index.js';
import type { Tensor } from '../../torch/index.js';

/** The spatial dimensions 2..ndim−1 of an (N, C, ...spatial) tensor. */
export function spatialDims(t: Tensor): number[] {
  return Array.from({ length: t.ndim - 2 }, (_, i) => i + 2);
}

/**
 * The target as a float one-hot map shaped like `logits` (N, C, ...spatial), in the logits' dtype.
 * `target` is either that map already (hard or soft, e.g. warped one-hot labels) or an integer
 * label map (N, ...spatial) with values in [0, C). Creates tensors in the caller's scope; call it
 * inside `tidy`.
 */
export function asOneHot(logits: Tensor, target: Tensor, who: string): Tensor {
  if (logits.ndim < 3) {
    throw new InputError(`${who}: logits must be (N, C, ...spatial), got shape [${logits.shape}]`);
  }
  if (!logits.dtype.startsWith('float')) {
    throw new InputError(`${who}: logits must be floating point, got ${logits.dtype}`);
  }
  const [n, c] = logits.shape;
  const spatial = logits.shape.slice(2);
  const isInt = ['int64', 'int32', 'int16', 'int8', 'uint8'].includes(target.dtype);
  if (isInt && target.ndim === logits.ndim - 1) {
    if (target.shape[0] !== n || target.shape.slice(1).some((s, i) => s !== spatial[i])) {
      throw new InputError(
        `${who}: label map shape [${target.shape}] does not match logits [${logits.shape}]`,
      );
    }
    const oh = torch.F.oneHot(target.long(), c); // (N, ...spatial, C)
    const dims = [0, logits.ndim - 1, ...Array.from({ length: spatial.length }, (_, i) => i + 1)];
    return oh.permute(...dims).to(logits.dtype);
  }
  if (target.ndim !== logits.ndim || target.shape.some((s, i) => s !== logits.shape[i])) {
    throw new InputError(
      `${who}: target shape [${target.shape}] must equal the logits' [${logits.shape}] ` +
        `(one-hot) or [${[n, ...spatial]}] (integer labels)`,
    );
  }
  return target.dtype === logits.dtype ? target : target.to(logits.dtype);
}
