import { native, type NativeTensor } from './native.js';
import { setTensorCheck, track } from './scope.js';
import { type AnyTypedArray, type DType, type Device, viewAs } from './dtype.js';

/** A number or a tensor, for binary ops (PyTorch's Tensor-or-Scalar overloads). */
export type TensorLike = Tensor | number;

function h(x: TensorLike): NativeTensor | number {
  return typeof x === 'number' ? x : x.handle;
}

/**
 * A multi-dimensional array on the LibTorch engine, with PyTorch's semantics (broadcasting, dtype
 * promotion, autograd). Method names are PyTorch's in camelCase; in-place ops end in `_`.
 *
 * Memory: the native buffer is released by `dispose()`, by the enclosing `tidy` scope, or by `using`
 * declarations; garbage collection is only a backstop. A disposed tensor throws when used.
 */
export class Tensor {
  /** @internal The native handle. */
  readonly handle: NativeTensor;

  /** @internal Use the creation functions (zeros, tensor, fromArray ...) instead. */
  constructor(handle: NativeTensor) {
    this.handle = handle;
    track(this);
  }

  // ---- properties ------------------------------------------------------------------------------
  get shape(): number[] {
    return this.handle.shape;
  }
  get dtype(): DType {
    return this.handle.dtype as DType;
  }
  get device(): Device {
    return this.handle.device;
  }
  get ndim(): number {
    return this.handle.shape.length;
  }
  get numel(): number {
    return this.handle.shape.reduce((a, b) => a * b, 1);
  }
  get isDisposed(): boolean {
    return this.handle.disposed;
  }
  size(dim: number): number {
    const s = this.shape;
    const d = dim < 0 ? dim + s.length : dim;
    if (d < 0 || d >= s.length)
      throw new RangeError(`size: dim ${dim} out of range for shape [${s}]`);
    return s[d];
  }

  /** Releases the native memory now (autograd keeps what it saved for backward). Idempotent. */
  dispose(): void {
    this.handle.dispose();
  }
  [Symbol.dispose](): void {
    this.dispose();
  }

  // ---- data ------------------------------------------------------------------------------------
  /**
   * The elements as a typed array (float16 as raw uint16 bits). With `copy: false` a contiguous CPU
   * tensor's memory is shared, like `Tensor.numpy()`: later in-place ops show through.
   */
  data(opts: { copy?: boolean } = {}): AnyTypedArray {
    return viewAs(this.dtype, native.op_toBuffer(this.handle, opts.copy ?? true));
  }
  /** The elements as a plain number array (int64 converted to numbers). */
  toArray(): number[] {
    const d = this.data();
    return Array.from(d as ArrayLike<number | bigint>, Number);
  }
  /** The value of a one-element tensor. */
  item(): number {
    return native.op_item(this.handle);
  }
  toString(): string {
    return native.op_toString(this.handle);
  }

  // ---- conversion --------------------------------------------------------------------------------
  to(dtype: DType | null, device?: Device): Tensor {
    return wrap(native.op_to(this.handle, dtype ?? undefined, device));
  }
  float(): Tensor {
    return this.to('float32');
  }
  long(): Tensor {
    return this.to('int64');
  }
  cpu(): Tensor {
    return this.to(null, 'cpu');
  }
  cuda(index = 0): Tensor {
    return this.to(null, `cuda:${index}`);
  }
  clone(): Tensor {
    return wrap(native.op_clone(this.handle));
  }
  contiguous(): Tensor {
    return wrap(native.op_contiguous(this.handle));
  }
  isContiguous(): boolean {
    return native.op_isContiguous(this.handle);
  }

  // ---- autograd ----------------------------------------------------------------------------------
  get requiresGrad(): boolean {
    return native.op_requiresGrad(this.handle);
  }
  /** Marks the tensor as requiring gradients (in place); returns this. */
  requiresGrad_(flag = true): this {
    native.op_setRequiresGrad(this.handle, flag);
    return this;
  }
  get isLeaf(): boolean {
    return native.op_isLeaf(this.handle);
  }
  /** The accumulated gradient (a new handle on it each time), or null. */
  get grad(): Tensor | null {
    const g = native.op_grad(this.handle);
    return g === null ? null : wrap(g);
  }
  set grad(g: Tensor | null) {
    native.op_setGrad(this.handle, g?.handle);
  }
  backward(gradient?: Tensor, retainGraph = false): void {
    native.op_backward(this.handle, gradient?.handle, retainGraph);
  }
  detach(): Tensor {
    return wrap(native.op_detach(this.handle));
  }
  /**
   * Replaces this tensor's data by `src`'s (PyTorch's `t.data = src`), keeping its identity, its
   * requires-grad flag and the handles that refer to it; used to move parameters between devices.
   */
  setData_(src: Tensor): this {
    native.op_setData(this.handle, src.handle);
    return this;
  }

  // ---- views -------------------------------------------------------------------------------------
  reshape(...shape: number[]): Tensor {
    return wrap(native.op_reshape(this.handle, shape));
  }
  view(...shape: number[]): Tensor {
    return wrap(native.op_view(this.handle, shape));
  }
  permute(...dims: number[]): Tensor {
    return wrap(native.op_permute(this.handle, dims));
  }
  transpose(dim0: number, dim1: number): Tensor {
    return wrap(native.op_transpose(this.handle, dim0, dim1));
  }
  /** Python's `t[..., start:end:step, ...]` along one dimension (end exclusive, may be negative). */
  slice(dim: number, start?: number, end?: number, step = 1): Tensor {
    return wrap(native.op_slice(this.handle, dim, start, end, step));
  }
  select(dim: number, index: number): Tensor {
    return wrap(native.op_select(this.handle, dim, index));
  }
  narrow(dim: number, start: number, length: number): Tensor {
    return wrap(native.op_narrow(this.handle, dim, start, length));
  }
  squeeze(dim?: number): Tensor {
    return wrap(native.op_squeeze(this.handle, dim));
  }
  unsqueeze(dim: number): Tensor {
    return wrap(native.op_unsqueeze(this.handle, dim));
  }
  flatten(startDim = 0, endDim = -1): Tensor {
    return wrap(native.op_flatten(this.handle, startDim, endDim));
  }
  expand(...shape: number[]): Tensor {
    return wrap(native.op_expand(this.handle, shape));
  }
  repeat(...repeats: number[]): Tensor {
    return wrap(native.op_repeat(this.handle, repeats));
  }
  flip(...dims: number[]): Tensor {
    return wrap(native.op_flip(this.handle, dims));
  }
  roll(shifts: number[], dims: number[]): Tensor {
    return wrap(native.op_roll(this.handle, shifts, dims));
  }
  /** Splits into pieces of the given sizes along `dim` (torch.split with a list). */
  split(sizes: number[], dim = 0): Tensor[] {
    return native.op_split(this.handle, sizes, dim).map(wrap);
  }
  chunk(chunks: number, dim = 0): Tensor[] {
    const n = this.size(dim);
    const each = Math.ceil(n / chunks);
    const sizes: number[] = [];
    for (let left = n; left > 0; left -= each) sizes.push(Math.min(each, left));
    return this.split(sizes, dim);
  }

  // ---- indexing ----------------------------------------------------------------------------------
  indexSelect(dim: number, index: Tensor): Tensor {
    return wrap(native.op_indexSelect(this.handle, dim, index.handle));
  }
  gather(dim: number, index: Tensor): Tensor {
    return wrap(native.op_gather(this.handle, dim, index.handle));
  }
  scatter(dim: number, index: Tensor, src: TensorLike): Tensor {
    return wrap(native.op_scatter(this.handle, dim, index.handle, h(src)));
  }
  scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor {
    return wrap(native.op_scatterAdd(this.handle, dim, index.handle, src.handle));
  }
  maskedFill(mask: Tensor, value: TensorLike): Tensor {
    return wrap(native.op_maskedFill(this.handle, mask.handle, h(value)));
  }
  maskedSelect(mask: Tensor): Tensor {
    return wrap(native.op_maskedSelect(this.handle, mask.handle));
  }
  nonzero(): Tensor {
    return wrap(native.op_nonzero(this.handle));
  }
  /** A copy with rows `index` (int64, along dim 0) set to, or accumulated with, `values`. */
  indexPut(index: Tensor, values: Tensor, accumulate = false): Tensor {
    return wrap(native.op_indexPut(this.handle, index.handle, values.handle, accumulate));
  }

  // ---- elementwise -------------------------------------------------------------------------------
  add(other: TensorLike): Tensor {
    return wrap(native.op_add(this.handle, h(other)));
  }
  sub(other: TensorLike): Tensor {
    return wrap(native.op_sub(this.handle, h(other)));
  }
  /** `scalar - this` (torch.rsub). */
  rsub(scalar: number): Tensor {
    return wrap(native.op_rsub(this.handle, scalar));
  }
  mul(other: TensorLike): Tensor {
    return wrap(native.op_mul(this.handle, h(other)));
  }
  div(other: TensorLike): Tensor {
    return wrap(native.op_div(this.handle, h(other)));
  }
  pow(exponent: TensorLike): Tensor {
    return wrap(native.op_pow(this.handle, h(exponent)));
  }
  remainder(other: TensorLike): Tensor {
    return wrap(native.op_remainder(this.handle, h(other)));
  }
  maximum(other: Tensor): Tensor {
    return wrap(native.op_maximum(this.handle, other.handle));
  }
  minimum(other: Tensor): Tensor {
    return wrap(native.op_minimum(this.handle, other.handle));
  }
  eq(other: TensorLike): Tensor {
    return wrap(native.op_eq(this.handle, h(other)));
  }
  ne(other: TensorLike): Tensor {
    return wrap(native.op_ne(this.handle, h(other)));
  }
  lt(other: TensorLike): Tensor {
    return wrap(native.op_lt(this.handle, h(other)));
  }
  le(other: TensorLike): Tensor {
    return wrap(native.op_le(this.handle, h(other)));
  }
  gt(other: TensorLike): Tensor {
    return wrap(native.op_gt(this.handle, h(other)));
  }
  ge(other: TensorLike): Tensor {
    return wrap(native.op_ge(this.handle, h(other)));
  }
  logicalAnd(other: Tensor): Tensor {
    return wrap(native.op_logicalAnd(this.handle, other.handle));
  }
  logicalOr(other: Tensor): Tensor {
    return wrap(native.op_logicalOr(this.handle, other.handle));
  }
  logicalXor(other: Tensor): Tensor {
    return wrap(native.op_logicalXor(this.handle, other.handle));
  }
  logicalNot(): Tensor {
    return wrap(native.op_logicalNot(this.handle));
  }
  neg(): Tensor {
    return wrap(native.op_neg(this.handle));
  }
  abs(): Tensor {
    return wrap(native.op_abs(this.handle));
  }
  exp(): Tensor {
    return wrap(native.op_exp(this.handle));
  }
  log(): Tensor {
    return wrap(native.op_log(this.handle));
  }
  log1p(): Tensor {
    return wrap(native.op_log1p(this.handle));
  }
  sqrt(): Tensor {
    return wrap(native.op_sqrt(this.handle));
  }
  rsqrt(): Tensor {
    return wrap(native.op_rsqrt(this.handle));
  }
  square(): Tensor {
    return wrap(native.op_square(this.handle));
  }
  sigmoid(): Tensor {
    return wrap(native.op_sigmoid(this.handle));
  }
  tanh(): Tensor {
    return wrap(native.op_tanh(this.handle));
  }
  sin(): Tensor {
    return wrap(native.op_sin(this.handle));
  }
  cos(): Tensor {
    return wrap(native.op_cos(this.handle));
  }
  floor(): Tensor {
    return wrap(native.op_floor(this.handle));
  }
  ceil(): Tensor {
    return wrap(native.op_ceil(this.handle));
  }
  round(): Tensor {
    return wrap(native.op_round(this.handle));
  }
  sign(): Tensor {
    return wrap(native.op_sign(this.handle));
  }
  reciprocal(): Tensor {
    return wrap(native.op_reciprocal(this.handle));
  }
  isnan(): Tensor {
    return wrap(native.op_isnan(this.handle));
  }
  isfinite(): Tensor {
    return wrap(native.op_isfinite(this.handle));
  }
  relu(): Tensor {
    return wrap(native.op_relu(this.handle));
  }
  clamp(min?: number | null, max?: number | null): Tensor {
    return wrap(native.op_clamp(this.handle, min ?? undefined, max ?? undefined));
  }
  clampMin(min: number): Tensor {
    return this.clamp(min, null);
  }
  lerp(end: Tensor, weight: number): Tensor {
    return wrap(native.op_lerp(this.handle, end.handle, weight));
  }
  softmax(dim: number): Tensor {
    return wrap(native.op_softmax(this.handle, dim));
  }
  logSoftmax(dim: number): Tensor {
    return wrap(native.op_logSoftmax(this.handle, dim));
  }
  matmul(other: Tensor): Tensor {
    return wrap(native.op_matmul(this.handle, other.handle));
  }

  // ---- in place (return this) -----------------------------------------------------------------
  add_(other: TensorLike, alpha = 1): this {
    if (alpha !== 1 && typeof other !== 'number')
      native.op_addScaled_(this.handle, other.handle, alpha);
    else native.op_add_(this.handle, typeof other === 'number' ? other * alpha : other.handle);
    return this;
  }
  sub_(other: TensorLike): this {
    native.op_sub_(this.handle, h(other));
    return this;
  }
  mul_(other: TensorLike): this {
    native.op_mul_(this.handle, h(other));
    return this;
  }
  div_(other: TensorLike): this {
    native.op_div_(this.handle, h(other));
    return this;
  }
  addcmul_(t1: Tensor, t2: Tensor, value = 1): this {
    native.op_addcmul_(this.handle, t1.handle, t2.handle, value);
    return this;
  }
  addcdiv_(t1: Tensor, t2: Tensor, value = 1): this {
    native.op_addcdiv_(this.handle, t1.handle, t2.handle, value);
    return this;
  }
  zero_(): this {
    native.op_zero_(this.handle);
    return this;
  }
  fill_(value: number): this {
    native.op_fill_(this.handle, value);
    return this;
  }
  copy_(src: Tensor): this {
    native.op_copy_(this.handle, src.handle);
    return this;
  }
  clamp_(min?: number | null, max?: number | null): this {
    native.op_clamp_(this.handle, min ?? undefined, max ?? undefined);
    return this;
  }
  relu_(): this {
    native.op_relu_(this.handle);
    return this;
  }
  sqrt_(): this {
    native.op_sqrt_(this.handle);
    return this;
  }
  maskedFill_(mask: Tensor, value: number): this {
    native.op_maskedFill_(this.handle, mask.handle, value);
    return this;
  }

  // ---- reductions -------------------------------------------------------------------------------
  /** Sum over `dim` (a number or list; all elements when omitted). */
  sum(dim?: number | number[], keepdim = false, dtype?: DType): Tensor {
    return wrap(native.op_sum(this.handle, dims(dim), keepdim, dtype));
  }
  mean(dim?: number | number[], keepdim = false): Tensor {
    return wrap(native.op_mean(this.handle, dims(dim), keepdim));
  }
  /** Variance with Bessel's correction by default (`correction` 1), as torch.var. */
  var(dim?: number | number[], keepdim = false, correction = 1): Tensor {
    return wrap(native.op_var(this.handle, dims(dim), keepdim, correction));
  }
  prod(): Tensor {
    return wrap(native.op_prod(this.handle));
  }
  /** The largest element. */
  max(): Tensor;
  /** Largest values and their indices along `dim`. */
  max(dim: number, keepdim?: boolean): { values: Tensor; indices: Tensor };
  max(dim?: number, keepdim = false): Tensor | { values: Tensor; indices: Tensor } {
    if (dim === undefined) return wrap(native.op_max(this.handle));
    const [values, indices] = native.op_max(this.handle, dim, keepdim);
    return { values: wrap(values), indices: wrap(indices) };
  }
  min(): Tensor;
  min(dim: number, keepdim?: boolean): { values: Tensor; indices: Tensor };
  min(dim?: number, keepdim = false): Tensor | { values: Tensor; indices: Tensor } {
    if (dim === undefined) return wrap(native.op_min(this.handle));
    const [values, indices] = native.op_min(this.handle, dim, keepdim);
    return { values: wrap(values), indices: wrap(indices) };
  }
  argmax(dim?: number, keepdim = false): Tensor {
    return wrap(native.op_argmax(this.handle, dim, keepdim));
  }
  argmin(dim?: number, keepdim = false): Tensor {
    return wrap(native.op_argmin(this.handle, dim, keepdim));
  }
  logsumexp(dim: number | number[], keepdim = false): Tensor {
    return wrap(native.op_logsumexp(this.handle, dims(dim), keepdim));
  }
  /** p-norm over `dim` (all elements when omitted). */
  norm(p = 2, dim?: number | number[], keepdim = false): Tensor {
    return wrap(native.op_norm(this.handle, p, dims(dim), keepdim));
  }
  cumsum(dim: number): Tensor {
    return wrap(native.op_cumsum(this.handle, dim));
  }
  any(): Tensor {
    return wrap(native.op_any(this.handle));
  }
  all(): Tensor {
    return wrap(native.op_all(this.handle));
  }
  sort(dim = -1, descending = false): { values: Tensor; indices: Tensor } {
    const [values, indices] = native.op_sort(this.handle, dim, descending);
    return { values: wrap(values), indices: wrap(indices) };
  }
  topk(k: number, dim = -1, largest = true): { values: Tensor; indices: Tensor } {
    const [values, indices] = native.op_topk(this.handle, k, dim, largest);
    return { values: wrap(values), indices: wrap(indices) };
  }
  /** q-th quantile (linear interpolation, as numpy.percentile / torch.quantile). */
  quantile(q: number, dim?: number, keepdim = false): Tensor {
    return wrap(native.op_quantile(this.handle, q, dim, keepdim));
  }
}

function dims(dim?: number | number[]): number[] {
  return dim === undefined ? [] : typeof dim === 'number' ? [dim] : dim;
}

/** @internal Wraps a native handle in a (scope-tracked) Tensor. */
export function wrap(handle: NativeTensor): Tensor {
  return new Tensor(handle);
}

export function isTensor(v: unknown): v is Tensor {
  return v instanceof Tensor;
}
setTensorCheck(isTensor);
