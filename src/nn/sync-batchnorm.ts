import * as torch from '../torch/index.js';
import type { Tensor } from '../torch/index.js';

/**
 * Batch normalisation over the batches of every rank (torch.nn.SyncBatchNorm) in training mode:
 * each rank sums x and x² per channel over its N·H·W values, one differentiable all-reduce adds
 * the sums (and counts) of all ranks, and every rank normalises with the same statistics,
 *   μ = Σx / n,  σ² = Σx² / n − μ²  (biased),  y = (x − μ)·γ/√(σ² + ε) + β,
 * n being the values of all ranks. The all-reduce's backward sums the gradients of the sums over
 * the ranks, so gradients are those of one batch-norm over the union of the ranks' batches.
 * Running statistics take μ and the unbiased σ²·n/(n − 1), as PyTorch.
 */
export function syncBatchNorm(
  x: Tensor,
  o: {
    weight: Tensor;
    bias: Tensor;
    runningMean: Tensor;
    runningVar: Tensor;
    momentum: number;
    eps: number;
  },
): Tensor {
  const c = x.shape[1];
  const perChannel = x.numel / c;
  const local = torch.cat([
    x.sum([0, 2, 3]),
    x.square().sum([0, 2, 3]),
    torch.full([1], perChannel, { dtype: x.dtype, device: x.device }),
  ]);
  const total = torch.distributed.allReduceSum(local);
  const n = total.narrow(0, 2 * c, 1).item();
  const mean = total.narrow(0, 0, c).div(n);
  const variance = total.narrow(0, c, c).div(n).sub(mean.square());
  torch.noGrad(() => {
    const m = o.momentum;
    o.runningMean.mul_(1 - m).add_(mean.mul(m));
    o.runningVar.mul_(1 - m).add_(variance.mul((m * n) / Math.max(1, n - 1)));
  });
  const scale = variance.add(o.eps).rsqrt().mul(o.weight);
  return x
    .sub(mean.view(1, c, 1, 1))
    .mul(scale.view(1, c, 1, 1))
    .add(o.bias.view(1, c, 1, 1));
}
