import { F, type Tensor, distributed, ones, zeros } from '../torch/index.js';
import type { Conv2dPadding } from '../torch/functional.js';
import { Module } from './module.js';
import { fanIn, heNormal_, kaimingUniformDefault_, uniform_ } from './init.js';
import { syncBatchNorm } from './sync-batchnorm.js';

type Pair = number | [number, number];

export interface Conv2dOptions {
  stride?: Pair;
  /** Symmetric padding, 'same' (extra row/column bottom/right for even kernels), or [l, r, t, b]. */
  padding?: Conv2dPadding;
  dilation?: Pair;
  bias?: boolean;
  /** 'pytorch' (kaiming uniform, a=√5) is nn.Conv2d's default; 'he' is N(0, 2/fan_in) with zero bias. */
  init?: 'pytorch' | 'he';
}

/** nn.Conv2d: weight (out, in, kh, kw) and optional bias. */
export class Conv2d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernelSize: Pair,
    readonly options: Conv2dOptions = {},
  ) {
    super();
    const [kh, kw] = typeof kernelSize === 'number' ? [kernelSize, kernelSize] : kernelSize;
    this.weight = this.registerParameter('weight', zeros([outChannels, inChannels, kh, kw]));
    this.bias =
      options.bias === false ? null : this.registerParameter('bias', zeros([outChannels]));
    if ((options.init ?? 'pytorch') === 'he') heNormal_(this.weight);
    else {
      kaimingUniformDefault_(this.weight);
      if (this.bias) uniform_(this.bias, 1 / Math.sqrt(fanIn(this.weight)));
    }
  }
  forward(x: Tensor): Tensor {
    const o = this.options;
    return F.conv2d(x, this.weight, this.bias, {
      stride: o.stride,
      padding: o.padding,
      dilation: o.dilation,
    });
  }
}

/**
 * nn.BatchNorm2d. `momentum` is PyTorch's (r ← (1−m)·r + m·batch), so TF's decay 0.99 is 0.01;
 * `null` is PyTorch's `momentum=None`: the cumulative average of every batch since
 * `resetRunningStats()` (m = 1/k for the k-th batch).
 */
export class BatchNorm2d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor;
  readonly runningMean: Tensor;
  readonly runningVar: Tensor;
  constructor(
    readonly numFeatures: number,
    readonly options: { eps?: number; momentum?: number | null } = {},
  ) {
    super();
    this.weight = this.registerParameter('weight', ones([numFeatures]));
    this.bias = this.registerParameter('bias', zeros([numFeatures]));
    this.runningMean = this.registerBuffer('running_mean', zeros([numFeatures]));
    this.runningVar = this.registerBuffer('running_var', ones([numFeatures]));
  }
  /** Batches seen in training mode since the last reset (PyTorch's num_batches_tracked). */
  numBatchesTracked = 0;
  /**
   * Normalise over the batches of every rank of the process group in training mode
   * (torch.nn.SyncBatchNorm; src/nn/sync-batchnorm.ts); without a group of several ranks it
   * makes no difference.
   */
  syncStats = false;

  /** Running mean 0, variance 1, no batches tracked (PyTorch's reset_running_stats). */
  resetRunningStats(): void {
    this.runningMean.zero_();
    this.runningVar.fill_(1);
    this.numBatchesTracked = 0;
  }

  forward(x: Tensor): Tensor {
    if (this.training) this.numBatchesTracked++;
    const m = this.options.momentum;
    const o = {
      weight: this.weight,
      bias: this.bias,
      runningMean: this.runningMean,
      runningVar: this.runningVar,
      momentum: m === null ? 1 / Math.max(1, this.numBatchesTracked) : (m ?? 0.1),
      eps: this.options.eps ?? 1e-5,
    };
    if (this.training && this.syncStats && distributed.getWorldSize() > 1)
      return syncBatchNorm(x, o);
    return F.batchNorm(x, { ...o, training: this.training });
  }
}

export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return x.relu();
  }
}

export class MaxPool2d extends Module {
  constructor(
    readonly kernelSize: Pair,
    readonly stride?: Pair,
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return F.maxPool2d(x, this.kernelSize, { stride: this.stride });
  }
}

export class Upsample extends Module {
  constructor(
    readonly scaleFactor: number,
    readonly mode: 'nearest' | 'bilinear' = 'nearest',
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return F.interpolate(x, { scaleFactor: this.scaleFactor, mode: this.mode });
  }
}

/** A module that has a single-input forward. */
export interface Layer extends Module {
  forward(x: Tensor): Tensor;
}

/** nn.Sequential: applies its layers in order; intermediate results are released as it goes. */
export class Sequential extends Module {
  readonly layers: Layer[];
  constructor(...layers: Layer[]) {
    super();
    this.layers = layers;
    layers.forEach((l, i) => this.registerModule(String(i), l));
  }
  forward(x: Tensor): Tensor {
    let cur = x;
    for (const l of this.layers) {
      const next = l.forward(cur);
      if (cur !== x) cur.dispose();
      cur = next;
    }
    return cur;
  }
}
