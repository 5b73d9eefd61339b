// Finite-difference gradient checks (central differences, eps 1e-6, rel. tol 1e-5, float64) of every
// differentiable op the engine exposes. Inputs of non-smooth ops (relu, clamp, max, pooling ...)
// keep a margin from their kinks so that the finite differences are exact.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as torch from '../../src/torch/index.js';
import { F, type Tensor } from '../../src/torch/index.js';
import { gradcheck, type GradcheckOptions } from './gradcheck.js';
import { longT, boolT, rng } from './helpers.js';
import type { Rng } from '../../src/util/rng.js';

const size = (s: number[]): number => s.reduce((a, b) => a * b, 1);

/** float64 normal values. */
function n64(r: Rng, shape: number[], scale = 1, shift = 0): Tensor {
  const v = new Float64Array(size(shape));
  for (let i = 0; i < v.length; i++) v[i] = r.normal() * scale + shift;
  return torch.tensor(v, shape);
}
/** float64 uniform values on [lo, hi). */
function u64(r: Rng, shape: number[], lo: number, hi: number): Tensor {
  const v = new Float64Array(size(shape));
  for (let i = 0; i < v.length; i++) v[i] = r.uniform(lo, hi);
  return torch.tensor(v, shape);
}
/** float64 values at least `margin` away from every kink (0 by default). */
function away(r: Rng, shape: number[], kinks: number[] = [0], margin = 0.05, scale = 1): Tensor {
  const v = new Float64Array(size(shape));
  for (let i = 0; i < v.length; i++) {
    let x = r.normal() * scale;
    while (kinks.some((k) => Math.abs(x - k) < margin)) x = r.normal() * scale;
    v[i] = x;
  }
  return torch.tensor(v, shape);
}
/** float64 values that are pairwise distinct by at least 0.05 (for max, sort, pooling). */
function distinct(r: Rng, shape: number[]): Tensor {
  const n = size(shape);
  const perm = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = r.int(i + 1);
    [perm[i], perm[j]] = [perm[j], perm[i]];
  }
  const v = Float64Array.from(perm, (p) => (p - n / 2) * 0.1 + r.uniform(0, 0.05));
  return torch.tensor(v, shape);
}

interface GradCase {
  name: string;
  fn: (...xs: Tensor[]) => Tensor;
  inputs: (r: Rng) => Tensor[];
  opts?: GradcheckOptions;
}

const elementwise: GradCase[] = [
  { name: 'add (broadcast)', fn: (a, b) => a.add(b), inputs: (r) => [n64(r, [2, 3]), n64(r, [3])] },
  { name: 'add scalar', fn: (a) => a.add(2.5), inputs: (r) => [n64(r, [4])] },
  {
    name: 'sub (broadcast)',
    fn: (a, b) => a.sub(b),
    inputs: (r) => [n64(r, [2, 1, 3]), n64(r, [4, 1])],
  },
  { name: 'rsub', fn: (a) => a.rsub(3), inputs: (r) => [n64(r, [5])] },
  {
    name: 'mul (broadcast)',
    fn: (a, b) => a.mul(b),
    inputs: (r) => [n64(r, [3, 1]), n64(r, [1, 4])],
  },
  { name: 'mul scalar', fn: (a) => a.mul(-1.5), inputs: (r) => [n64(r, [3])] },
  {
    name: 'div (broadcast)',
    fn: (a, b) => a.div(b),
    inputs: (r) => [n64(r, [2, 3]), u64(r, [3], 0.5, 2)],
  },
  { name: 'div scalar', fn: (a) => a.div(4), inputs: (r) => [n64(r, [3])] },
  { name: 'neg', fn: (a) => a.neg(), inputs: (r) => [n64(r, [4])] },
  { name: 'abs', fn: (a) => a.abs(), inputs: (r) => [away(r, [6])] },
  { name: 'square', fn: (a) => a.square(), inputs: (r) => [n64(r, [5])] },
  { name: 'reciprocal', fn: (a) => a.reciprocal(), inputs: (r) => [u64(r, [5], 0.5, 3)] },
  { name: 'exp', fn: (a) => a.exp(), inputs: (r) => [n64(r, [2, 3])] },
  { name: 'log', fn: (a) => a.log(), inputs: (r) => [u64(r, [2, 3], 0.2, 3)] },
  { name: 'log1p', fn: (a) => a.log1p(), inputs: (r) => [u64(r, [5], -0.5, 3)] },
  { name: 'sqrt', fn: (a) => a.sqrt(), inputs: (r) => [u64(r, [2, 3], 0.2, 3)] },
  { name: 'rsqrt', fn: (a) => a.rsqrt(), inputs: (r) => [u64(r, [5], 0.3, 3)] },
  { name: 'pow (scalar exponent)', fn: (a) => a.pow(2.5), inputs: (r) => [u64(r, [2, 3], 0.2, 2)] },
  { name: 'pow (integer exponent)', fn: (a) => a.pow(3), inputs: (r) => [n64(r, [5])] },
  {
    name: 'pow (tensor exponent)',
    fn: (a, b) => a.pow(b),
    inputs: (r) => [u64(r, [2, 3], 0.3, 2), n64(r, [3])],
  },
  { name: 'sin', fn: (a) => a.sin(), inputs: (r) => [n64(r, [5])] },
  { name: 'cos', fn: (a) => a.cos(), inputs: (r) => [n64(r, [5])] },
  { name: 'sigmoid', fn: (a) => a.sigmoid(), inputs: (r) => [n64(r, [2, 4], 2)] },
  { name: 'tanh', fn: (a) => a.tanh(), inputs: (r) => [n64(r, [2, 4], 2)] },
  { name: 'relu', fn: (a) => a.relu(), inputs: (r) => [away(r, [3, 4])] },
  { name: 'F.relu', fn: (a) => F.relu(a), inputs: (r) => [away(r, [8])] },
  { name: 'leakyRelu', fn: (a) => F.leakyRelu(a, 0.2), inputs: (r) => [away(r, [8])] },
  { name: 'clamp', fn: (a) => a.clamp(-0.5, 0.7), inputs: (r) => [away(r, [12], [-0.5, 0.7])] },
  { name: 'clampMin', fn: (a) => a.clampMin(0.1), inputs: (r) => [away(r, [12], [0.1])] },
  {
    name: 'clamp (max only)',
    fn: (a) => a.clamp(null, 0.3),
    inputs: (r) => [away(r, [12], [0.3])],
  },
  {
    name: 'maximum',
    fn: (a, b) => a.maximum(b),
    inputs: (r) => [distinct(r, [6]), distinct(r, [6])],
  },
  {
    name: 'minimum',
    fn: (a, b) => a.minimum(b),
    inputs: (r) => [distinct(r, [6]), distinct(r, [6])],
  },
  {
    name: 'lerp',
    fn: (a, b) => a.lerp(b, 0.3),
    inputs: (r) => [n64(r, [4]), n64(r, [4])],
  },
  {
    name: 'dropout (eval: identity)',
    fn: (a) => F.dropout(a, 0.5, false),
    inputs: (r) => [n64(r, [4])],
  },
  {
    name: 'dropout (training, fixed mask)',
    fn: (a) => {
      torch.manualSeed(17); // the same mask on every evaluation
      return F.dropout(a, 0.4, true);
    },
    inputs: (r) => [n64(r, [12])],
  },
];

const reductions: GradCase[] = [
  { name: 'sum (all)', fn: (a) => a.sum(), inputs: (r) => [n64(r, [2, 3])] },
  { name: 'sum (dim, keepdim)', fn: (a) => a.sum(1, true), inputs: (r) => [n64(r, [2, 3, 2])] },
  { name: 'sum (dims)', fn: (a) => a.sum([0, 2]), inputs: (r) => [n64(r, [2, 3, 2])] },
  { name: 'mean (all)', fn: (a) => a.mean(), inputs: (r) => [n64(r, [2, 3])] },
  {
    name: 'mean (dims, keepdim)',
    fn: (a) => a.mean([1, 2], true),
    inputs: (r) => [n64(r, [2, 3, 2])],
  },
  { name: 'max (all)', fn: (a) => a.max(), inputs: (r) => [distinct(r, [3, 4])] },
  { name: 'max (dim) values', fn: (a) => a.max(1).values, inputs: (r) => [distinct(r, [3, 4])] },
  { name: 'min (all)', fn: (a) => a.min(), inputs: (r) => [distinct(r, [3, 4])] },
  {
    name: 'min (dim, keepdim) values',
    fn: (a) => a.min(0, true).values,
    inputs: (r) => [distinct(r, [3, 4])],
  },
  { name: 'logsumexp', fn: (a) => a.logsumexp(1), inputs: (r) => [n64(r, [3, 4], 2)] },
  {
    name: 'logsumexp (dims, keepdim)',
    fn: (a) => a.logsumexp([0, 2], true),
    inputs: (r) => [n64(r, [2, 3, 2])],
  },
  { name: 'softmax', fn: (a) => a.softmax(1), inputs: (r) => [n64(r, [2, 4], 2)] },
  { name: 'F.softmax (dim 0)', fn: (a) => F.softmax(a, 0), inputs: (r) => [n64(r, [3, 2])] },
  { name: 'logSoftmax', fn: (a) => a.logSoftmax(-1), inputs: (r) => [n64(r, [2, 4], 2)] },
  {
    name: 'F.logSoftmax (NCHW)',
    fn: (a) => F.logSoftmax(a, 1),
    inputs: (r) => [n64(r, [1, 3, 2, 2])],
  },
  { name: 'var', fn: (a) => a.var(1), inputs: (r) => [n64(r, [2, 4])] },
  {
    name: 'var (all, biased)',
    fn: (a) => a.var(undefined, false, 0),
    inputs: (r) => [n64(r, [2, 4])],
  },
  { name: 'norm (all)', fn: (a) => a.norm(), inputs: (r) => [n64(r, [2, 3])] },
  { name: 'norm (p=1, dim)', fn: (a) => a.norm(1, 1), inputs: (r) => [away(r, [2, 3])] },
  { name: 'prod', fn: (a) => a.prod(), inputs: (r) => [u64(r, [5], 0.5, 1.5)] },
  { name: 'cumsum', fn: (a) => a.cumsum(1), inputs: (r) => [n64(r, [2, 4])] },
  { name: 'sort values', fn: (a) => a.sort(1).values, inputs: (r) => [distinct(r, [2, 5])] },
  { name: 'topk values', fn: (a) => a.topk(2).values, inputs: (r) => [distinct(r, [2, 5])] },
  { name: 'quantile', fn: (a) => a.quantile(0.3, 1), inputs: (r) => [distinct(r, [2, 6])] },
  {
    name: 'matmul (2-D)',
    fn: (a, b) => a.matmul(b),
    inputs: (r) => [n64(r, [2, 3]), n64(r, [3, 4])],
  },
  {
    name: 'matmul (batched, broadcast)',
    fn: (a, b) => a.matmul(b),
    inputs: (r) => [n64(r, [2, 2, 3]), n64(r, [3, 2])],
  },
  {
    name: 'matmul (matrix-vector)',
    fn: (a, b) => a.matmul(b),
    inputs: (r) => [n64(r, [3, 4]), n64(r, [4])],
  },
  {
    name: 'einsum',
    fn: (a, b) => torch.einsum('bij,bjk->bik', a, b),
    inputs: (r) => [n64(r, [2, 2, 3]), n64(r, [2, 3, 2])],
  },
];

const shapes: GradCase[] = [
  {
    name: 'reshape',
    fn: (a) => a.reshape(3, 4).mul(a.reshape(3, 4)),
    inputs: (r) => [n64(r, [2, 6])],
  },
  { name: 'view', fn: (a) => a.view(4, 3), inputs: (r) => [n64(r, [2, 6])] },
  { name: 'permute', fn: (a) => a.permute(2, 0, 1).exp(), inputs: (r) => [n64(r, [2, 3, 2])] },
  {
    name: 'transpose',
    fn: (a, b) => a.transpose(0, 1).matmul(b),
    inputs: (r) => [n64(r, [3, 2]), n64(r, [3, 2])],
  },
  { name: 'slice', fn: (a) => a.slice(1, 1, 3).square(), inputs: (r) => [n64(r, [2, 4])] },
  {
    name: 'slice (negative, step)',
    fn: (a) => a.slice(0, -5, -1, 2),
    inputs: (r) => [n64(r, [7, 2])],
  },
  { name: 'select', fn: (a) => a.select(1, -1), inputs: (r) => [n64(r, [3, 3])] },
  { name: 'narrow', fn: (a) => a.narrow(0, 1, 2), inputs: (r) => [n64(r, [4, 2])] },
  {
    name: 'squeeze/unsqueeze',
    fn: (a) => a.squeeze(1).unsqueeze(0).square(),
    inputs: (r) => [n64(r, [3, 1, 2])],
  },
  { name: 'flatten', fn: (a) => a.flatten(1), inputs: (r) => [n64(r, [2, 2, 3])] },
  {
    name: 'expand',
    fn: (a) => a.expand(3, 4).mul(a.expand(3, 4)),
    inputs: (r) => [n64(r, [3, 1])],
  },
  { name: 'repeat', fn: (a) => a.repeat(2, 3), inputs: (r) => [n64(r, [2, 2])] },
  { name: 'flip', fn: (a) => a.flip(0, 1), inputs: (r) => [n64(r, [2, 3])] },
  { name: 'roll', fn: (a) => a.roll([1, -1], [0, 1]), inputs: (r) => [n64(r, [3, 3])] },
  {
    name: 'contiguous',
    fn: (a) => a.transpose(0, 1).contiguous(),
    inputs: (r) => [n64(r, [2, 3])],
  },
  { name: 'clone', fn: (a) => a.clone().mul(a), inputs: (r) => [n64(r, [4])] },
  {
    name: 'cat',
    fn: (a, b) => torch.cat([a, b, a], 1),
    inputs: (r) => [n64(r, [2, 2]), n64(r, [2, 3])],
  },
  {
    name: 'stack',
    fn: (a, b) => torch.stack([a, b], 1),
    inputs: (r) => [n64(r, [2, 3]), n64(r, [2, 3])],
  },
  { name: 'split', fn: (a) => a.split([1, 3], 1)[1].mul(2), inputs: (r) => [n64(r, [2, 4])] },
  { name: 'chunk', fn: (a) => a.chunk(3, 0)[2], inputs: (r) => [n64(r, [5, 2])] },
  {
    name: 'gather',
    fn: (a) => a.gather(1, longT([0, 2, 2, 1, 0, 0], [2, 3])),
    inputs: (r) => [n64(r, [2, 3])],
  },
  {
    name: 'indexSelect',
    fn: (a) => a.indexSelect(0, longT([2, 0, 2])),
    inputs: (r) => [n64(r, [3, 2])],
  },
  {
    name: 'scatter (self and src)',
    fn: (a, s) => a.scatter(1, longT([2, 0, 1, 2], [2, 2]), s),
    inputs: (r) => [n64(r, [2, 3]), n64(r, [2, 2])],
  },
  {
    name: 'scatterAdd',
    fn: (a, s) => a.scatterAdd(0, longT([1, 0, 1, 1, 0, 1], [2, 3]), s),
    inputs: (r) => [n64(r, [2, 3]), n64(r, [2, 3])],
  },
  {
    name: 'indexPut (accumulate)',
    fn: (a, v) => a.indexPut(longT([2, 0, 2]), v, true),
    inputs: (r) => [n64(r, [3, 2]), n64(r, [3, 2])],
  },
  {
    name: 'indexPut (replace)',
    fn: (a, v) => a.indexPut(longT([2, 0]), v),
    inputs: (r) => [n64(r, [3, 2]), n64(r, [2, 2])],
  },
  {
    name: 'maskedFill',
    fn: (a) => a.maskedFill(boolT([1, 0, 0, 1, 1, 0], [2, 3]), -2),
    inputs: (r) => [n64(r, [2, 3])],
  },
  {
    name: 'maskedSelect',
    fn: (a) => a.maskedSelect(boolT([1, 0, 0, 1, 1, 0], [2, 3])),
    inputs: (r) => [n64(r, [2, 3])],
  },
  {
    name: 'where (tensor, tensor)',
    fn: (a, b) => torch.where(boolT([1, 0, 1], [3]), a, b),
    inputs: (r) => [n64(r, [2, 3]), n64(r, [2, 1])],
  },
  {
    name: 'where (tensor, scalar)',
    fn: (a) => torch.where(boolT([0, 1, 1]), a, 0.5),
    inputs: (r) => [n64(r, [3])],
  },
  { name: 'normalize', fn: (a) => F.normalize(a, { dim: 1 }), inputs: (r) => [n64(r, [2, 3, 2])] },
  {
    name: 'normalize (p=1, dim 0)',
    fn: (a) => F.normalize(a, { p: 1, dim: 0 }),
    inputs: (r) => [away(r, [3, 2])],
  },
  {
    name: 'pad (constant)',
    fn: (a) => F.pad(a, [1, 2, 0, 1], 'constant', 0.5),
    inputs: (r) => [n64(r, [1, 1, 2, 3])],
  },
  { name: 'pad (negative crops)', fn: (a) => F.pad(a, [-1, 1]), inputs: (r) => [n64(r, [2, 3])] },
  {
    name: 'pad (reflect)',
    fn: (a) => F.pad(a, [2, 1, 1, 2], 'reflect'),
    inputs: (r) => [n64(r, [1, 2, 3, 3])],
  },
  {
    name: 'pad (replicate)',
    fn: (a) => F.pad(a, [1, 2, 2, 0], 'replicate'),
    inputs: (r) => [n64(r, [1, 1, 3, 2])],
  },
];

const nn: GradCase[] = [
  {
    name: 'conv2d (bias)',
    fn: (x, w, b) => F.conv2d(x, w, b),
    inputs: (r) => [n64(r, [2, 2, 4, 4]), n64(r, [3, 2, 3, 3]), n64(r, [3])],
  },
  {
    name: 'conv2d (stride 2, padding 1)',
    fn: (x, w) => F.conv2d(x, w, null, { stride: 2, padding: 1 }),
    inputs: (r) => [n64(r, [1, 2, 5, 5]), n64(r, [2, 2, 3, 3])],
  },
  {
    name: 'conv2d (dilation 2, padding [2, 1])',
    fn: (x, w) => F.conv2d(x, w, null, { dilation: 2, padding: [2, 1] }),
    inputs: (r) => [n64(r, [1, 1, 5, 5]), n64(r, [2, 1, 3, 3])],
  },
  {
    name: 'conv2d (asymmetric padding [0, 1, 2, 0], stride [1, 2])',
    fn: (x, w, b) => F.conv2d(x, w, b, { padding: [0, 1, 2, 0], stride: [1, 2] }),
    inputs: (r) => [n64(r, [1, 2, 4, 5]), n64(r, [2, 2, 2, 3]), n64(r, [2])],
  },
  {
    name: "conv2d ('same', 2x2 kernel)",
    fn: (x, w) => F.conv2d(x, w, null, { padding: 'same' }),
    inputs: (r) => [n64(r, [1, 2, 3, 4]), n64(r, [2, 2, 2, 2])],
  },
  {
    name: "conv2d ('same', dilation 2)",
    fn: (x, w) => F.conv2d(x, w, null, { padding: 'same', dilation: 2 }),
    inputs: (r) => [n64(r, [1, 1, 5, 5]), n64(r, [1, 1, 2, 3])],
  },
  {
    name: 'conv2d (groups 2)',
    fn: (x, w) => F.conv2d(x, w, null, { groups: 2, padding: 1 }),
    inputs: (r) => [n64(r, [1, 4, 3, 3]), n64(r, [2, 2, 3, 3])],
  },
  {
    name: 'convTranspose2d (stride 2)',
    fn: (x, w, b) => F.convTranspose2d(x, w, b, { stride: 2 }),
    inputs: (r) => [n64(r, [1, 2, 3, 3]), n64(r, [2, 3, 2, 2]), n64(r, [3])],
  },
  {
    name: 'convTranspose2d (padding, outputPadding)',
    fn: (x, w) => F.convTranspose2d(x, w, null, { stride: 2, padding: 1, outputPadding: 1 }),
    inputs: (r) => [n64(r, [1, 1, 3, 3]), n64(r, [1, 2, 3, 3])],
  },
  {
    name: 'batchNorm (training: x, weight, bias)',
    fn: (x, w, b) => F.batchNorm(x, { weight: w, bias: b, training: true }),
    inputs: (r) => [n64(r, [3, 2, 2, 2], 2, 1), n64(r, [2]), n64(r, [2])],
  },
  {
    name: 'batchNorm (training, running stats)',
    fn: (x) =>
      F.batchNorm(x, {
        training: true,
        runningMean: torch.zeros([2], { dtype: 'float64' }),
        runningVar: torch.ones([2], { dtype: 'float64' }),
      }),
    inputs: (r) => [n64(r, [4, 2, 3], 1.5)],
  },
  {
    name: 'batchNorm (eval)',
    fn: (x, w, b) =>
      F.batchNorm(x, {
        weight: w,
        bias: b,
        runningMean: torch.tensor(Float64Array.from([0.5, -1])),
        runningVar: torch.tensor(Float64Array.from([2, 0.5])),
      }),
    inputs: (r) => [n64(r, [2, 2, 2, 2]), n64(r, [2]), n64(r, [2])],
  },
  { name: 'maxPool2d', fn: (x) => F.maxPool2d(x, 2), inputs: (r) => [distinct(r, [1, 2, 4, 4])] },
  {
    name: 'maxPool2d (kernel 3, stride 2, padding 1)',
    fn: (x) => F.maxPool2d(x, 3, { stride: 2, padding: 1 }),
    inputs: (r) => [distinct(r, [1, 1, 5, 5])],
  },
  {
    name: 'maxPool2d (ceil mode, dilation)',
    fn: (x) => F.maxPool2d(x, 2, { stride: 2, dilation: [1, 2], ceilMode: true }),
    inputs: (r) => [distinct(r, [1, 1, 5, 6])],
  },
  { name: 'avgPool2d', fn: (x) => F.avgPool2d(x, 2), inputs: (r) => [n64(r, [1, 2, 4, 4])] },
  {
    name: 'avgPool2d (padding, countIncludePad false, ceil)',
    fn: (x) => F.avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad: false, ceilMode: true }),
    inputs: (r) => [n64(r, [1, 1, 6, 5])],
  },
  {
    name: 'interpolate (nearest, size)',
    fn: (x) => F.interpolate(x, { size: [5, 7] }),
    inputs: (r) => [n64(r, [1, 2, 3, 3])],
  },
  {
    name: 'interpolate (nearest, scale 2)',
    fn: (x) => F.interpolate(x, { scaleFactor: 2, mode: 'nearest' }),
    inputs: (r) => [n64(r, [1, 1, 2, 3])],
  },
  {
    name: 'interpolate (bilinear)',
    fn: (x) => F.interpolate(x, { size: [5, 4], mode: 'bilinear' }),
    inputs: (r) => [n64(r, [1, 2, 3, 3])],
  },
  {
    name: 'interpolate (bilinear, alignCorners)',
    fn: (x) => F.interpolate(x, { size: [4, 7], mode: 'bilinear', alignCorners: true }),
    inputs: (r) => [n64(r, [2, 1, 3, 3])],
  },
  {
    name: 'interpolate (bilinear, scale 1.5)',
    fn: (x) => F.interpolate(x, { scaleFactor: 1.5, mode: 'bilinear' }),
    inputs: (r) => [n64(r, [1, 1, 3, 4])],
  },
  {
    name: 'interpolate (bicubic)',
    fn: (x) => F.interpolate(x, { size: [5, 5], mode: 'bicubic' }),
    inputs: (r) => [n64(r, [1, 1, 3, 3])],
  },
  {
    name: 'crossEntropy (index target)',
    fn: (x) => F.crossEntropy(x, longT([2, 0, 1, 2])),
    inputs: (r) => [n64(r, [4, 3])],
  },
  {
    name: 'crossEntropy (index target, weight, sum)',
    fn: (x, w) => F.crossEntropy(x, longT([2, 0, 1, 2]), { weight: w, reduction: 'sum' }),
    inputs: (r) => [n64(r, [4, 3]), u64(r, [3], 0.5, 2)],
    opts: { wrt: [true, false] },
  },
  {
    name: 'crossEntropy (index target, weighted mean, ignoreIndex)',
    fn: (x) =>
      F.crossEntropy(x, longT([2, -1, 1, 0]), {
        weight: torch.tensor(Float64Array.from([1, 2, 0.5])),
        ignoreIndex: -1,
      }),
    inputs: (r) => [n64(r, [4, 3])],
  },
  {
    name: 'crossEntropy (NCHW index target, none, labelSmoothing)',
    fn: (x) =>
      F.crossEntropy(x, longT([0, 2, 1, 1, 2, 0, 0, 1], [2, 2, 2]), {
        reduction: 'none',
        labelSmoothing: 0.1,
      }),
    inputs: (r) => [n64(r, [2, 3, 2, 2])],
  },
  {
    name: 'crossEntropy (soft target: input and target)',
    fn: (x, p) => F.crossEntropy(x, p),
    inputs: (r) => [n64(r, [3, 4]), u64(r, [3, 4], 0, 1)],
  },
  {
    name: 'crossEntropy (soft NCHW target, weight)',
    fn: (x, p) => F.crossEntropy(x, p, { weight: torch.tensor(Float64Array.from([0.3, 1, 2])) }),
    inputs: (r) => [n64(r, [2, 3, 2, 2]), u64(r, [2, 3, 2, 2], 0, 1)],
  },
  {
    name: 'nllLoss',
    fn: (x) => F.nllLoss(x, longT([1, 0, 2])),
    inputs: (r) => [n64(r, [3, 3])],
  },
  {
    name: 'nllLoss (weight, sum, ignoreIndex)',
    fn: (x) =>
      F.nllLoss(x, longT([1, 0, 2, 0]), {
        weight: torch.tensor(Float64Array.from([2, 1, 0.5])),
        reduction: 'sum',
        ignoreIndex: 0,
      }),
    inputs: (r) => [n64(r, [4, 3])],
  },
  {
    name: 'nllLoss (NCHW, none)',
    fn: (x) => F.nllLoss(x.logSoftmax(1), longT([0, 1, 1, 0], [1, 2, 2]), { reduction: 'none' }),
    inputs: (r) => [n64(r, [1, 2, 2, 2])],
  },
  {
    name: 'oneHot as float (no grad path) times input',
    fn: (x) =>
      F.oneHot(longT([0, 2, 1]), 3)
        .to('float64')
        .mul(x),
    inputs: (r) => [n64(r, [3, 3])],
  },
  {
    name: 'affineGrid',
    fn: (t) => F.affineGrid(t, [2, 1, 3, 4]),
    inputs: (r) => [n64(r, [2, 2, 3], 0.5)],
  },
  {
    name: 'affineGrid (alignCorners)',
    fn: (t) => F.affineGrid(t, [1, 3, 4, 2], true),
    inputs: (r) => [n64(r, [1, 2, 3], 0.5)],
  },
  {
    name: 'gridSample (bilinear, zeros: input and grid)',
    fn: (x, g) => F.gridSample(x, g),
    inputs: (r) => [n64(r, [1, 2, 4, 4]), u64(r, [1, 3, 3, 2], -1.1, 1.1)],
  },
  {
    name: 'gridSample (bilinear, border, alignCorners)',
    fn: (x, g) => F.gridSample(x, g, { paddingMode: 'border', alignCorners: true }),
    inputs: (r) => [n64(r, [2, 1, 3, 4]), u64(r, [2, 2, 3, 2], -1.2, 1.2)],
  },
  {
    name: 'gridSample (bilinear, reflection)',
    fn: (x, g) => F.gridSample(x, g, { paddingMode: 'reflection' }),
    inputs: (r) => [n64(r, [1, 1, 4, 4]), u64(r, [1, 3, 2, 2], -1.3, 1.3)],
  },
  {
    name: 'gridSample (nearest: input)',
    fn: (x, g) => F.gridSample(x, g, { mode: 'nearest' }),
    inputs: (r) => [n64(r, [1, 2, 4, 4]), u64(r, [1, 3, 3, 2], -0.9, 0.9)],
    opts: { wrt: [true, false] },
  },
  {
    name: 'gridSample (bicubic)',
    fn: (x, g) => F.gridSample(x, g, { mode: 'bicubic', alignCorners: true }),
    inputs: (r) => [n64(r, [1, 1, 4, 4]), u64(r, [1, 2, 2, 2], -0.9, 0.9)],
  },
  {
    name: 'affineGrid + gridSample (theta and input)',
    fn: (x, t) => F.gridSample(x, F.affineGrid(t, [1, 1, 3, 3])),
    inputs: (r) => [
      n64(r, [1, 1, 4, 4]),
      torch.tensor(Float64Array.from([0.9, 0.13, 0.07, -0.11, 1.05, 0.02]), [1, 2, 3]),
    ],
  },
];

describe('gradcheck: the checker itself', () => {
  it('catches a wrong gradient', () => {
    torch.tidy(() => {
      // d/da sum(w * a * stop(a)) is w * a for autograd but 2 w a numerically.
      assert.throws(
        () => gradcheck((a) => a.mul(a.detach()), [n64(rng(1), [3])]),
        /gradients differ: input 0/,
      );
    });
  });
  it('catches a graph with no gradient at all', () => {
    torch.tidy(() => {
      assert.throws(() => gradcheck((a) => a.mul(0), [n64(rng(2), [3])]), /every gradient is zero/);
    });
  });
  it('leaves its inputs unchanged and leaks no tensors', () => {
    const x = n64(rng(3), [4]);
    const before = x.toArray();
    const base = torch.memoryStats().liveTensors;
    gradcheck((a) => a.exp(), [x]);
    assert.equal(torch.memoryStats().liveTensors, base);
    assert.deepEqual(x.toArray(), before);
    assert.equal(x.requiresGrad, false);
    x.dispose();
  });
});

function run(cases: GradCase[], seed: number): void {
  cases.forEach((c, k) => {
    it(c.name, () => {
      torch.tidy(() => gradcheck(c.fn, c.inputs(rng(seed + k)), c.opts));
    });
  });
}

describe('gradcheck: elementwise', () => run(elementwise, 100));
describe('gradcheck: reductions and linear algebra', () => run(reductions, 200));
describe('gradcheck: views, indexing, joining, padding', () => run(shapes, 300));
describe('gradcheck: nn ops and losses', () => run(nn, 400));
