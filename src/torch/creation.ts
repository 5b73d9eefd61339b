import { native } from './native.js';
import { wrap, type Tensor } from './tensor.js';
import { type AnyTypedArray, type DType, type Device, dtypeOf } from './dtype.js';

export interface TensorOptions {
  dtype?: DType;
  device?: Device;
  requiresGrad?: boolean;
}

function finish(t: Tensor, o: TensorOptions): Tensor {
  return o.requiresGrad ? t.requiresGrad_(true) : t;
}

export function empty(shape: number[], o: TensorOptions = {}): Tensor {
  return finish(wrap(native.op_empty(shape, o.dtype, o.device)), o);
}
export function zeros(shape: number[], o: TensorOptions = {}): Tensor {
  return finish(wrap(native.op_zeros(shape, o.dtype, o.device)), o);
}
export function ones(shape: number[], o: TensorOptions = {}): Tensor {
  return finish(wrap(native.op_ones(shape, o.dtype, o.device)), o);
}
export function full(shape: number[], value: number, o: TensorOptions = {}): Tensor {
  return finish(wrap(native.op_full(shape, value, o.dtype, o.device)), o);
}
export function zerosLike(t: Tensor, o: TensorOptions = {}): Tensor {
  return zeros(t.shape, { dtype: t.dtype, device: t.device, ...o });
}
export function onesLike(t: Tensor, o: TensorOptions = {}): Tensor {
  return ones(t.shape, { dtype: t.dtype, device: t.device, ...o });
}
/** Values from `start` to `end` (exclusive) by `step`; int64 unless a dtype is given. */
export function arange(start: number, end?: number, step = 1, o: TensorOptions = {}): Tensor {
  const [a, b] = end === undefined ? [0, start] : [start, end];
  const dtype = o.dtype ?? ([a, b, step].every(Number.isInteger) ? 'int64' : 'float32');
  return finish(wrap(native.op_arange(a, b, step, dtype, o.device)), o);
}
/** Uniform on [0, 1). */
export function rand(shape: number[], o: TensorOptions = {}): Tensor {
  return finish(wrap(native.op_rand(shape, o.dtype, o.device)), o);
}
/** Standard normal. */
export function randn(shape: number[], o: TensorOptions = {}): Tensor {
  return finish(wrap(native.op_randn(shape, o.dtype, o.device)), o);
}
/** Integers uniform on [low, high). */
export function randint(low: number, high: number, shape: number[], o: TensorOptions = {}): Tensor {
  return wrap(native.op_randint(low, high, shape, o.dtype, o.device));
}
/** A random permutation of 0..n-1 (int64). */
export function randperm(n: number): Tensor {
  return wrap(native.op_randperm(n));
}

/**
 * A tensor holding a copy of `data` with the given shape (default: 1-D). The dtype follows the
 * typed array (Float32Array -> float32 ...; a Uint16Array holds raw float16 bits, or raw bfloat16 bits
 * when that dtype is given) unless given; plain number arrays become float32.
 */
export function tensor(
  data: AnyTypedArray | number[] | boolean[],
  shape?: number[],
  o: TensorOptions = {},
): Tensor {
  let arr: AnyTypedArray;
  let dtype: DType;
  if (Array.isArray(data)) {
    dtype = o.dtype ?? (typeof data[0] === 'boolean' ? 'bool' : 'float32');
    // Half-precision values have no JavaScript array: build float32, then convert below.
    if (dtype === 'float16' || dtype === 'bfloat16') dtype = 'float32';
    arr = typedFromNumbers(data.map(Number), dtype);
  } else {
    // A Uint16Array holds raw float16 bits, or raw bfloat16 bits when that dtype is asked for.
    dtype = data instanceof Uint16Array && o.dtype === 'bfloat16' ? 'bfloat16' : dtypeOf(data);
    arr = data;
  }
  const dims = shape ?? [arr.length];
  let t = wrap(native.op_fromBuffer(arr, dims, dtype));
  if (o.dtype && o.dtype !== dtype) {
    const c = t.to(o.dtype);
    t.dispose();
    t = c;
  }
  if (o.device && o.device !== 'cpu') {
    const c = t.to(null, o.device);
    t.dispose();
    t = c;
  }
  return finish(t, o);
}

function typedFromNumbers(v: number[], dtype: DType): AnyTypedArray {
  switch (dtype) {
    case 'float64':
      return Float64Array.from(v);
    case 'int64':
      return BigInt64Array.from(v, (x) => BigInt(Math.trunc(x)));
    case 'int32':
      return Int32Array.from(v);
    case 'int16':
      return Int16Array.from(v);
    case 'int8':
      return Int8Array.from(v);
    case 'uint8':
      return Uint8Array.from(v);
    case 'bool':
      return Uint8Array.from(v, (x) => (x !== 0 ? 1 : 0));
    default:
      return Float32Array.from(v);
  }
}

/** A 0-d-like scalar tensor (shape [1] squeezed to []). */
export function scalar(value: number, o: TensorOptions = {}): Tensor {
  return full([], value, o);
}
