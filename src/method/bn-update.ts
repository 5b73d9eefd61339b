import * as torch from '../torch/index.js';
import { type UNet, updateBn } from '../nn/index.js';
import { Rng } from '../util/rng.js';
import type { RunConfig } from './config.js';
import type { SlicePool } from './pools.js';
import { BASELINE } from './methods/index.js';
import { streamSeed } from './seed-streams.js';
import { supervisedBatch } from './train/supervised.js';
import type { BnUpdater } from './train/loop.js';

/**
 * The batch-norm re-estimation of a stage (config bnUpdate), or null when disabled: the running
 * statistics become the average over `bnUpdate.batches` training batches drawn and augmented as
 * the stage draws them (`inputs` returns the tensors one iteration passes through the network in
 * training mode), as PyTorch's swa_utils.update_bn over a training loader. Evaluation then
 * normalises with the statistics the weights were trained with, not with a moving average that a
 * fresh start resets to (0, 1) and that lags behind the weights. The batches come from their own
 * generator, seeded by `seed` (the stage's bnUpdate stream, MethodSpec.seeds), so every call sees the same batches and the
 * stage's own random stream is untouched (a resumed run re-estimates exactly as an uninterrupted
 * one).
 */
export function bnUpdater(
  cfg: RunConfig,
  seed: number,
  inputs: (rng: Rng) => torch.Tensor[],
): BnUpdater | null {
  const b = cfg.bnUpdate;
  if (!b.enabled) return null;
  return (net) => {
    const rng = new Rng(seed);
    function* batches() {
      for (let k = 0; k < b.batches; k++) yield* torch.tidy(() => inputs(rng));
    }
    updateBn(batches(), net);
  };
}

/** The baseline's re-estimation: augmented labeled batches (src/method/train/supervised.ts). */
export function baselineBnUpdater(cfg: RunConfig, labeled: SlicePool, net: UNet): BnUpdater | null {
  const classes = net.config.numClasses;
  return bnUpdater(cfg, streamSeed(cfg.seed, BASELINE.seeds.bnUpdate), (rng) => [
    supervisedBatch(labeled, cfg, cfg.baseline.batchSize, classes, rng, net.device).images,
  ]);
}
