/**
 * contraseg's tensor engine: LibTorch through an N-API addon, with PyTorch's names and semantics.
 *
 *   import * as torch from './torch/index.js';
 *   const x = torch.randn([2, 3]);
 *   const y = torch.tidy(() => x.mul(2).add(1).sum());
 */
export { Tensor, isTensor, type TensorLike } from './tensor.js';
export { Parameter } from './parameter.js';
export * from './creation.js';
export * from './control.js';
export { tidy, keep, dispose } from './scope.js';
export type { DType, Device, AnyTypedArray } from './dtype.js';
export { viewAs, itemSize } from './dtype.js';
export * as F from './functional.js';
export { cat, stack, where, einsum } from './functional.js';
export { adamStep_, sgdStep_ } from './fused.js';
export * as distributed from './distributed.js';
