/**
 * Dice + cross-entropy: loss = λ_dice · Dice(logits, y) + λ_ce · CE(logits, y), with the Dice of
 * dice.ts and the (optionally class-weighted) cross-entropy of cross-entropy.ts (method.md D.1).
 *
 * Defaults: λ_dice = λ_ce = 1, Dice with the released code's defaults (per image, background
 * included), unweighted CE (as MONAI's DiceCELoss; pass `ce: { weights: 'paper' }` for the code's
 * weighted CE). `SSL4MIS_DICE_CE` is the SSL4MIS benchmark's supervised loss:
 * 0.5 · CE (unweighted) + 0.5 · DiceLoss, where SSL4MIS's DiceLoss sums over the whole batch, uses
 * squared denominators and smooth 1e-5 in numerator and denominator, and averages 1 − dice over
 * all classes.
 */
import * as torch from '../../torch/index.js';
import type { Tensor } from '../../torch/index.js';
import { crossEntropyLoss, type CrossEntropyLossOptions } from './cross-entropy.js';
import { diceLoss, type DiceLossOptions } from './dice.js';

export interface DiceCeLossOptions {
  /** Weight of the Dice term (default 1). */
  lambdaDice?: number;
  /** Weight of the cross-entropy term (default 1). */
  lambdaCe?: number;
  /** Options of the Dice term (default: dice.ts defaults). */
  dice?: DiceLossOptions;
  /** Options of the CE term (default: unweighted, `weights: null`). */
  ce?: CrossEntropyLossOptions;
}

/** SSL4MIS's 0.5·CE + 0.5·Dice (code/utils/losses.py DiceLoss, nn.CrossEntropyLoss). */
export const SSL4MIS_DICE_CE: Readonly<DiceCeLossOptions> = Object.freeze({
  lambdaDice: 0.5,
  lambdaCe: 0.5,
  dice: Object.freeze({
    includeBackground: true,
    batch: true,
    squared: true,
    smoothNr: 1e-5,
    smoothDr: 1e-5,
  }),
  ce: Object.freeze({ weights: null }),
});

/** The two terms (unweighted) and their weighted sum; scalar tensors. */
export function diceCeLossTerms(
  logits: Tensor,
  target: Tensor,
  o: DiceCeLossOptions = {},
): { loss: Tensor; dice: Tensor; ce: Tensor } {
  return torch.tidy(() => {
    const dice = diceLoss(logits, target, o.dice ?? {});
    const ce = crossEntropyLoss(logits, target, { weights: null, ...o.ce });
    const loss = dice.mul(o.lambdaDice ?? 1).add(ce.mul(o.lambdaCe ?? 1));
    return { loss, dice, ce };
  });
}

/** λ_dice · Dice + λ_ce · CE; a scalar tensor. */
export function diceCeLoss(logits: Tensor, target: Tensor, o: DiceCeLossOptions = {}): Tensor {
  return torch.tidy(() => diceCeLossTerms(logits, target, o).loss);
}

/** MONAI-style wrapper: the options are fixed at construction. */
export class DiceCeLoss {
  constructor(readonly options: DiceCeLossOptions = {}) {}
  forward(logits: Tensor, target: Tensor): Tensor {
    return diceCeLoss(logits, target, this.options);
  }
}
