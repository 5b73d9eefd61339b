/**
 * Fused optimiser kernels (like torch.optim._functional): one native call updates every
 * parameter in place, without recording autograd history.
 */
import { native } from './native.js';
import type { Tensor } from './tensor.js';

const hs = (ts: Tensor[]) => ts.map((t) => t.handle);

/** torch.optim.Adam's single-tensor update for step number `step` (1-based). */
export function adamStep_(
  params: Tensor[],
  grads: Tensor[],
  expAvg: Tensor[],
  expAvgSq: Tensor[],
  o: { step: number; lr: number; beta1: number; beta2: number; eps: number; weightDecay: number },
): void {
  native.op_adamStep(
    hs(params),
    hs(grads),
    hs(expAvg),
    hs(expAvgSq),
    o.step,
    o.lr,
    o.beta1,
    o.beta2,
    o.eps,
    o.weightDecay,
  );
}

/** torch.optim.SGD's update; `first` copies the gradient into the momentum buffer. */
export function sgdStep_(
  params: Tensor[],
  grads: Tensor[],
  buffers: Tensor[],
  o: {
    first: boolean;
    lr: number;
    momentum: number;
    dampening: number;
    weightDecay: number;
    nesterov: boolean;
  },
): void {
  native.op_sgdStep(
    hs(params),
    hs(grads),
    hs(buffers),
    o.first,
    o.lr,
    o.momentum,
    o.dampening,
    o.weightDecay,
    o.nesterov,
  );
}
