import { z } from 'zod';
import { stageScheduleFields, unlabeledStageFields } from '../schedule-fields.js';
import type { MethodSpec } from './types.js';
import { semiSupervisedStreams } from './streams.js';

/** Config section `fixmatch`. */
export const fixmatchConfig = {
  /** FixMatch/UniMatch-style weak-to-strong consistency, the modern baseline to compare with. */
  fixmatch: z
    .object({
      ...unlabeledStageFields,
      threshold: z.number().min(0).max(1).default(0.95),
      lambda: z.number().min(0).default(1),
      /** Side of the zeroed box of the strong view, as a fraction of the image: U(lo, hi). */
      cutout: z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]).default([0.25, 0.5]),
      ...stageScheduleFields,
    })
    .strict()
    .prefault({}),
};

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
