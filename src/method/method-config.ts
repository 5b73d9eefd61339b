import { z } from 'zod';
import { stageScheduleFields, unlabeledStageFields } from './schedule-fields.js';

/**
 * What the run config knows of the training methods: the names its `methods` may list, those it
 * lists by default, and the config sections of the methods that have their own. The methods
 * themselves (src/method/methods/) import the config, so the config takes this from here, not
 * from their registry; test/method/config.test.ts checks that the registry names the same
 * methods in the same order.
 */

/** The methods `contraseg run` may train after the baseline, in the registry's order. */
export const SEMI_SUPERVISED_METHODS = [
  'self-training',
  'proposed',
  'fixmatch',
  'mean-teacher',
] as const;

export type SemiSupervisedMethod = (typeof SEMI_SUPERVISED_METHODS)[number];

/** Config `methods` when a config does not set it: the paper's ablation and the paper's method. */
export const DEFAULT_METHODS: readonly SemiSupervisedMethod[] = ['self-training', 'proposed'];

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

/** The methods' own config sections, after the joint stages' (src/method/config.ts). */
export const methodConfigSections = {
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
  /**
   * Mean Teacher (Tarvainen & Valpola 2017, as SSL4MIS trains it). Optional, so that the
   * resolved config.json of a run that does not set it stays as it was (`--resume` compares it);
   * `meanTeacherSettings` fills in the defaults.
   */
  meanTeacher: meanTeacherSchema.optional(),
};

/** A run's meanTeacher section with its defaults. */
export function meanTeacherSettings(cfg: {
  meanTeacher?: z.output<typeof meanTeacherSchema>;
}): z.output<typeof meanTeacherSchema> {
  return cfg.meanTeacher ?? meanTeacherSchema.parse({});
}
