// Data-parallel steps against one process that sees the union of the ranks' batches: the
// training code both sides run (test/method/distributed.test.ts and its rank processes).
import * as torch from '../../src/torch/index.js';
import { SGD, UNet, setSyncBatchNorm } from '../../src/nn/index.js';
import { parseConfig, type RunConfig } from '../../src/method/config.js';
import type { SlicePool } from '../../src/method/pools.js';
import { segmentationLoss } from '../../src/method/setup.js';
import { supervisedBatch, supervisedStep } from '../../src/method/train/supervised.js';
import type { StageContext } from '../../src/method/train/loop.js';
import type { World } from '../../src/method/distributed/world.js';
import { rankSeed } from '../../src/method/distributed/streams.js';
import { Rng } from '../../src/util/rng.js';
import { tinyConfig } from './tiny-config.js';

export const STEPS = 4;
export const TOTAL_BATCH = 4;
const CLASSES = 3;
const SEED = 11;

/** Cross-entropy (a mean over the batch's pixels, so shards average to the union's loss). */
export const config: RunConfig = parseConfig({ ...tinyConfig, loss: { seg: 'ce' } });

/** Eight labeled 32×32 slices: smooth random images, labels thresholded from them. */
export function pool(): SlicePool {
  const rng = new Rng(5);
  const [h, w] = [32, 32];
  const count = 8;
  const images = new Float32Array(count * h * w);
  const labels = new Uint8Array(count * h * w);
  for (let s = 0; s < count; s++) {
    const cx = 8 + rng.int(16);
    const cy = 8 + rng.int(16);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const r = Math.hypot(x - cx, y - cy);
        const i = s * h * w + y * w + x;
        labels[i] = r < 5 ? 2 : r < 9 ? 1 : 0;
        images[i] = labels[i] * 0.4 + 0.2 * rng.uniform();
      }
  }
  const sources = Array.from({ length: count }, (_, s) => ({ caseId: `c${s >> 2}`, slice: s }));
  return { count, size: [h, w], images, labels, sources };
}

/**
 * SGD with momentum: Adam divides by √v̂, so the conv biases in front of batch norm, whose exact
 * gradient is 0, would step by ±lr on float rounding noise and hide the comparison.
 */
function optimizerOf(net: UNet): SGD {
  return new SGD(net.parameters(), { lr: 0.02, momentum: 0.9, weightDecay: 0 });
}

function network(): UNet {
  torch.manualSeed(SEED);
  return new UNet({ inChannels: 1, numClasses: CLASSES, ...config.model });
}

/** The weights after STEPS data-parallel steps of supervisedStep on this rank of `world`. */
export function dataParallelWeights(world: World): Record<string, Float32Array> {
  const net = network();
  setSyncBatchNorm(net, true);
  const optimizer = optimizerOf(net);
  const ctx = {
    net,
    optimizer,
    world,
    rng: new Rng(rankSeed(SEED, world.rank)),
  } as unknown as StageContext;
  const data = pool();
  const loss = segmentationLoss(config);
  for (let i = 0; i < STEPS; i++) supervisedStep(ctx, data, config, loss, TOTAL_BATCH / world.size);
  return weightsOf(net);
}

/** The weights after `steps` steps of one process on the union of the ranks' batches. */
export function unionWeights(worldSize: number, steps = STEPS): Record<string, Float32Array> {
  const net = network();
  const optimizer = optimizerOf(net);
  const rngs = Array.from({ length: worldSize }, (_, r) => new Rng(rankSeed(SEED, r)));
  const data = pool();
  const loss = segmentationLoss(config);
  for (let i = 0; i < steps; i++) {
    torch.tidy(() => {
      const shards = rngs.map((rng) =>
        supervisedBatch(data, config, TOTAL_BATCH / worldSize, CLASSES, rng, 'cpu'),
      );
      const images = torch.cat(shards.map((s) => s.images));
      const targets = torch.cat(shards.map((s) => s.targets));
      net.train();
      optimizer.zeroGrad();
      loss(net.forward(images), targets).backward();
      optimizer.step();
    });
  }
  return weightsOf(net);
}

function weightsOf(net: UNet): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  for (const [k, t] of Object.entries(net.stateDict()))
    if (t.dtype === 'float32') out[k] = t.data() as Float32Array;
  return out;
}
