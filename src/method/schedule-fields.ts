import { z } from 'zod';

/**
 * Config fields that several stages share, spread into their sections (src/method/config.ts,
 * src/method/methods/). The order of a section's keys is kept, so resolved configs of earlier runs
 * compare equal on `--resume`.
 */

/** How often a stage scores the validation volumes and writes its resume checkpoint. */
export const checkpointFields = {
  valEvery: z.number().int().min(1).default(50),
  checkpointEvery: z.number().int().min(1).default(50),
};

/** Length and batches of a stage that draws labeled and unlabeled slices every iteration. */
export const unlabeledStageFields = {
  iterations: z.number().int().min(1).default(15000),
  labeledBatchSize: z.number().int().min(1).default(12),
  unlabeledBatchSize: z.number().int().min(1).default(12),
};
