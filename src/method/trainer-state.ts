import type { RankStreams } from './distributed/streams.js';

// The trainer state, apart from the checkpoint code (which loads LibTorch), so that run-dir.ts,
// read by scripts without LibTorch, can read done.json files.

/** The scalar part of a trainer's state; tensors (weights, optimiser, torch RNG) travel beside it. */
export interface TrainerState {
  /** Next iteration to run. */
  iteration: number;
  round: number;
  bestScore: number;
  bestIteration: number;
  /** Best score threshold of the current round (method.md I-9 'latest-best' selection). */
  roundThreshold: number;
  skipped: number;
  rng: number[];
  elapsedSeconds: number;
  /** CPU seconds of this process over the same span (src/util/cpu-time.ts; rank 0's when data-parallel). */
  cpuSeconds: number;
  /** Seconds of elapsedSeconds spent validating (batch-norm re-estimation included). */
  validationSeconds: number;
  /** The most recent validation score (resets the round threshold for 'latest-best'). */
  lastValScore: number;
  /** Data-parallel runs: every rank's random streams, by rank (src/method/distributed/streams.ts). */
  ranks?: RankStreams[];
}

/** Fills in the time fields that checkpoints and done.json files written before them lack. */
export function fillTimeDefaults(state: TrainerState): TrainerState {
  state.validationSeconds ??= 0;
  state.cpuSeconds ??= 0;
  return state;
}
