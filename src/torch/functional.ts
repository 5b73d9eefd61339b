/**
 * torch.nn.functional: stateless deep-learning ops on the engine, PyTorch names and semantics.
 */
import { native } from './native.js';
import { isTensor, wrap, type Tensor, type TensorLike } from './tensor.js';

type Pair = number | [number, number];
const pair = (v: Pair): [number, number] => (typeof v === 'number' ? [v, v] : v);

/** Padding of a convolution: symmetric (number or [h, w]), 'same', or [left, right, top, bottom]. */
export type Conv2dPadding = Pair | 'same' | 'valid' | [number, number, number, number];

export interface Conv2dOptions {
  stride?: Pair;
  padding?: Conv2dPadding;
  dilation?: Pair;
  groups?: number;
}

/**
 * 2-D convolution (F.conv2d). Asymmetric padding [left, right, top, bottom] zero-pads first;
 * 'same' pads total d·(k−1) per axis with the extra row/column at the bottom/right, as TF and
 * PyTorch do for even kernels (the paper's 2×2 up-convolutions).
 */
export function conv2d(
  x: Tensor,
  weight: Tensor,
  bias: Tensor | null = null,
  o: Conv2dOptions = {},
): Tensor {
  const stride = pair(o.stride ?? 1);
  const dilation = pair(o.dilation ?? 1);
  let padding = o.padding ?? 0;
  if (padding === 'valid') padding = 0;
  if (padding === 'same') {
    const [kh, kw] = [weight.shape[2], weight.shape[3]];
    const th = dilation[0] * (kh - 1);
    const tw = dilation[1] * (kw - 1);
    padding = [
      Math.floor(tw / 2),
      tw - Math.floor(tw / 2),
      Math.floor(th / 2),
      th - Math.floor(th / 2),
    ];
  }
  if (Array.isArray(padding) && padding.length === 4) {
    const [l, r, t, b] = padding;
    if (l === r && t === b) padding = [t, l];
    else {
      const padded = pad(x, [l, r, t, b]);
      try {
        return wrap(
          native.op_conv2d(
            padded.handle,
            weight.handle,
            bias?.handle,
            stride,
            [0, 0],
            dilation,
            o.groups ?? 1,
          ),
        );
      } finally {
        padded.dispose();
      }
    }
  }
  return wrap(
    native.op_conv2d(
      x.handle,
      weight.handle,
      bias?.handle,
      stride,
      pair(padding as Pair),
      dilation,
      o.groups ?? 1,
    ),
  );
}

/** Transposed 2-D convolution (F.conv_transpose2d). */
export function convTranspose2d(
  x: Tensor,
  weight: Tensor,
  bias: Tensor | null = null,
  o: { stride?: Pair; padding?: Pair; outputPadding?: Pair; groups?: number; dilation?: Pair } = {},
): Tensor {
  return wrap(
    native.op_convTranspose2d(
      x.handle,
      weight.handle,
      bias?.handle,
      pair(o.stride ?? 1),
      pair(o.padding ?? 0),
      pair(o.outputPadding ?? 0),
      o.groups ?? 1,
      pair(o.dilation ?? 1),
    ),
  );
}

/** F.pad: `pad` lists (left, right) of the last dimension first, then the one before, ... */
export function pad(
  x: Tensor,
  padding: number[],
  mode: 'constant' | 'reflect' | 'replicate' = 'constant',
  value = 0,
): Tensor {
  if (mode === 'constant') return wrap(native.op_pad(x.handle, padding, value));
  return wrap(native.op_padMode(x.handle, padding, mode));
}

export interface BatchNormOptions {
  runningMean?: Tensor | null;
  runningVar?: Tensor | null;
  weight?: Tensor | null;
  bias?: Tensor | null;
  training?: boolean;
  momentum?: number;
  eps?: number;
}

/**
 * F.batch_norm. In training, normalises with the batch's mean and biased variance and updates the
 * running statistics in place: r ← (1 − momentum)·r + momentum·stat (unbiased variance for r).
 */
export function batchNorm(x: Tensor, o: BatchNormOptions = {}): Tensor {
  return wrap(
    native.op_batchNorm(
      x.handle,
      o.weight?.handle,
      o.bias?.handle,
      o.runningMean?.handle,
      o.runningVar?.handle,
      o.training ?? false,
      o.momentum ?? 0.1,
      o.eps ?? 1e-5,
    ),
  );
}

export function relu(x: Tensor): Tensor {
  return x.relu();
}
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  return wrap(native.op_leakyRelu(x.handle, negativeSlope));
}
export function dropout(x: Tensor, p = 0.5, training = true): Tensor {
  return wrap(native.op_dropout(x.handle, p, training));
}

export function maxPool2d(
  x: Tensor,
  kernelSize: Pair,
  o: { stride?: Pair; padding?: Pair; dilation?: Pair; ceilMode?: boolean } = {},
): Tensor {
  return wrap(
    native.op_maxPool2d(
      x.handle,
      pair(kernelSize),
      pair(o.stride ?? kernelSize),
      pair(o.padding ?? 0),
      pair(o.dilation ?? 1),
      o.ceilMode ?? false,
    ),
  );
}

export function avgPool2d(
  x: Tensor,
  kernelSize: Pair,
  o: { stride?: Pair; padding?: Pair; ceilMode?: boolean; countIncludePad?: boolean } = {},
): Tensor {
  return wrap(
    native.op_avgPool2d(
      x.handle,
      pair(kernelSize),
      pair(o.stride ?? kernelSize),
      pair(o.padding ?? 0),
      o.ceilMode ?? false,
      o.countIncludePad ?? true,
    ),
  );
}

/** F.interpolate for (N, C, H, W) inputs, by output size or integer/float scale factor. */
export function interpolate(
  x: Tensor,
  o: {
    size?: Pair;
    scaleFactor?: number;
    mode?: 'nearest' | 'bilinear' | 'bicubic';
    alignCorners?: boolean;
  },
): Tensor {
  let size: [number, number];
  let scales: [number, number] | [] = [];
  if (o.size !== undefined) size = pair(o.size);
  else if (o.scaleFactor !== undefined) {
    size = [Math.floor(x.shape[2] * o.scaleFactor), Math.floor(x.shape[3] * o.scaleFactor)];
    // As PyTorch (recompute_scale_factor unset): source coordinates use 1/scale, not in/out.
    scales = [o.scaleFactor, o.scaleFactor];
  } else throw new Error('interpolate: give size or scaleFactor');
  return wrap(
    native.op_interpolate(x.handle, size, o.mode ?? 'nearest', o.alignCorners ?? false, ...scales),
  );
}

export function cat(tensors: Tensor[], dim = 0): Tensor {
  return wrap(
    native.op_cat(
      tensors.map((t) => t.handle),
      dim,
    ),
  );
}
export function stack(tensors: Tensor[], dim = 0): Tensor {
  return wrap(
    native.op_stack(
      tensors.map((t) => t.handle),
      dim,
    ),
  );
}
/** Elementwise `cond ? a : b` with broadcasting (torch.where). */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  const h = (v: TensorLike) => (typeof v === 'number' ? v : v.handle);
  return wrap(native.op_where(cond.handle, h(a), h(b)));
}
export function einsum(equation: string, ...operands: Tensor[]): Tensor {
  return wrap(
    native.op_einsum(
      equation,
      operands.map((t) => t.handle),
    ),
  );
}
export function softmax(x: Tensor, dim: number): Tensor {
  return x.softmax(dim);
}
export function logSoftmax(x: Tensor, dim: number): Tensor {
  return x.logSoftmax(dim);
}
/** One-hot encoding of int64 class indices; appends a last dimension of size numClasses. */
export function oneHot(labels: Tensor, numClasses = -1): Tensor {
  return wrap(native.op_oneHot(labels.handle, numClasses));
}

/** F.normalize: x / max(‖x‖_p, eps) along `dim`. */
export function normalize(x: Tensor, o: { p?: number; dim?: number; eps?: number } = {}): Tensor {
  const n = x.norm(o.p ?? 2, o.dim ?? 1, true);
  const d = n.clampMin(o.eps ?? 1e-12);
  n.dispose();
  const out = x.div(d);
  d.dispose();
  return out;
}

type Reduction = 'none' | 'mean' | 'sum';

/**
 * F.cross_entropy: `target` holds class indices (int64, shape N×…) or class probabilities (float,
 * same shape as the input, e.g. soft labels from warped one-hot maps).
 */
export function crossEntropy(
  input: Tensor,
  target: Tensor,
  o: {
    weight?: Tensor | null;
    reduction?: Reduction;
    ignoreIndex?: number;
    labelSmoothing?: number;
  } = {},
): Tensor {
  // LibTorch reads a float target of another shape as class indices and reports "multi-target not
  // supported"; name the actual problem instead.
  const live = (t: unknown): t is Tensor => isTensor(t) && !t.isDisposed;
  if (live(input) && live(target) && target.dtype.startsWith('float')) {
    const a = input.shape;
    const b = target.shape;
    if (a.length !== b.length || a.some((d, i) => d !== b[i])) {
      throw new Error(
        `crossEntropy: probability targets (${target.dtype}) must have the input's shape [${a.join(', ')}], ` +
          `got [${b.join(', ')}]`,
      );
    }
  }
  return wrap(
    native.op_crossEntropy(
      input.handle,
      target.handle,
      o.weight?.handle,
      o.reduction ?? 'mean',
      o.ignoreIndex ?? -100,
      o.labelSmoothing ?? 0,
    ),
  );
}

export function nllLoss(
  input: Tensor,
  target: Tensor,
  o: { weight?: Tensor | null; reduction?: Reduction; ignoreIndex?: number } = {},
): Tensor {
  return wrap(
    native.op_nllLoss(
      input.handle,
      target.handle,
      o.weight?.handle,
      o.reduction ?? 'mean',
      o.ignoreIndex ?? -100,
    ),
  );
}

/** F.affine_grid: sampling grid (N, H, W, 2) in [-1, 1] coordinates for affine matrices (N, 2, 3). */
export function affineGrid(
  theta: Tensor,
  size: [number, number, number, number],
  alignCorners = false,
): Tensor {
  return wrap(native.op_affineGrid(theta.handle, size, alignCorners));
}

/** F.grid_sample for 4-D inputs. */
export function gridSample(
  x: Tensor,
  grid: Tensor,
  o: {
    mode?: 'bilinear' | 'nearest' | 'bicubic';
    paddingMode?: 'zeros' | 'border' | 'reflection';
    alignCorners?: boolean;
  } = {},
): Tensor {
  return wrap(
    native.op_gridSample(
      x.handle,
      grid.handle,
      o.mode ?? 'bilinear',
      o.paddingMode ?? 'zeros',
      o.alignCorners ?? false,
    ),
  );
}
