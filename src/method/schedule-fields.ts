import { z } from 'zod';

/**
 * Config fields that several stages share, spread into their sections (src/method/config.ts,
 * src/method/methods/). The order of a section's keys is kept, so resolved configs of earlier runs
 * compare equal on `--resume`.
 */

/**
 * How often a stage scores the validation volumes and writes its resume checkpoint, and how its
 * learning rate changes over its iterations.
 */
export const stageScheduleFields = {
  valEvery: z.number().int().min(1).default(50),
  checkpointEvery: z.number().int().min(1).default(50),
  /**
   * The stage's learning-rate schedule over all its iterations (every round included): 'constant'
   * or 'poly', lr·(1 − t/T)^0.9 (SSL4MIS). Default: the optimiser's (`optimizer.poly` for SGD,
   * constant for Adam, as the paper). Optional, so that config.json of a run that does not set it
   * stays as it was; set on the semi-supervised stages only, a baseline can still be shared
   * (`--baseline-from`).
   */
  lrSchedule: z.enum(['constant', 'poly']).optional(),
  /**
   * The stage's learning rate (the start of its decay with 'poly'). Default `optimizer.lr`. A
   * stage that starts from the baseline's checkpoint with its optimiser state (`init: "full"`)
   * takes this rate, not the baseline's last. Optional, as `lrSchedule`.
   */
  lr: z.number().gt(0).optional(),
  /**
   * Decay of an exponential moving average of the stage's weights (timm's ModelEmaV2, PyTorch's
   * AveragedModel with get_ema_multi_avg_fn and use_buffers; src/method/train/model-ema.ts). The
   * stage then validates the average, saves it as the weights of its best checkpoints (which
   * start later rounds and stages and are exported) and scores it as its last weights; training
   * updates the raw weights, which the resume checkpoint keeps beside the average. Optional:
   * absent, the stage evaluates its raw weights, and config.json of a run that does not set it
   * stays as it was.
   */
  modelEmaDecay: z.number().gt(0).lt(1).optional(),
};

/** A stage's learning-rate schedule (`lrSchedule` of its config section). */
export type LrSchedule = 'constant' | 'poly';

/** Length and batches of a stage that draws labeled and unlabeled slices every iteration. */
export const unlabeledStageFields = {
  iterations: z.number().int().min(1).default(15000),
  labeledBatchSize: z.number().int().min(1).default(12),
  unlabeledBatchSize: z.number().int().min(1).default(12),
};
