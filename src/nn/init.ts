import { type Tensor, noGrad, randn, rand } from '../torch/index.js';

/** Fan-in of a weight (out, in, kh, kw ...): in · Πk. */
export function fanIn(weight: Tensor): number {
  return weight.shape.slice(1).reduce((a, b) => a * b, 1);
}

/**
 * He (Kaiming) normal initialisation in place: N(0, 2 / fan_in), i.e. std = √(2 / (k_h·k_w·C_in)),
 * as nn.init.kaiming_normal_(mode='fan_in', nonlinearity='relu') and the paper's UNet.
 */
export function heNormal_(weight: Tensor): Tensor {
  const std = Math.sqrt(2 / fanIn(weight));
  noGrad(() => {
    const r = randn(weight.shape, { dtype: weight.dtype });
    weight.copy_(r.mul_(std));
    r.dispose();
  });
  return weight;
}

/** Uniform on [-bound, bound] in place. */
export function uniform_(t: Tensor, bound: number): Tensor {
  noGrad(() => {
    const r = rand(t.shape, { dtype: t.dtype });
    t.copy_(r.mul_(2 * bound).sub_(bound));
    r.dispose();
  });
  return t;
}

/** PyTorch's default Conv2d weight init: kaiming_uniform_(a=√5), bound = 1/√fan_in. */
export function kaimingUniformDefault_(weight: Tensor): Tensor {
  return uniform_(weight, 1 / Math.sqrt(fanIn(weight)));
}
