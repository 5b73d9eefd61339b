import type { MethodSpec } from './types.js';
import { semiSupervisedStreams } from '../seed-streams.js';

/**
 * The modern baseline: FixMatch/UniMatch-style weak-to-strong consistency on the unlabeled slices
 * (src/method/train/fixmatch.ts), starting from all of the baseline's best weights, with the best
 * validation checkpoint kept.
 */
export const fixmatch: MethodSpec = {
  name: 'fixmatch',
  description: 'FixMatch/UniMatch weak-to-strong consistency from the baseline',
  seeds: semiSupervisedStreams(3),
  schedule: (cfg) => cfg.fixmatch,
  start: { from: 'baseline', init: () => 'full' },
  selected: () => 'best',
  needsUnlabeled: true,
  async trainer() {
    const torch = await import('../../torch/index.js');
    const { fixMatchBatch, fixMatchStep } = await import('../train/fixmatch.js');
    return {
      step: (stage, data, cfg, loss) =>
        fixMatchStep(stage, data.labeled, data.unlabeled, cfg, loss),
      bnInputs: (data, cfg, net, rng) => {
        // Both forward passes of an iteration.
        const x = fixMatchBatch(
          data.labeled,
          data.unlabeled,
          cfg,
          net.config.numClasses,
          rng,
          net.device,
        );
        return [x.weak, torch.cat([x.lab.images, x.strong])];
      },
    };
  },
};
