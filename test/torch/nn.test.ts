// torch.nn.functional ops (F): convolution, batch norm, activations, pooling, interpolation,
// softmax, one-hot, normalize, losses, affine grids and grid sampling, padding, checked against
// PyTorch's F.* on the same inputs.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as torch from '../../src/torch/index.js';
import { F } from '../../src/torch/index.js';
import {
  assertClose,
  assertTensor,
  longT,
  nums,
  parityTests,
  randintT,
  randnT,
  rng,
  uniformT,
  type ParityCase,
} from './helpers.js';

const r = rng(31);
const img = (n = 2, c = 3, h = 6, w = 7) => randnT(r, [n, c, h, w]);

const cases: ParityCase[] = [
  // ---- convolution ----
  {
    name: 'conv2d (bias)',
    inputs: () => ({ x: img(), w: randnT(r, [4, 3, 3, 3]), b: randnT(r, [4]) }),
    ours: ({ x, w, b }) => F.conv2d(x, w, b),
    py: 'F.conv2d(x, w, b)',
  },
  {
    name: 'conv2d (stride 2, padding 1)',
    inputs: () => ({ x: img(), w: randnT(r, [2, 3, 3, 3]) }),
    ours: ({ x, w }) => F.conv2d(x, w, null, { stride: 2, padding: 1 }),
    py: 'F.conv2d(x, w, stride=2, padding=1)',
  },
  {
    name: 'conv2d (stride [2, 1], dilation [1, 2], padding [2, 1])',
    inputs: () => ({ x: img(), w: randnT(r, [2, 3, 3, 3]) }),
    ours: ({ x, w }) => F.conv2d(x, w, null, { stride: [2, 1], dilation: [1, 2], padding: [2, 1] }),
    py: 'F.conv2d(x, w, stride=(2, 1), dilation=(1, 2), padding=(2, 1))',
  },
  {
    name: 'conv2d (groups 3)',
    inputs: () => ({ x: img(1, 3, 5, 5), w: randnT(r, [6, 1, 3, 3]), b: randnT(r, [6]) }),
    ours: ({ x, w, b }) => F.conv2d(x, w, b, { groups: 3, padding: 1 }),
    py: 'F.conv2d(x, w, b, groups=3, padding=1)',
  },
  {
    name: 'conv2d (asymmetric padding [left 0, right 1, top 2, bottom 0])',
    inputs: () => ({ x: img(), w: randnT(r, [2, 3, 3, 2]), b: randnT(r, [2]) }),
    ours: ({ x, w, b }) => F.conv2d(x, w, b, { padding: [0, 1, 2, 0] }),
    py: 'F.conv2d(F.pad(x, (0, 1, 2, 0)), w, b)',
  },
  {
    name: 'conv2d (asymmetric padding, stride 2, dilation 2)',
    inputs: () => ({ x: img(1, 3, 7, 8), w: randnT(r, [2, 3, 2, 3]) }),
    ours: ({ x, w }) => F.conv2d(x, w, null, { padding: [3, 0, 1, 2], stride: 2, dilation: 2 }),
    py: 'F.conv2d(F.pad(x, (3, 0, 1, 2)), w, stride=2, dilation=2)',
  },
  {
    name: 'conv2d (4-element symmetric padding [1, 1, 2, 2])',
    inputs: () => ({ x: img(), w: randnT(r, [2, 3, 3, 3]) }),
    ours: ({ x, w }) => F.conv2d(x, w, null, { padding: [1, 1, 2, 2] }),
    py: 'F.conv2d(x, w, padding=(2, 1))',
  },
  {
    name: "conv2d ('same', 2x2 kernel: pads bottom/right)",
    inputs: () => ({ x: img(), w: randnT(r, [4, 3, 2, 2]), b: randnT(r, [4]) }),
    ours: ({ x, w, b }) => F.conv2d(x, w, b, { padding: 'same' }),
    py: "F.conv2d(x, w, b, padding='same')",
  },
  {
    name: "conv2d ('same' 2x2 equals explicit [0, 1, 0, 1])",
    inputs: () => ({ x: img(), w: randnT(r, [4, 3, 2, 2]) }),
    ours: ({ x, w }) => F.conv2d(x, w, null, { padding: 'same' }),
    py: 'F.conv2d(F.pad(x, (0, 1, 0, 1)), w)',
  },
  {
    name: "conv2d ('same', 3x3 and 2x3 kernels, dilation 2)",
    inputs: () => ({ x: img(), w: randnT(r, [2, 3, 3, 3]), v: randnT(r, [2, 3, 2, 3]) }),
    ours: ({ x, w, v }) => [
      F.conv2d(x, w, null, { padding: 'same' }),
      F.conv2d(x, w, null, { padding: 'same', dilation: 2 }),
      F.conv2d(x, v, null, { padding: 'same' }),
      F.conv2d(x, v, null, { padding: 'same', dilation: [2, 1] }),
    ],
    py:
      "[F.conv2d(x, w, padding='same'), F.conv2d(x, w, padding='same', dilation=2), F.conv2d(x, v, padding='same'), " +
      "F.conv2d(x, v, padding='same', dilation=(2, 1))]",
  },
  {
    name: "conv2d ('valid')",
    inputs: () => ({ x: img(), w: randnT(r, [2, 3, 3, 3]) }),
    ours: ({ x, w }) => F.conv2d(x, w, null, { padding: 'valid' }),
    py: "F.conv2d(x, w, padding='valid')",
  },
  {
    name: 'conv2d (float64)',
    inputs: () => ({
      x: randnT(r, [1, 2, 4, 4], { dtype: 'float64' }),
      w: randnT(r, [3, 2, 3, 3], { dtype: 'float64' }),
    }),
    ours: ({ x, w }) => F.conv2d(x, w, null, { padding: 1 }),
    py: 'F.conv2d(x, w, padding=1)',
  },
  {
    name: 'convTranspose2d (stride 2, bias; padding and outputPadding; dilation)',
    inputs: () => ({
      x: img(1, 3, 4, 5),
      w: randnT(r, [3, 2, 2, 2]),
      b: randnT(r, [2]),
      v: randnT(r, [3, 2, 3, 3]),
    }),
    ours: ({ x, w, b, v }) => [
      F.convTranspose2d(x, w, b, { stride: 2 }),
      F.convTranspose2d(x, v, null, { stride: 2, padding: 1, outputPadding: 1 }),
      F.convTranspose2d(x, v, b, { dilation: 2 }),
    ],
    py:
      '[F.conv_transpose2d(x, w, b, stride=2), F.conv_transpose2d(x, v, stride=2, padding=1, output_padding=1), ' +
      'F.conv_transpose2d(x, v, b, dilation=2)]',
  },
  // ---- batch norm ----
  {
    name: 'batchNorm (training: output and running-stat update)',
    inputs: () => ({
      x: randnT(r, [4, 3, 2, 3], { scale: 2, shift: 1 }),
      w: randnT(r, [3]),
      b: randnT(r, [3]),
      rm: randnT(r, [3]),
      rv: uniformT(r, [3], 0.5, 2),
    }),
    ours: ({ x, w, b, rm, rv }) => {
      const m = rm.clone();
      const v = rv.clone();
      const y = F.batchNorm(x, {
        weight: w,
        bias: b,
        runningMean: m,
        runningVar: v,
        training: true,
      });
      const m2 = rm.clone();
      const v2 = rv.clone();
      const y2 = F.batchNorm(x, {
        runningMean: m2,
        runningVar: v2,
        training: true,
        momentum: 0.3,
        eps: 1e-3,
      });
      return [y, m, v, y2, m2, v2];
    },
    py:
      'm = rm.clone(); v = rv.clone()\ny = F.batch_norm(x, m, v, w, b, training=True)\n' +
      'm2 = rm.clone(); v2 = rv.clone()\ny2 = F.batch_norm(x, m2, v2, training=True, momentum=0.3, eps=1e-3)\n' +
      'out = [y, m, v, y2, m2, v2]',
  },
  {
    name: 'batchNorm (eval: running stats, unchanged)',
    inputs: () => ({
      x: randnT(r, [2, 3, 2, 2]),
      w: randnT(r, [3]),
      b: randnT(r, [3]),
      rm: randnT(r, [3]),
      rv: uniformT(r, [3], 0.5, 2),
    }),
    ours: ({ x, w, b, rm, rv }) => {
      const m = rm.clone();
      const v = rv.clone();
      return [F.batchNorm(x, { weight: w, bias: b, runningMean: m, runningVar: v }), m, v];
    },
    py: 'm = rm.clone(); v = rv.clone()\nout = [F.batch_norm(x, m, v, w, b, training=False), m, v]',
  },
  {
    name: 'batchNorm (training without running stats; 2-D input)',
    inputs: () => ({ x: randnT(r, [5, 3]) }),
    ours: ({ x }) => F.batchNorm(x, { training: true }),
    py: 'F.batch_norm(x, None, None, training=True)',
  },
  // ---- activations, dropout ----
  {
    name: 'relu, leakyRelu, dropout (eval, p = 0)',
    inputs: () => ({ x: img() }),
    ours: ({ x }) => [
      F.relu(x),
      F.leakyRelu(x),
      F.leakyRelu(x, 0.2),
      F.dropout(x, 0.5, false),
      F.dropout(x, 0, true),
    ],
    py: '[F.relu(x), F.leaky_relu(x), F.leaky_relu(x, 0.2), F.dropout(x, 0.5, False), F.dropout(x, 0.0, True)]',
  },
  // ---- pooling ----
  {
    name: 'maxPool2d (2; 3 stride 1 padding 1; ceil mode; dilation)',
    inputs: () => ({ x: img(2, 2, 7, 6) }),
    ours: ({ x }) => [
      F.maxPool2d(x, 2),
      F.maxPool2d(x, 3, { stride: 1, padding: 1 }),
      F.maxPool2d(x, 2, { ceilMode: true }),
      F.maxPool2d(x, [2, 3], { stride: [1, 2], dilation: [2, 1] }),
    ],
    py:
      '[F.max_pool2d(x, 2), F.max_pool2d(x, 3, stride=1, padding=1), F.max_pool2d(x, 2, ceil_mode=True), ' +
      'F.max_pool2d(x, (2, 3), stride=(1, 2), dilation=(2, 1))]',
  },
  {
    name: 'avgPool2d (2; padding without counting it; ceil mode)',
    inputs: () => ({ x: img(2, 2, 7, 6) }),
    ours: ({ x }) => [
      F.avgPool2d(x, 2),
      F.avgPool2d(x, 3, { stride: 2, padding: 1 }),
      F.avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad: false }),
      F.avgPool2d(x, 2, { ceilMode: true }),
    ],
    py:
      '[F.avg_pool2d(x, 2), F.avg_pool2d(x, 3, stride=2, padding=1), ' +
      'F.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False), F.avg_pool2d(x, 2, ceil_mode=True)]',
  },
  // ---- interpolation ----
  {
    name: 'interpolate nearest (size, scale 2, scale 1.5, downsample)',
    inputs: () => ({ x: img(1, 2, 5, 4) }),
    ours: ({ x }) => [
      F.interpolate(x, { size: [7, 9] }),
      F.interpolate(x, { scaleFactor: 2 }),
      F.interpolate(x, { scaleFactor: 1.5, mode: 'nearest' }),
      F.interpolate(x, { size: [3, 2] }),
      F.interpolate(x, { scaleFactor: 0.5 }),
      F.interpolate(x, { scaleFactor: 2.5 }),
    ],
    py:
      "[F.interpolate(x, size=(7, 9)), F.interpolate(x, scale_factor=2), F.interpolate(x, scale_factor=1.5, mode='nearest'), " +
      'F.interpolate(x, size=(3, 2)), F.interpolate(x, scale_factor=0.5), F.interpolate(x, scale_factor=2.5)]',
  },
  {
    name: 'interpolate bilinear (size, alignCorners, scale 1.5, downsample)',
    inputs: () => ({ x: img(1, 2, 5, 4) }),
    ours: ({ x }) => [
      F.interpolate(x, { size: [7, 9], mode: 'bilinear' }),
      F.interpolate(x, { size: [7, 9], mode: 'bilinear', alignCorners: true }),
      F.interpolate(x, { scaleFactor: 1.5, mode: 'bilinear' }),
      F.interpolate(x, { scaleFactor: 2, mode: 'bilinear' }),
      F.interpolate(x, { scaleFactor: 0.5, mode: 'bilinear' }),
      F.interpolate(x, { scaleFactor: 1.5, mode: 'bilinear', alignCorners: true }),
    ],
    py:
      "[F.interpolate(x, size=(7, 9), mode='bilinear'), F.interpolate(x, size=(7, 9), mode='bilinear', align_corners=True), " +
      "F.interpolate(x, scale_factor=1.5, mode='bilinear'), F.interpolate(x, scale_factor=2, mode='bilinear'), " +
      "F.interpolate(x, scale_factor=0.5, mode='bilinear'), F.interpolate(x, scale_factor=1.5, mode='bilinear', align_corners=True)]",
  },
  {
    name: 'interpolate bicubic',
    inputs: () => ({ x: img(1, 1, 4, 5) }),
    ours: ({ x }) => [
      F.interpolate(x, { size: [6, 8], mode: 'bicubic' }),
      F.interpolate(x, { size: [6, 8], mode: 'bicubic', alignCorners: true }),
    ],
    py: "[F.interpolate(x, size=(6, 8), mode='bicubic'), F.interpolate(x, size=(6, 8), mode='bicubic', align_corners=True)]",
  },
  // ---- softmax, one-hot, normalize ----
  {
    name: 'softmax/logSoftmax',
    inputs: () => ({ x: img() }),
    ours: ({ x }) => [F.softmax(x, 1), F.logSoftmax(x, 1), x.softmax(-1), x.logSoftmax(0)],
    py: '[F.softmax(x, 1), F.log_softmax(x, 1), x.softmax(-1), x.log_softmax(0)]',
  },
  {
    name: 'softmax of large logits is stable',
    inputs: () => ({ x: torch.tensor([1000, 1001, -1000, 0], [2, 2]) }),
    ours: ({ x }) => [x.softmax(1), x.logSoftmax(1), x.logsumexp(1)],
    py: '[x.softmax(1), x.log_softmax(1), x.logsumexp(1)]',
  },
  {
    name: 'oneHot (inferred and given class count, spatial labels)',
    inputs: () => ({ l: longT([0, 3, 1, 1]), s: randintT(r, [2, 3, 3], 0, 4) }),
    ours: ({ l, s }) => [
      F.oneHot(l),
      F.oneHot(l, 6),
      F.oneHot(s, 4),
      F.oneHot(s, 4).permute(0, 3, 1, 2),
    ],
    py: '[F.one_hot(l), F.one_hot(l, 6), F.one_hot(s, 4), F.one_hot(s, 4).permute(0, 3, 1, 2)]',
  },
  {
    name: 'normalize (dim 1, p = 1 dim 0, zero vectors, eps)',
    inputs: () => ({ x: img(), z: torch.tensor([0, 0, 3, 4, 1e-14, 0], [3, 2]) }),
    ours: ({ x, z }) => [
      F.normalize(x),
      F.normalize(x, { p: 1, dim: 0 }),
      F.normalize(z),
      F.normalize(z, { eps: 0.1 }),
    ],
    py: '[F.normalize(x), F.normalize(x, p=1, dim=0), F.normalize(z), F.normalize(z, eps=0.1)]',
  },
  // ---- losses ----
  {
    name: 'crossEntropy (index targets: mean, sum, none)',
    inputs: () => ({ x: randnT(r, [5, 4]), t: longT([3, 0, 1, 3, 2]) }),
    ours: ({ x, t }) => [
      F.crossEntropy(x, t),
      F.crossEntropy(x, t, { reduction: 'sum' }),
      F.crossEntropy(x, t, { reduction: 'none' }),
    ],
    py: "[F.cross_entropy(x, t), F.cross_entropy(x, t, reduction='sum'), F.cross_entropy(x, t, reduction='none')]",
  },
  {
    name: 'crossEntropy (index targets: weights, ignoreIndex, labelSmoothing)',
    inputs: () => ({
      x: randnT(r, [6, 3]),
      t: longT([2, 0, 255, 1, 2, 255]),
      d: longT([2, -100, 0, 1, -100, 1]),
      w: uniformT(r, [3], 0.2, 2),
    }),
    ours: ({ x, t, d, w }) => [
      F.crossEntropy(x, t, { weight: w, ignoreIndex: 255 }),
      F.crossEntropy(x, t, { ignoreIndex: 255, reduction: 'none' }),
      F.crossEntropy(x, d),
      F.crossEntropy(x, d, { weight: w, reduction: 'sum' }),
      F.crossEntropy(x, d, { labelSmoothing: 0.2, weight: w }),
      F.crossEntropy(x, t, { labelSmoothing: 0.1, ignoreIndex: 255, reduction: 'none' }),
    ],
    py:
      "[F.cross_entropy(x, t, weight=w, ignore_index=255), F.cross_entropy(x, t, ignore_index=255, reduction='none'), " +
      "F.cross_entropy(x, d), F.cross_entropy(x, d, weight=w, reduction='sum'), " +
      'F.cross_entropy(x, d, label_smoothing=0.2, weight=w), ' +
      "F.cross_entropy(x, t, label_smoothing=0.1, ignore_index=255, reduction='none')]",
  },
  {
    name: 'crossEntropy (NCHW index targets, weights)',
    inputs: () => ({
      x: img(2, 4, 3, 3),
      t: randintT(r, [2, 3, 3], 0, 4),
      w: uniformT(r, [4], 0.2, 2),
    }),
    ours: ({ x, t, w }) => [
      F.crossEntropy(x, t),
      F.crossEntropy(x, t, { weight: w, reduction: 'none' }),
    ],
    py: "[F.cross_entropy(x, t), F.cross_entropy(x, t, weight=w, reduction='none')]",
  },
  {
    name: 'crossEntropy (soft probability targets, weights, smoothing, NCHW)',
    inputs: () => ({
      x: randnT(r, [5, 4]),
      p: randnT(r, [5, 4]).softmax(1),
      y: img(2, 3, 2, 2),
      q: img(2, 3, 2, 2).softmax(1),
      w: uniformT(r, [4], 0.2, 2),
    }),
    ours: ({ x, p, y, q, w }) => [
      F.crossEntropy(x, p),
      F.crossEntropy(x, p, { weight: w }),
      F.crossEntropy(x, p, { reduction: 'none', labelSmoothing: 0.1 }),
      F.crossEntropy(y, q),
      F.crossEntropy(y, q, { reduction: 'sum' }),
    ],
    py:
      "[F.cross_entropy(x, p), F.cross_entropy(x, p, weight=w), F.cross_entropy(x, p, reduction='none', label_smoothing=0.1), " +
      "F.cross_entropy(y, q), F.cross_entropy(y, q, reduction='sum')]",
  },
  {
    name: 'nllLoss (mean, weights, ignoreIndex, NCHW, none)',
    inputs: () => ({
      x: randnT(r, [5, 3]).logSoftmax(1),
      t: longT([2, 0, 1, 1, 0]),
      w: uniformT(r, [3], 0.2, 2),
      y: img(2, 3, 2, 2).logSoftmax(1),
      s: randintT(r, [2, 2, 2], 0, 3),
    }),
    ours: ({ x, t, w, y, s }) => [
      F.nllLoss(x, t),
      F.nllLoss(x, t, { weight: w }),
      F.nllLoss(x, t, { ignoreIndex: 1, reduction: 'sum' }),
      F.nllLoss(y, s),
      F.nllLoss(y, s, { reduction: 'none', weight: w }),
    ],
    py:
      "[F.nll_loss(x, t), F.nll_loss(x, t, weight=w), F.nll_loss(x, t, ignore_index=1, reduction='sum'), F.nll_loss(y, s), " +
      "F.nll_loss(y, s, reduction='none', weight=w)]",
  },
  // ---- spatial transforms ----
  {
    name: 'affineGrid (alignCorners false and true)',
    inputs: () => ({ th: randnT(r, [2, 2, 3], { scale: 0.5 }) }),
    ours: ({ th }) => [F.affineGrid(th, [2, 1, 4, 5]), F.affineGrid(th, [2, 3, 3, 2], true)],
    py: '[F.affine_grid(th, (2, 1, 4, 5), align_corners=False), F.affine_grid(th, (2, 3, 3, 2), align_corners=True)]',
  },
  {
    name: 'gridSample (every mode, padding mode and alignCorners)',
    inputs: () => ({ x: img(2, 2, 5, 6), g: uniformT(r, [2, 4, 3, 2], -1.3, 1.3) }),
    ours: ({ x, g }) => {
      const out = [];
      for (const mode of ['bilinear', 'nearest', 'bicubic'] as const)
        for (const paddingMode of ['zeros', 'border', 'reflection'] as const)
          for (const alignCorners of [false, true])
            out.push(F.gridSample(x, g, { mode, paddingMode, alignCorners }));
      return out;
    },
    py:
      "out = [F.grid_sample(x, g, mode=m, padding_mode=p, align_corners=a) for m in ['bilinear', 'nearest', 'bicubic'] " +
      "for p in ['zeros', 'border', 'reflection'] for a in [False, True]]",
  },
  {
    name: 'gridSample with the identity affineGrid reproduces the input',
    inputs: () => ({ x: img(1, 2, 4, 5), th: torch.tensor([1, 0, 0, 0, 1, 0], [1, 2, 3]) }),
    ours: ({ x, th }) => [F.gridSample(x, F.affineGrid(th, [1, 2, 4, 5])), x],
    py: 'out = [F.grid_sample(x, F.affine_grid(th, (1, 2, 4, 5), align_corners=False), align_corners=False), x]',
  },
  // ---- padding ----
  {
    name: 'pad (constant with value, negative, reflect, replicate)',
    inputs: () => ({ x: img(1, 2, 4, 5) }),
    ours: ({ x }) => [
      F.pad(x, [1, 2]),
      F.pad(x, [1, 0, 2, 3], 'constant', -1.5),
      F.pad(x, [0, 0, 0, 0, 1, 1]),
      F.pad(x, [-1, 1, 0, -2]),
      F.pad(x, [2, 1, 3, 0], 'reflect'),
      F.pad(x, [2, 1, 3, 0], 'replicate'),
    ],
    py:
      '[F.pad(x, (1, 2)), F.pad(x, (1, 0, 2, 3), value=-1.5), F.pad(x, (0, 0, 0, 0, 1, 1)), F.pad(x, (-1, 1, 0, -2)), ' +
      "F.pad(x, (2, 1, 3, 0), mode='reflect'), F.pad(x, (2, 1, 3, 0), mode='replicate')]",
  },
];

describe('nn functional: values against PyTorch', () => {
  parityTests(cases, { before, it });
});

describe('nn functional: semantics', () => {
  it("'same' with a 2x2 kernel pads one row at the bottom and one column at the right", () => {
    torch.tidy(() => {
      // A kernel that picks the bottom-right tap: out[i, j] = x[i + 1, j + 1] (0 beyond the edge).
      const x = torch.arange(1, 10, 1, { dtype: 'float32' }).reshape(1, 1, 3, 3);
      const w = torch.tensor([0, 0, 0, 1], [1, 1, 2, 2]);
      assertTensor(
        F.conv2d(x, w, null, { padding: 'same' }),
        [1, 1, 3, 3],
        [5, 6, 0, 8, 9, 0, 0, 0, 0],
      );
      // And the top-left tap sees the pixel itself.
      const w2 = torch.tensor([1, 0, 0, 0], [1, 1, 2, 2]);
      assertTensor(F.conv2d(x, w2, null, { padding: 'same' }), [1, 1, 3, 3], nums(x));
    });
  });
  it('batchNorm training updates running stats with momentum and the unbiased variance', () => {
    torch.tidy(() => {
      const x = torch.tensor([1, 2, 3, 6], [4, 1]);
      const m = torch.zeros([1]);
      const v = torch.ones([1]);
      F.batchNorm(x, { runningMean: m, runningVar: v, training: true, momentum: 0.5 });
      // mean 3, unbiased var (4 + 1 + 0 + 9) / 3 = 14/3
      assertClose(nums(m), [1.5]);
      assertClose(nums(v), [0.5 + 0.5 * (14 / 3)]);
      const y = F.batchNorm(x, { runningMean: m, runningVar: v });
      assertClose(
        nums(y),
        [1, 2, 3, 6].map((e) => (e - 1.5) / Math.sqrt(0.5 + (0.5 * 14) / 3 + 1e-5)),
      );
    });
  });
  it('dropout in training zeroes about p of the elements and rescales the rest by 1/(1 - p)', () => {
    torch.tidy(() => {
      torch.manualSeed(5);
      const y = nums(F.dropout(torch.ones([4000]), 0.25, true));
      const zeros = y.filter((e) => e === 0).length / y.length;
      assert.ok(Math.abs(zeros - 0.25) < 0.03, `zero fraction ${zeros}`);
      assert.ok(y.every((e) => e === 0 || Math.abs(e - 4 / 3) < 1e-6));
    });
  });
  it('interpolate needs a size or a scale factor, and a 4-D input', () => {
    torch.tidy(() => {
      assert.throws(
        () => F.interpolate(torch.zeros([1, 1, 2, 2]), {}),
        /interpolate: give size or scaleFactor/,
      );
      assert.throws(
        () => F.interpolate(torch.zeros([2, 2]), { size: 3 }),
        /interpolate: expected a 4-D/,
      );
    });
  });
});
