import type { TrainerState } from './checkpoint.js';

/**
 * Fills in the time fields that checkpoints and done.json files written before they were recorded
 * lack. Its own module so that run-dir.ts (read by scripts without LibTorch) need not load the
 * checkpoint code.
 */
export function fillTimeDefaults(state: TrainerState): TrainerState {
  state.validationSeconds ??= 0;
  state.cpuSeconds ??= 0;
  return state;
}
