import * as torch from '../torch/index.js';
import { InputError } from '../errors.js';
import { Adam, type Optimizer, PolyLR, SGD, UNet, type UNetConfig } from '../nn/index.js';
import { Preprocessor } from '../data/preprocess.js';
import type { SegmentationDataset } from '../data/dataset.js';
import { loadDataset } from '../data/index.js';
import { diceCeLoss, diceLoss, crossEntropyLoss, SSL4MIS_DICE_CE } from './losses/index.js';
import type { RunConfig } from './config.js';
import type { LrSchedule } from './schedule-fields.js';

/** Throws an InputError unless `device` ('cpu', 'cuda', 'cuda:N') can be used by this LibTorch. */
export function requireDevice(device: string, source: string): void {
  if (device === 'cpu') return;
  const m = /^cuda(?::(\d+))?$/.exec(device);
  if (!m) throw new InputError(`unknown device '${device}' (use cpu, cuda or cuda:N)`, source);
  if (!torch.cuda.isAvailable()) {
    throw new InputError(
      `device '${device}' requested but this LibTorch has no usable CUDA (build against a CUDA LibTorch with LIBTORCH=...)`,
      source,
    );
  }
  const index = Number(m[1] ?? 0);
  if (index >= torch.cuda.deviceCount()) {
    throw new InputError(
      `device '${device}' does not exist (${torch.cuda.deviceCount()} GPUs)`,
      source,
    );
  }
}

/** The dataset a config names. */
export function openDataset(cfg: RunConfig): Promise<SegmentationDataset> {
  return loadDataset(cfg.data);
}

export function unetConfig(cfg: RunConfig, numClasses: number): UNetConfig {
  return { inChannels: 1, numClasses, ...cfg.model };
}

/** The metadata every checkpoint carries, so that `predict` can rebuild network and preprocessing. */
export function modelMetadata(
  cfg: RunConfig,
  classNames: readonly string[],
): Record<string, string> {
  return {
    format: 'contraseg-model-v1',
    'contraseg.unet': JSON.stringify(unetConfig(cfg, classNames.length)),
    'contraseg.preprocess': JSON.stringify(cfg.preprocess),
    'contraseg.classes': JSON.stringify(classNames),
  };
}

export function makePreprocessor(cfg: RunConfig): Preprocessor {
  return new Preprocessor(cfg.preprocess);
}

/**
 * A stage's optimiser and its learning-rate schedule over `totalIterations`: at `lr` (the stage
 * section's, else `optimizer.lr`), with `lrSchedule` (the stage section's, else the optimiser's
 * default: SGD `optimizer.poly`, Adam constant).
 */
export function makeOptimizer(
  cfg: RunConfig,
  net: UNet,
  totalIterations: number,
  stage: { lrSchedule?: LrSchedule; lr?: number } = {},
): { optimizer: Optimizer; scheduler: PolyLR | null } {
  const o = cfg.optimizer;
  const lr = stage.lr ?? o.lr;
  const optimizer =
    o.kind === 'adam'
      ? new Adam(net.parameters(), { lr, weightDecay: o.weightDecay })
      : new SGD(net.parameters(), { lr, momentum: o.momentum, weightDecay: o.weightDecay });
  const poly = stage.lrSchedule ? stage.lrSchedule === 'poly' : o.kind === 'sgd' && o.poly;
  return { optimizer, scheduler: poly ? new PolyLR(optimizer, lr, totalIterations) : null };
}

export type SegLossFn = (logits: torch.Tensor, target: torch.Tensor) => torch.Tensor;

/**
 * The segmentation loss of a config (method.md D.1). Targets are one-hot, possibly soft; with
 * `pseudo.minConfidence`, pixels whose target is all zero (ignored pseudo-labels) are left out.
 */
export function segmentationLoss(cfg: RunConfig): SegLossFn {
  const ignoreEmptyTarget = cfg.pseudo.minConfidence !== undefined;
  switch (cfg.loss.seg) {
    case 'dice':
      return (l, t) => diceLoss(l, t, { includeBackground: true, ignoreEmptyTarget });
    case 'dice-nobg':
      return (l, t) => diceLoss(l, t, { includeBackground: false, ignoreEmptyTarget });
    case 'ce':
      return (l, t) => crossEntropyLoss(l, t, { ignoreEmptyTarget });
    case 'dice-ce':
      return (l, t) =>
        diceCeLoss(l, t, {
          ...SSL4MIS_DICE_CE,
          dice: { ...SSL4MIS_DICE_CE.dice, ignoreEmptyTarget },
          ce: { ...SSL4MIS_DICE_CE.ce, ignoreEmptyTarget },
        });
  }
}
