/**
 * Losses of the method (method.md C and D.1): soft Dice, class-weighted cross-entropy, Dice + CE,
 * and the local contrastive loss. One module per loss; each documents its formula.
 */
export { diceLoss, softDice, DiceLoss, type DiceLossOptions } from './dice.js';
export {
  crossEntropyLoss,
  paperClassWeights,
  CrossEntropyLoss,
  type CrossEntropyLossOptions,
} from './cross-entropy.js';
export {
  diceCeLoss,
  diceCeLossTerms,
  DiceCeLoss,
  SSL4MIS_DICE_CE,
  type DiceCeLossOptions,
} from './dice-ce.js';
export {
  localContrastiveLoss,
  sampleAnchors,
  contrastiveClasses,
  resolveIncludeBackground,
  LocalContrastiveLoss,
  type LocalContrastiveOptions,
  type LocalContrastiveResult,
  type AnchorSamplingOptions,
  type UniformSource,
} from './local-contrastive.js';
