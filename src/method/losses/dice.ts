/**
 * Soft Dice loss on logits (method.md D.1, `dsc_loss` 2 and 1 of the released code's losses.py).
 *
 * With p = softmax(logits) over the class axis and y the one-hot (possibly soft) target, sums run
 * over the spatial axes of each image n (or of the whole batch with `batch`):
 *
 *     I_{n,c} = Σ p·y      S_{n,c} = Σ p + Σ y        (Σ p² + Σ y² with `squared`)
 *     dice_{n,c} = (2·I_{n,c} + smoothNr) / (S_{n,c} + smoothDr)
 *     loss = 1 − mean_{n, c∈K} dice_{n,c}
 *
 * With `ignoreEmptyTarget`, p is first multiplied by Σ_c y_c, so that pixels whose target is all
 * zero (ignored pseudo-labels) add to no sum.
 *
 * K is every class (`includeBackground` true: `dsc_loss = 2`, the paper default for both stages and
 * the validation loss) or classes 1..C−1 (`dsc_loss = 1`). The defaults (smoothNr 0, smoothDr
 * 1e-10, per image, not squared) are the released code's; an absent class then gives dice 0 and no
 * gradient. SSL4MIS's DiceLoss is `{ batch: true, squared: true, smoothNr: 1e-5, smoothDr: 1e-5 }`
 * (see dice-ce.ts).
 */
import { InputError } from '../../errors.js';
import * as torch from '../../torch/index.js';
import type { Tensor } from '../../torch/index.js';
import { asOneHot, spatialDims } from './targets.js';

export interface DiceLossOptions {
  /** Average over all classes (true, default: `dsc_loss` 2) or classes 1..C−1 (`dsc_loss` 1). */
  includeBackground?: boolean;
  /** Apply softmax over the class axis first (default true: the input is logits). */
  softmax?: boolean;
  /** Sum over the batch as well, one dice per class (default false: one per image and class). */
  batch?: boolean;
  /** Squared denominator Σp² + Σy² (default false). */
  squared?: boolean;
  /** Added to the numerator 2·I (default 0). */
  smoothNr?: number;
  /** Added to the denominator (default 1e-10). */
  smoothDr?: number;
  /**
   * Leave out pixels whose target is all zero (ignored pseudo-labels, src/method/pools.ts
   * IGNORE_LABEL): Σp counts p·Σ_c y_c (default false).
   */
  ignoreEmptyTarget?: boolean;
}

/**
 * The soft dice coefficients: (N, C) per image and class, or (C) with `batch`; every class, the
 * background included (the `includeBackground` option is the loss's). `probs` are probabilities
 * unless `softmax` is set; `target` is one-hot (N, C, ...) or integer labels (N, ...).
 */
export function softDice(probs: Tensor, target: Tensor, o: DiceLossOptions = {}): Tensor {
  return torch.tidy(() => {
    const y = asOneHot(probs, target, 'dice');
    const soft = o.softmax ? probs.softmax(1) : probs;
    const p = o.ignoreEmptyTarget ? soft.mul(y.sum(1, true)) : soft;
    const dims = o.batch ? [0, ...spatialDims(p)] : spatialDims(p);
    const inter = p.mul(y).sum(dims);
    const sp = o.squared ? p.square().sum(dims) : p.sum(dims);
    const sy = o.squared ? y.square().sum(dims) : y.sum(dims);
    return inter
      .mul(2)
      .add(o.smoothNr ?? 0)
      .div(sp.add(sy).add(o.smoothDr ?? 1e-10));
  });
}

/** The soft Dice loss (see the module comment); a scalar tensor. */
export function diceLoss(logits: Tensor, target: Tensor, o: DiceLossOptions = {}): Tensor {
  const includeBackground = o.includeBackground ?? true;
  const c = logits.shape[1];
  if (!includeBackground && c < 2) {
    throw new InputError(`diceLoss: includeBackground false needs at least 2 classes, got ${c}`);
  }
  return torch.tidy(() => {
    const dice = softDice(logits, target, { ...o, softmax: o.softmax ?? true });
    const classDim = o.batch ? 0 : 1;
    const kept = includeBackground ? dice : dice.narrow(classDim, 1, c - 1);
    return kept.mean().rsub(1);
  });
}

/** MONAI-style wrapper: the options are fixed at construction. */
export class DiceLoss {
  constructor(readonly options: DiceLossOptions = {}) {}
  forward(logits: Tensor, target: Tensor): Tensor {
    return diceLoss(logits, target, this.options);
  }
}
