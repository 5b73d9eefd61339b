import { type Tensor, noGrad, tidy } from '../torch/index.js';
import { BatchNorm2d } from './layers.js';
import type { Module } from './module.js';

/**
 * Re-estimates the running statistics of every BatchNorm2d of `model` from `batches`, as
 * PyTorch's torch.optim.swa_utils.update_bn: statistics reset, the cumulative average over the
 * batches (momentum None) in training mode without gradients, then each layer's momentum and the
 * model's mode restored. The evaluation-mode statistics are then those of the given images, not a
 * moving average that may still hold the (0, 1) of a reset or the drift of augmented batches.
 * Each batch is disposed after use; `forward` defaults to `model.forward`.
 */
export function updateBn(
  batches: Iterable<Tensor>,
  model: Module & { forward(x: Tensor): Tensor },
  forward: (x: Tensor) => Tensor = (x) => model.forward(x),
): void {
  const layers = model.modules().filter((m): m is BatchNorm2d => m instanceof BatchNorm2d);
  if (layers.length === 0) return;
  const momenta = layers.map((l) => l.options.momentum);
  // Layers that `forward` does not reach (e.g. an embedding head) keep their statistics.
  const saved = layers.map((l) => [l.runningMean.clone(), l.runningVar.clone()]);
  const wasTraining = model.training;
  for (const l of layers) {
    l.resetRunningStats();
    l.options.momentum = null;
  }
  model.train();
  try {
    noGrad(() => {
      for (const batch of batches) {
        tidy(() => forward(batch));
        batch.dispose();
      }
    });
  } finally {
    layers.forEach((l, i) => {
      l.options.momentum = momenta[i];
      if (l.numBatchesTracked === 0) {
        l.runningMean.copy_(saved[i][0]);
        l.runningVar.copy_(saved[i][1]);
      }
      saved[i].forEach((t) => t.dispose());
    });
    model.train(wasTraining);
  }
}
