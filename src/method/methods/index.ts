import { InputError } from '../../errors.js';
import { baseline } from './baseline.js';
import { fixmatch } from './fixmatch.js';
import { meanTeacher } from './mean-teacher.js';
import { proposed } from './proposed.js';
import { selfTraining } from './self-training.js';
import type { MethodSpec } from './types.js';

export type {
  MethodSpec,
  MethodTrainer,
  SelectedCheckpoint,
  StageData,
  StageSchedule,
} from './types.js';
export { SEED_STREAMS, semiSupervisedStreams } from '../seed-streams.js';

/**
 * The registry of training methods, in the order the pipeline runs them and the report lists
 * them. The first is the supervised baseline that the others start from (run.ts); adding a
 * method is one file in this folder plus its line here, and its name (and config section, if it
 * has one) in ../method-config.ts.
 */
export const METHODS: readonly MethodSpec[] = [
  baseline,
  selfTraining,
  proposed,
  fixmatch,
  meanTeacher,
];

/** The method every other starts from (stage 1). */
export const BASELINE: MethodSpec = baseline;

export const methodNames: readonly string[] = METHODS.map((m) => m.name);

/** The registered method of that name; InputError otherwise. */
export function methodSpec(name: string): MethodSpec {
  const m = METHODS.find((s) => s.name === name);
  if (!m) throw new InputError(`unknown method '${name}' (use ${methodNames.join(', ')})`, name);
  return m;
}
