// Misuse of the engine that must throw a JavaScript Error (never abort the process): shape and
// dtype mismatches, out-of-range indices and dims, and wrong argument types. Shared by
// errors.test.ts, which runs them in-process and in a child process.
import * as torch from '../../src/torch/index.js';
import { F, type Tensor } from '../../src/torch/index.js';

export interface ErrorCase {
  name: string;
  run: () => unknown;
  /** The message must match this (it names the op, and for tensor errors the shapes). */
  message: RegExp;
  /** TypeError for argument misuse, Error otherwise (default). */
  type?: 'TypeError' | 'RangeError';
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const bad = (v: unknown): any => v;
const z = (...shape: number[]): Tensor => torch.zeros(shape);
const L = (values: number[], shape?: number[]): Tensor =>
  torch.tensor(values, shape, { dtype: 'int64' });

export const errorCases: ErrorCase[] = [
  // ---- shapes ----
  {
    name: 'add: broadcast mismatch',
    run: () => z(2, 3).add(z(4)),
    message:
      /^add: The size of tensor a \(3\) must match the size of tensor b \(4\).*\(arg0: float32\[2, 3\], arg1: float32\[4\]\)$/s,
  },
  {
    name: 'matmul: inner sizes differ',
    run: () => z(2, 3).matmul(z(2, 3)),
    message:
      /^matmul: mat1 and mat2 shapes cannot be multiplied \(2x3 and 2x3\) \(arg0: float32\[2, 3\], arg1: float32\[2, 3\]\)$/,
  },
  {
    name: 'cat: sizes differ (the list shapes are named)',
    run: () => torch.cat([z(2, 3), z(2, 4)], 0),
    message: /^cat: Sizes of tensors must match.*\(arg0: \[float32\[2, 3\], float32\[2, 4\]\]\)$/s,
  },
  { name: 'cat: empty list', run: () => torch.cat([]), message: /^cat: .*non-empty/ },
  {
    name: 'stack: shapes differ',
    run: () => torch.stack([z(2), z(3)]),
    message: /^stack: stack expects each tensor to be equal size.*\[float32\[2\], float32\[3\]\]/s,
  },
  {
    name: 'reshape: wrong element count',
    run: () => z(2, 3).reshape(4, 4),
    message: /^reshape: shape '\[4, 4\]' is invalid for input of size 6 \(arg0: float32\[2, 3\]\)$/,
  },
  {
    name: 'view: non-contiguous',
    run: () => z(2, 3).transpose(0, 1).view(6),
    message: /^view: view size is not compatible.*float32\[3, 2\]/s,
  },
  {
    name: 'expand: incompatible',
    run: () => z(2, 3).expand(4, 3),
    message: /^expand: The expanded size of the tensor \(4\) must match.*float32\[2, 3\]/s,
  },
  {
    name: 'conv2d: channel mismatch',
    run: () => F.conv2d(z(1, 3, 5, 5), z(4, 2, 3, 3)),
    message:
      /^conv2d: Given groups=1, weight of size \[4, 2, 3, 3\], expected input\[1, 3, 5, 5\] to have 2 channels, but got 3 channels instead/,
  },
  {
    name: 'conv2d: kernel larger than the input',
    run: () => F.conv2d(z(1, 1, 2, 2), z(1, 1, 3, 3)),
    message:
      /^conv2d: .*Kernel size can't be greater than actual input size.*float32\[1, 1, 2, 2\]/s,
  },
  {
    name: 'conv2d: 3-D weight',
    run: () => F.conv2d(z(1, 1, 4, 4), z(1, 3, 3)),
    message: /^conv2d: .*float32\[1, 3, 3\]/s,
  },
  {
    name: 'batchNorm: running stats of the wrong size',
    run: () => F.batchNorm(z(2, 3, 2, 2), { runningMean: z(2), runningVar: z(2), training: true }),
    message: /^batchNorm: running_mean should contain 3 elements not 2/,
  },
  {
    name: 'maskedFill: mask shape',
    run: () => z(2, 3).maskedFill(torch.tensor([true, false]), 1),
    message:
      /^maskedFill: The size of tensor a \(2\) must match the size of tensor b \(3\).*\(arg0: float32\[2, 3\], arg1: bool\[2\]\)$/s,
  },
  {
    name: 'where: shapes',
    run: () => torch.where(torch.tensor([true, false]), z(3), 0),
    message: /^where: The size of tensor a \(2\) must match.*float32\[3\]/s,
  },
  {
    name: 'gridSample: batch sizes differ',
    run: () => F.gridSample(z(2, 1, 4, 4), z(1, 3, 3, 2)),
    message:
      /^gridSample: grid_sampler\(\): expected grid and input to have same batch size.*float32\[2, 1, 4, 4\].*float32\[1, 3, 3, 2\]/s,
  },
  {
    name: 'affineGrid: theta shape',
    run: () => F.affineGrid(z(1, 3, 3), [1, 1, 4, 4]),
    message: /^affineGrid: .*float32\[1, 3, 3\]/s,
  },
  {
    name: 'crossEntropy: index target of another batch size',
    run: () => F.crossEntropy(z(4, 3), L([0, 1, 2])),
    message:
      /^crossEntropy: Expected input batch_size \(4\) to match target batch_size \(3\).*float32\[4, 3\].*int64\[3\]/s,
  },
  {
    name: 'crossEntropy: float target of the wrong shape',
    run: () => F.crossEntropy(z(2, 3), z(2, 4)),
    message:
      /^crossEntropy: probability targets \(float32\) must have the input's shape \[2, 3\], got \[2, 4\]$/,
  },
  {
    name: 'split: sizes do not add up',
    run: () => z(5).split([2, 2]),
    message: /^split: split_with_sizes expects split_sizes to sum exactly to 5.*float32\[5\]/s,
  },
  {
    name: 'tensor: array length and shape disagree',
    run: () => torch.tensor(new Float32Array(5), [2, 3]),
    message: /^fromBuffer: shape \[2, 3\] of float32 needs 24 bytes but the array holds 20$/,
  },
  {
    name: 'backward: non-scalar without a gradient',
    run: () => z(3).requiresGrad_().mul(2).backward(),
    message: /^backward: grad can be implicitly created only for scalar outputs/,
  },
  {
    name: 'item: several elements',
    run: () => z(2).item(),
    message: /^item: a tensor with 2 elements cannot be converted to a number/,
  },
  // ---- dtypes ----
  {
    name: 'conv2d: int64 weight',
    run: () => F.conv2d(z(1, 1, 4, 4), torch.ones([1, 1, 2, 2], { dtype: 'int64' })),
    message:
      /^conv2d: expected scalar type Float but found Long \(arg0: float32\[1, 1, 4, 4\], arg1: int64\[1, 1, 2, 2\]\)$/,
  },
  {
    name: 'conv2d: float64 input with float32 weight',
    run: () => F.conv2d(torch.zeros([1, 1, 4, 4], { dtype: 'float64' }), z(1, 1, 2, 2)),
    message: /^conv2d: .*(Double|Float).*float64\[1, 1, 4, 4\].*float32\[1, 1, 2, 2\]/s,
  },
  {
    name: 'matmul: float32 with float64',
    run: () => z(2, 2).matmul(torch.zeros([2, 2], { dtype: 'float64' })),
    message: /^matmul: expected .*(Double|Float).*float64\[2, 2\]/s,
  },
  {
    name: 'indexSelect: float index',
    run: () => z(3).indexSelect(0, z(2)),
    message:
      /^indexSelect: index_select\(\): Expected dtype int32 or int64 for index \(arg0: float32\[3\], arg2: float32\[2\]\)$/,
  },
  {
    name: 'gather: int32 index',
    run: () => z(2, 3).gather(1, torch.zeros([2, 3], { dtype: 'int32' })),
    message: /^gather: gather\(\): Expected dtype int64 for index.*int32\[2, 3\]/s,
  },
  {
    name: 'oneHot: float labels',
    run: () => F.oneHot(z(3), 4),
    message: /^oneHot: one_hot is only applicable to index tensor.*float32\[3\]/s,
  },
  {
    name: 'maskedFill_: float mask',
    run: () => z(3).maskedFill_(z(3), 1),
    message: /^maskedFill_: the mask must be bool, got float32/,
  },
  {
    name: 'maskedFill: float mask',
    run: () => z(3).maskedFill(z(3), 1),
    message:
      /^maskedFill: the mask must be bool, got float32 \(arg0: float32\[3\], arg1: float32\[3\]\)$/,
  },
  {
    name: 'nllLoss: int32 target',
    run: () => F.nllLoss(z(2, 3), torch.zeros([2], { dtype: 'int32' })),
    message: /^nllLoss: .*(Long|Int).*int32\[2\]/s,
  },
  {
    name: 'mean: int64 input',
    run: () => L([1, 2]).mean(),
    message: /^mean: mean\(\): could not infer output dtype.*Long.*int64\[2\]/s,
  },
  {
    name: 'sqrt_: in place on int64',
    run: () => L([1, 4]).sqrt_(),
    message: /^sqrt_: result type Float can't be cast to the desired output type Long/,
  },
  {
    name: 'add_: float into int64 in place',
    run: () => L([1, 2]).add_(z(2)),
    message: /^add_: result type Float can't be cast to the desired output type Long/,
  },
  {
    name: 'zeros: unknown dtype',
    run: () => torch.zeros([2], { dtype: bad('float128') }),
    message: /^zeros: unknown dtype 'float128'$/,
  },
  {
    name: 'to: unknown dtype',
    run: () => z(2).to(bad('complex7')),
    message: /^to: unknown dtype 'complex7'/,
  },
  // ---- out-of-range indices and dims ----
  {
    name: 'indexSelect: index out of range',
    run: () => z(2, 3).indexSelect(0, L([5])),
    message:
      /^indexSelect: index out of range in self \(arg0: float32\[2, 3\], arg2: int64\[1\]\)$/,
  },
  {
    name: 'indexSelect: negative index',
    run: () => z(2, 3).indexSelect(1, L([-1])),
    message: /^indexSelect: .*out of .*bounds.*-1.*\(arg0: float32\[2, 3\], arg2: int64\[1\]\)$/s,
  },
  {
    name: 'gather: index out of range',
    run: () => z(2, 3).gather(1, L([5, 0, 0, 0, 0, 0], [2, 3])),
    message:
      /^gather: index 5 is out of bounds for dimension 1 with size 3 \(arg0: float32\[2, 3\], arg2: int64\[2, 3\]\)$/,
  },
  {
    name: 'scatter: index out of range',
    run: () => z(2, 3).scatter(1, L([3], [1, 1]), 1),
    message: /^scatter: index 3 is out of bounds for dimension 1 with size 3/,
  },
  {
    name: 'indexPut: index out of range',
    run: () => z(3, 2).indexPut(L([9]), z(1, 2)),
    message: /^indexPut: index 9 is out of bounds for dimension 0 with size 3/,
  },
  {
    name: 'select: index out of range',
    run: () => z(2, 3).select(0, 5),
    message:
      /^select: select\(\): index 5 out of range for tensor of size \[2, 3\] at dimension 0 \(arg0: float32\[2, 3\]\)$/,
  },
  {
    name: 'slice: dim out of range',
    run: () => z(2, 3).slice(5, 0, 1),
    message:
      /^slice: Dimension out of range \(expected to be in range of \[-2, 1\], but got 5\) \(arg0: float32\[2, 3\]\)$/,
  },
  {
    name: 'slice: step 0',
    run: () => z(4).slice(0, 0, 4, 0),
    message: /^slice: .*step.*float32\[4\]/s,
  },
  {
    name: 'narrow: beyond the end',
    run: () => z(4).narrow(0, 3, 2),
    message: /^narrow: start \(3\) \+ length \(2\) exceeds dimension size \(4\)/,
  },
  {
    name: 'sum: dim out of range',
    run: () => z(2, 3).sum(2),
    message: /^sum: Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)/,
  },
  {
    name: 'softmax: dim out of range',
    run: () => z(2, 3).softmax(-3),
    message: /^softmax: Dimension out of range/,
  },
  {
    name: 'transpose: dim out of range',
    run: () => z(2, 3).transpose(0, 2),
    message: /^transpose: Dimension out of range/,
  },
  {
    name: 'permute: wrong number of dims',
    run: () => z(2, 3).permute(0),
    message:
      /^permute: .*number of dimensions in the tensor input does not match the length of the desired ordering.*float32\[2, 3\]/s,
  },
  {
    name: 'max: dim out of range',
    run: () => z(2, 3).max(3),
    message: /^max: Dimension out of range/,
  },
  {
    name: 'nllLoss: target out of range',
    run: () => F.nllLoss(z(2, 3), L([0, 7])),
    message: /^nllLoss: Target 7 is out of bounds/,
  },
  {
    name: 'crossEntropy: class index out of range',
    run: () => F.crossEntropy(z(2, 3), L([3, 0])),
    message: /^crossEntropy: Target 3 is out of bounds/,
  },
  {
    name: 'oneHot: class beyond numClasses',
    run: () => F.oneHot(L([0, 4]), 3),
    message: /^oneHot: Class values must be smaller than num_classes/,
  },
  {
    name: 'zeros: negative dimension',
    run: () => torch.zeros([2, -1]),
    message: /^zeros: Trying to create tensor with negative dimension -1/,
  },
  {
    name: 'size: dim out of range (JavaScript side)',
    run: () => z(2).size(1),
    message: /^size: dim 1 out of range for shape \[2\]$/,
    type: 'RangeError',
  },
  {
    name: 'setNumThreads: zero threads',
    run: () => torch.setNumThreads(0),
    message: /^setNumThreads: .*(positive|> 0|greater)/,
  },
  { name: 'cuda: no CUDA in this build', run: () => z(2).cuda(), message: /^to: .*(CUDA|cuda)/ },
  // ---- wrong argument types ----
  {
    name: 'matmul: a string for a tensor',
    run: () => z(2, 2).matmul(bad('abc')),
    message: /^matmul: argument 1 is not a Tensor$/,
    type: 'TypeError',
  },
  {
    name: 'add: a string for a tensor or number',
    run: () => z(2).add(bad('abc')),
    message: /^add: argument 1 is not a Tensor or a number$/,
    type: 'TypeError',
  },
  {
    name: 'add: an object for a tensor or number',
    run: () => z(2).add(bad({ shape: [2] })),
    message: /^add: argument 1 is not a Tensor or a number$/,
    type: 'TypeError',
  },
  {
    name: 'conv2d: a string weight',
    run: () => F.conv2d(z(1, 1, 3, 3), bad('w')),
    message: /^conv2d: argument 1 is not a Tensor$/,
    type: 'TypeError',
  },
  {
    name: 'cat: a string in the list',
    run: () => torch.cat([z(2), bad('y')]),
    message: /^cat: argument 0\[1\] is not a Tensor$/,
    type: 'TypeError',
  },
  {
    name: 'indexSelect: a number array for the index',
    run: () => z(3).indexSelect(0, bad([1, 2])),
    message: /^indexSelect: argument 2 is not a Tensor$/,
    type: 'TypeError',
  },
  {
    name: 'reshape: a string size',
    run: () => z(4).reshape(bad('a')),
    message: /^reshape: argument 1\[0\] is not a number$/,
    type: 'TypeError',
  },
  {
    name: 'reshape: a fractional size',
    run: () => z(4).reshape(2.5, 2),
    message: /^reshape: argument 1\[0\] must be an integer, got 2\.5/,
    type: 'TypeError',
  },
  {
    name: 'reshape: NaN size',
    run: () => z(4).reshape(Number.NaN),
    message: /^reshape: argument 1\[0\] must be an integer/,
    type: 'TypeError',
  },
  {
    name: 'select: a fractional index',
    run: () => z(4).select(0, 1.5),
    message: /^select: argument 2 must be an integer/,
    type: 'TypeError',
  },
  {
    name: 'sum: a string dim',
    run: () => z(4).sum(bad('a')),
    message: /^sum: argument 1 is not an array of integers$/,
    type: 'TypeError',
  },
  {
    name: 'slice: a string start',
    run: () => z(4).slice(0, bad('a')),
    message: /^slice: argument 2 is not a number$/,
    type: 'TypeError',
  },
  {
    name: 'maskedFill: a string value',
    run: () => z(2).maskedFill(torch.tensor([true, false]), bad('x')),
    message: /^maskedFill: argument 2 is not a number$/,
    type: 'TypeError',
  },
  {
    name: 'zeros: a string shape',
    run: () => torch.zeros(bad('abc')),
    message: /^zeros: argument 0 is not an array of integers$/,
    type: 'TypeError',
  },
  {
    name: 'tensor: a string for the data',
    run: () => torch.tensor(bad('abc')),
    message: /^fromBuffer: argument 0 is not a typed array$/,
    type: 'TypeError',
  },
  {
    name: 'requiresGrad_: a string flag',
    run: () => z(2).requiresGrad_(bad('yes')),
    message: /^setRequiresGrad: argument 1 is not a boolean$/,
    type: 'TypeError',
  },
  {
    name: 'manualSeed: a string seed',
    run: () => torch.manualSeed(bad('1')),
    message: /^manualSeed: argument 0 is not a number$/,
    type: 'TypeError',
  },
];

/** Runs every case inside tidy; returns the cases that did not throw as expected. */
export function runErrorCases(): { name: string; problem: string }[] {
  const failures: { name: string; problem: string }[] = [];
  for (const c of errorCases) {
    try {
      torch.tidy(() => {
        c.run();
      });
      failures.push({ name: c.name, problem: 'did not throw' });
    } catch (e) {
      const err = e as Error;
      const want = c.type ?? 'Error';
      if (!(err instanceof Error))
        failures.push({ name: c.name, problem: `threw a non-Error ${String(e)}` });
      else if (err.constructor.name !== want)
        failures.push({ name: c.name, problem: `threw ${err.constructor.name}: ${err.message}` });
      else if (!c.message.test(err.message))
        failures.push({ name: c.name, problem: `message: ${err.message}` });
    }
  }
  return failures;
}
