import * as torch from '../../torch/index.js';
import {
  type Module,
  type Optimizer,
  averageGradients,
  broadcastModule,
  broadcastOptimizer,
} from '../../nn/index.js';

/**
 * The ranks a run trains on: one process ({@link SINGLE}) or the ranks of a c10d process group
 * (src/torch/distributed.ts). The pipeline is written once against this interface; with one
 * rank every collective is the identity and nothing is communicated.
 */
export interface World {
  readonly rank: number;
  readonly size: number;
  /** Rank 0, the only one that writes files (checkpoints, metrics, pseudo-labels, summary). */
  readonly isMain: boolean;
  /** Whether `ok` holds on every rank (so that the ranks skip an update together). */
  all(ok: boolean): boolean;
  /** Runs `fn` on rank 0 only (reading the run directory) and hands its result to every rank. */
  main<T>(fn: () => T): T;
  /** Runs `fn` on rank 0 only and hands the bytes it returns to every rank. */
  mainBytes(fn: () => Uint8Array): Uint8Array;
  /** Every rank's JSON-serialisable value, in rank order. */
  gather<T>(value: T): T[];
  /** Every rank's bytes, in rank order. */
  gatherBytes(bytes: Uint8Array): Uint8Array[];
  /**
   * Averages the gradients of `net` over the ranks (DistributedDataParallel's all-reduce) and,
   * with batch-norm statistics kept per rank, hands rank 0's running statistics to every rank
   * (DDP's broadcast_buffers).
   */
  averageGradients(net: Module): void;
  /** Rank 0's weights, buffers, optimiser state and auxiliary modules on every rank. */
  syncFromMain(net: Module, optimizer: Optimizer | null, aux?: Record<string, Module>): void;
}

/** One process: nothing to communicate. */
export const SINGLE: World = {
  rank: 0,
  size: 1,
  isMain: true,
  all: (ok) => ok,
  main: (fn) => fn(),
  mainBytes: (fn) => fn(),
  gather: (value) => [value],
  gatherBytes: (bytes) => [bytes],
  averageGradients: () => {},
  syncFromMain: () => {},
};

/**
 * The default process group of this process as a World (initProcessGroup first). `syncBatchNorm`
 * says whether the networks normalise over all ranks' batches (their running statistics then
 * agree) or each over its own.
 */
export function processGroupWorld(o: { syncBatchNorm: boolean }): World {
  const rank = torch.distributed.getRank();
  const size = torch.distributed.getWorldSize();
  return {
    rank,
    size,
    isMain: rank === 0,
    all(ok) {
      const flag = torch.tensor(new Float32Array([ok ? 1 : 0]), [1], {
        device: torch.distributed.stagingDevice(),
      });
      torch.distributed.allReduce_([flag], 'min');
      const every = flag.item() === 1;
      flag.dispose();
      return every;
    },
    main<T>(fn: () => T): T {
      return torch.distributed.broadcastObject(rank === 0 ? fn() : (null as T), 0);
    },
    mainBytes: (fn) => torch.distributed.broadcastBytes(rank === 0 ? fn() : null, 0),
    gather: (value) => torch.distributed.allGatherObject(value),
    gatherBytes: (bytes) => torch.distributed.allGatherBytes(bytes),
    averageGradients(net) {
      averageGradients(net.parameters());
      if (!o.syncBatchNorm)
        torch.distributed.broadcast_(
          net.namedBuffers().map(([, t]) => t),
          0,
        );
    },
    syncFromMain(net, optimizer, aux = {}) {
      broadcastModule(net, 0);
      if (optimizer) broadcastOptimizer(optimizer, 0);
      for (const m of Object.values(aux)) broadcastModule(m, 0);
    },
  };
}

/** The contiguous share [start, end) of n items that `rank` of `size` handles. */
export function shareOf(n: number, rank: number, size: number): [number, number] {
  return [Math.floor((n * rank) / size), Math.floor((n * (rank + 1)) / size)];
}

/**
 * Maps `items` split across the ranks (each rank its contiguous share) and gathers the results
 * on every rank, in item order: validation scores and pseudo-labels scale with the ranks.
 */
export function mapShared<I, O>(world: World, items: readonly I[], fn: (share: I[]) => O[]): O[] {
  const [start, end] = shareOf(items.length, world.rank, world.size);
  const mine = fn(items.slice(start, end));
  return world.size === 1 ? mine : world.gather(mine).flat();
}
