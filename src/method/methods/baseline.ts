import type { MethodSpec } from './types.js';
import { SEED_STREAMS } from '../seed-streams.js';
import { BASELINE_STAGE } from '../run-dir.js';

/**
 * Stage 1 (method.md A.1): the supervised baseline on the labeled slices (config `baseline`). The
 * semi-supervised methods start from its best checkpoint (or its handoff, run.ts).
 */
export const baseline: MethodSpec = {
  name: BASELINE_STAGE,
  description: 'the supervised baseline on the labeled slices',
  seeds: {
    torch: [SEED_STREAMS.baselineTorch],
    rng: [SEED_STREAMS.baselineRng],
    bnUpdate: [SEED_STREAMS.bnUpdate, 0],
  },
  schedule: (cfg) => cfg.baseline,
  start: { from: 'scratch' },
  selected: () => 'best',
  async trainer() {
    const { supervisedBatch, supervisedStep } = await import('../train/supervised.js');
    return {
      step: (stage, data, cfg, loss) =>
        supervisedStep(stage, data.labeled, cfg, loss, cfg.baseline.batchSize),
      bnInputs: (data, cfg, net, rng) => [
        supervisedBatch(
          data.labeled,
          cfg,
          cfg.baseline.batchSize,
          net.config.numClasses,
          rng,
          net.device,
        ).images,
      ],
    };
  },
};
