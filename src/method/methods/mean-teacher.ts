import { z } from 'zod';
import type { UNet } from '../../nn/index.js';
import type { RunConfig } from '../config.js';
import { stageScheduleFields, unlabeledStageFields } from '../schedule-fields.js';
import type { MethodSpec } from './types.js';
import { semiSupervisedStreams } from './streams.js';

const meanTeacherSchema = z
  .object({
    ...unlabeledStageFields,
    /** Decay of the teacher's exponential moving average. */
    ema: z.number().min(0).max(1).default(0.99),
    /** λ_max of the consistency weight (SSL4MIS's default 0.1). */
    lambda: z.number().min(0).default(0.1),
    /** Iterations T of the ramp-up λ(t) = λ_max·exp(−5(1 − t/T)²). Default: `iterations`. */
    rampup: z.number().int().min(0).optional(),
    ...stageScheduleFields,
  })
  .strict();

/**
 * Config section `meanTeacher` (Mean Teacher, Tarvainen & Valpola 2017, as SSL4MIS trains it).
 * Optional, so that the resolved config.json of a run that does not set it stays as it was
 * (`--resume` compares it); `meanTeacherSettings` fills in the defaults.
 */
export const meanTeacherConfig = { meanTeacher: meanTeacherSchema.optional() };

/** The run's meanTeacher section with its defaults. */
export function meanTeacherSettings(cfg: RunConfig): z.output<typeof meanTeacherSchema> {
  return cfg.meanTeacher ?? meanTeacherSchema.parse({});
}

/**
 * Mean Teacher: the student trains on the labeled slices and towards an exponential moving average
 * of itself (the teacher, saved in the resume checkpoint) on noisy unlabeled slices
 * (src/method/train/mean-teacher.ts); it starts from all of the baseline's best weights, and the
 * student's best validation checkpoint is kept.
 */
export const meanTeacher: MethodSpec = {
  name: 'mean-teacher',
  description: 'Mean Teacher: consistency with an EMA teacher, from the baseline',
  seeds: semiSupervisedStreams(4),
  schedule: (cfg) => meanTeacherSettings(cfg),
  start: { from: 'baseline', init: () => 'full' },
  selected: () => 'best',
  needsUnlabeled: true,
  async trainer() {
    const torch = await import('../../torch/index.js');
    const mt = await import('../train/mean-teacher.js');
    const { copyOfNetwork } = await import('../train/model-ema.js');
    return {
      prepare: (stage) => {
        // The teacher starts as a copy of the student.
        stage.aux = { teacher: copyOfNetwork(stage.net) };
      },
      step: (stage, data, cfg, loss, iteration) =>
        mt.meanTeacherStep(
          stage,
          stage.aux?.teacher as UNet,
          data.labeled,
          data.unlabeled,
          cfg,
          loss,
          iteration,
        ),
      bnInputs: (data, cfg, net, rng) => {
        // The student's forward pass of an iteration.
        const x = mt.meanTeacherBatch(
          data.labeled,
          data.unlabeled,
          cfg,
          net.config.numClasses,
          rng,
          net.device,
        );
        return [torch.cat([x.lab.images, x.unl])];
      },
    };
  },
};
