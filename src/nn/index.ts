export { Module } from './module.js';
export {
  Conv2d,
  BatchNorm2d,
  ReLU,
  MaxPool2d,
  Upsample,
  Sequential,
  type Layer,
} from './layers.js';
export { heNormal_, kaimingUniformDefault_, uniform_, fanIn } from './init.js';
export { UNet, ConvBnRelu, paperUNetConfig, type UNetConfig } from './unet.js';
export { Optimizer, type OptimizerState } from './optim/optimizer.js';
export { Adam, type AdamOptions } from './optim/adam.js';
export { SGD, type SGDOptions } from './optim/sgd.js';
export { PolyLR } from './optim/lr.js';
export { updateBn } from './update-bn.js';
export {
  averageGradients,
  broadcastModule,
  broadcastOptimizer,
  setSyncBatchNorm,
  withLocalBatchNorm,
  BUCKET_BYTES,
} from './data-parallel.js';
export { syncBatchNorm } from './sync-batchnorm.js';
