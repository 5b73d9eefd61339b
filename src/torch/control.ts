import { native } from './native.js';
import { type Tensor, wrap } from './tensor.js';

/** Seeds LibTorch's generators (torch.manual_seed). */
export function manualSeed(seed: number): void {
  native.op_manualSeed(seed);
}
/** Threads for intra-op parallelism (torch.set_num_threads); call before the first op. */
export function setNumThreads(n: number): void {
  native.op_setNumThreads(n);
}
export function getNumThreads(): number {
  return native.op_getNumThreads();
}
export function isGradEnabled(): boolean {
  return native.op_isGradEnabled();
}
export function setGradEnabled(enabled: boolean): void {
  native.op_setGradEnabled(enabled);
}
/** Runs `fn` with autograd recording off (torch.no_grad), restoring the previous mode after. */
export function noGrad<T>(fn: () => T): T {
  const prev = isGradEnabled();
  setGradEnabled(false);
  try {
    return fn();
  } finally {
    setGradEnabled(prev);
  }
}
/** Runs `fn` with autograd recording on (torch.enable_grad). */
export function enableGrad<T>(fn: () => T): T {
  const prev = isGradEnabled();
  setGradEnabled(true);
  try {
    return fn();
  } finally {
    setGradEnabled(prev);
  }
}

export const cuda = {
  /** False for CPU builds of LibTorch (such as Debian's); true with a CUDA LibTorch and a GPU. */
  isAvailable(): boolean {
    return native.op_cudaIsAvailable();
  },
  deviceCount(): number {
    return native.op_cudaDeviceCount();
  },
  synchronize(): void {
    native.op_cudaSynchronize();
  },
};

/** Live tensor handles and the bytes they hold (for leak checks). */
export function memoryStats(): { liveTensors: number; liveBytes: number } {
  return native.op_memoryStats();
}
/** Returns freed heap memory to the OS (glibc malloc_trim). */
export function mallocTrim(): void {
  native.op_mallocTrim();
}
export function libtorchVersion(): string {
  return native.op_libtorchVersion();
}

/** The default CPU generator's state as a uint8 tensor (torch.get_rng_state). */
export function getRngState(): Tensor {
  return wrap(native.op_getRngState());
}
/** Restores a state from getRngState (torch.set_rng_state). */
export function setRngState(state: Tensor): void {
  native.op_setRngState(state.handle);
}
