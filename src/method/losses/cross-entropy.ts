/**
 * Class-weighted pixel-wise softmax cross-entropy (method.md D.1, `dsc_loss = 0`; the released
 * code's `pixel_wise_cross_entropy_loss_weighted`).
 *
 * With log p = log_softmax(logits) over the class axis and y the one-hot (possibly soft) target,
 * per pixel x:
 *
 *     ce(x) = − Σ_c y_c(x) · log p_c(x)          w(x) = Σ_c y_c(x) · w_c
 *     loss  = mean_x w(x) · ce(x)                 (over every pixel of every image)
 *
 * so each pixel is weighted by the weight of its (soft) true class. With `ignoreEmptyTarget` the
 * mean is Σ_x w(x)·ce(x) / Σ_x Σ_c y_c(x): pixels whose target is all zero count for nothing.
 * Default weights by C (the code's table): 2 → [0.1, 0.9], 3 → [0.1, 0.45, 0.45],
 * 4 → [0.1, 0.3, 0.3, 0.3], 8 → [0.09, 0.13 × 7]. `weights: null` gives the plain (unweighted) mean cross-entropy, equal
 * to PyTorch's F.cross_entropy with class indices or probabilities.
 */
import { InputError } from '../../errors.js';
import * as torch from '../../torch/index.js';
import type { Tensor } from '../../torch/index.js';
import { asOneHot } from './targets.js';

export interface CrossEntropyLossOptions {
  /**
   * Per-class weights (length C); 'paper' (default) for the released code's table by C; null for
   * unweighted cross-entropy.
   */
  weights?: readonly number[] | 'paper' | null;
  /**
   * Leave out pixels whose target is all zero (ignored pseudo-labels): the mean runs over the
   * others, as PyTorch's `ignore_index` (default false: over every pixel).
   */
  ignoreEmptyTarget?: boolean;
}

/** The released code's class weights for C classes (method.md D.1); throws for other C. */
export function paperClassWeights(numClasses: number): number[] {
  switch (numClasses) {
    case 2:
      return [0.1, 0.9];
    case 3:
      return [0.1, 0.45, 0.45];
    case 4:
      return [0.1, 0.3, 0.3, 0.3];
    case 8:
      return [0.09, 0.13, 0.13, 0.13, 0.13, 0.13, 0.13, 0.13];
    default:
      throw new InputError(
        `crossEntropyLoss: the paper defines class weights for 2, 3, 4 or 8 classes, not ` +
          `${numClasses}; pass weights explicitly`,
      );
  }
}

/** The (weighted) pixel-wise cross-entropy (see the module comment); a scalar tensor. */
export function crossEntropyLoss(
  logits: Tensor,
  target: Tensor,
  o: CrossEntropyLossOptions = {},
): Tensor {
  const c = logits.shape[1];
  const spec = o.weights === undefined ? 'paper' : o.weights;
  const weights = spec === 'paper' ? paperClassWeights(c) : spec;
  if (weights !== null && weights.length !== c) {
    throw new InputError(`crossEntropyLoss: ${weights.length} class weights for ${c} classes`);
  }
  return torch.tidy(() => {
    const y = asOneHot(logits, target, 'crossEntropyLoss');
    const ce = y.mul(logits.logSoftmax(1)).sum(1).neg(); // (N, ...spatial)
    const mean = (perPixel: Tensor) =>
      o.ignoreEmptyTarget ? perPixel.sum().div(y.sum().clampMin(1)) : perPixel.mean();
    if (weights === null) return mean(ce);
    const wShape = logits.shape.map((s, i) => (i === 1 ? s : 1));
    const w = torch.tensor([...weights], wShape, { dtype: logits.dtype, device: logits.device });
    return mean(ce.mul(y.mul(w).sum(1)));
  });
}

/** MONAI-style wrapper: the options are fixed at construction. */
export class CrossEntropyLoss {
  constructor(readonly options: CrossEntropyLossOptions = {}) {}
  forward(logits: Tensor, target: Tensor): Tensor {
    return crossEntropyLoss(logits, target, this.options);
  }
}
