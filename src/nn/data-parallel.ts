import { type Parameter, type Tensor, distributed, dispose, zeros } from '../torch/index.js';
import { BatchNorm2d } from './layers.js';
import type { Module } from './module.js';
import type { Optimizer } from './optim/optimizer.js';

/**
 * The pieces of torch.nn.parallel.DistributedDataParallel that a training step needs, over the
 * default process group (src/torch/distributed.ts): the same starting state on every rank, and
 * gradients averaged over the ranks before the optimiser step.
 */

/** PyTorch's default gradient bucket (bucket_cap_mb = 25). */
export const BUCKET_BYTES = 25 * 2 ** 20;

/**
 * Averages the defined gradients of `params` over the ranks, in buckets (DDP's all-reduce):
 * with equal shards of a batch and a loss that is a mean over the batch, the result is the
 * gradient of the loss over the union of the shards.
 */
export function averageGradients(params: Parameter[], bucketBytes = BUCKET_BYTES): void {
  const grads = params.map((p) => p.grad).filter((g): g is Tensor => g !== null);
  distributed.allReduceMeanBucketed_(grads, bucketBytes);
  dispose(grads);
}

/** Rank `src`'s parameters, buffers and batch-norm counters on every rank (DDP's start). */
export function broadcastModule(module: Module, src = 0): void {
  const tensors = [...module.parameters(), ...module.namedBuffers().map(([, t]) => t)];
  distributed.broadcast_(tensors, src);
  const norms = module.modules().filter((m): m is BatchNorm2d => m instanceof BatchNorm2d);
  const counts = distributed.broadcastObject(
    norms.map((n) => n.numBatchesTracked),
    src,
  );
  norms.forEach((n, i) => (n.numBatchesTracked = counts[i]));
}

/**
 * Rank `src`'s optimiser state (learning rate, step counts, moments) on every rank; ranks that
 * have not stepped yet create the slots rank `src` has.
 */
export function broadcastOptimizer(optimizer: Optimizer, src = 0): void {
  const mine = distributed.getRank() === src ? optimizer.stateDict() : null;
  const layout = distributed.broadcastObject(
    mine && {
      scalars: mine.scalars,
      shapes: Object.entries(mine.tensors).map(([k, t]) => [k, t.shape, t.dtype, t.device]),
    },
    src,
  ) as { scalars: Record<string, number>; shapes: [string, number[], Tensor['dtype'], string][] };
  const tensors: Record<string, Tensor> = {};
  for (const [k, shape, dtype, device] of layout.shapes)
    tensors[k] = mine ? mine.tensors[k] : zeros(shape, { dtype, device });
  if (!mine) optimizer.loadStateDict({ scalars: layout.scalars, tensors });
  const live = optimizer.stateDict().tensors;
  distributed.broadcast_(
    layout.shapes.map(([k]) => live[k]),
    src,
  );
  if (!mine) dispose(Object.values(tensors));
}

/** Switches synchronised batch-norm statistics (SyncBatchNorm) on or off in every layer. */
export function setSyncBatchNorm(module: Module, on: boolean): void {
  for (const m of module.modules()) if (m instanceof BatchNorm2d) m.syncStats = on;
}

/** Runs `fn` with every batch-norm layer of `module` normalising over this rank's batch only. */
export function withLocalBatchNorm<T>(module: Module, fn: () => T): T {
  const norms = module.modules().filter((m): m is BatchNorm2d => m instanceof BatchNorm2d);
  const saved = norms.map((n) => n.syncStats);
  norms.forEach((n) => (n.syncStats = false));
  try {
    return fn();
  } finally {
    norms.forEach((n, i) => (n.syncStats = saved[i]));
  }
}
