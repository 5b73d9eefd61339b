import { deriveSeed } from '../util/rng.js';

/**
 * The random streams of a run, by name: the first key of `deriveSeed(cfg.seed, key, ...)`. The
 * numbers are part of every run's identity (a run reproduces bit for bit only with the same keys):
 * never renumber one, add a new stream with a new number. The pipeline writes the seed of every
 * stream a stage uses to the run directory's seeds.json (src/method/run-dir.ts).
 */
export const SEED_STREAMS = {
  /** LibTorch's generator of the baseline: network initialisation, then the engine's draws. */
  baselineTorch: 1,
  /** The baseline's host-side Rng (src/util/rng.ts): batches and augmentation parameters. */
  baselineRng: 2,
  /** LibTorch's generator of a semi-supervised stage: `[torch, the method's stream number]`. */
  torch: 3,
  /** The host-side Rng of a semi-supervised stage: `[rng, the method's stream number]`. */
  rng: 4,
  /** The TTA filter of round r's pseudo-labels (method.md A.3 step 1): `[pseudoLabelFilter, r]`. */
  pseudoLabelFilter: 5,
  /** Which unlabeled slices round r labels (config draws): `[pseudoLabelSlices, r]`. */
  pseudoLabelSlices: 6,
  /** The batches of a stage's batch-norm re-estimation (config bnUpdate): `[bnUpdate, n]`. */
  bnUpdate: 7,
  /** Which validation volumes select checkpoints (config validation.volumes): `[validationVolumes]`. */
  validationVolumes: 8,
  /**
   * Rank k > 0's own copy of a stage's stream of seed s in data-parallel training:
   * `deriveSeed(s, rank, k)` (rank 0 draws from s itself, src/method/distributed/streams.ts).
   */
  rank: 9,
} as const;

/** The keys after `cfg.seed` that name a stream (`deriveSeed(cfg.seed, ...key)`). */
export type StreamKey = readonly number[];

/** The streams of a stage of its own, as its method declares them (MethodSpec.seeds). */
export interface StageStreamKeys {
  /** LibTorch's generator, seeded at the stage's start (initialisation, then the engine). */
  torch: StreamKey;
  /** The stage's host-side Rng (batches, augmentation, its resume state in the checkpoint). */
  rng: StreamKey;
  /** The batches of the batch-norm re-estimation (src/method/bn-update.ts). */
  bnUpdate: StreamKey;
}

/**
 * The streams of a semi-supervised method with stream number n (each method its own number, the
 * baseline's bnUpdate 0): `[torch, n]`, `[rng, n]` and `[bnUpdate, n]`.
 */
export function semiSupervisedStreams(n: number): StageStreamKeys {
  return {
    torch: [SEED_STREAMS.torch, n],
    rng: [SEED_STREAMS.rng, n],
    bnUpdate: [SEED_STREAMS.bnUpdate, n],
  };
}

/** The seed of a stream of the run seeded with `seed`. */
export function streamSeed(seed: number, key: StreamKey): number {
  return deriveSeed(seed, ...key);
}

/** Which unlabeled slices round r labels. */
export const pseudoLabelSlicesKey = (round: number): StreamKey => [
  SEED_STREAMS.pseudoLabelSlices,
  round,
];
/** The TTA filter of round r's pseudo-labels. */
export const pseudoLabelFilterKey = (round: number): StreamKey => [
  SEED_STREAMS.pseudoLabelFilter,
  round,
];
/** Which validation volumes select checkpoints. */
export const VALIDATION_VOLUMES_KEY: StreamKey = [SEED_STREAMS.validationVolumes];

/**
 * The seed of rank k's own copy of a stream of seed s: s itself for rank 0 (a world of one rank
 * draws exactly what a plain run draws), `deriveSeed(s, rank, k)` otherwise.
 */
export function rankSeed(seed: number, rank: number): number {
  return rank === 0 ? seed : deriveSeed(seed, SEED_STREAMS.rank, rank);
}

/** One stream's key and the seed derived from it. */
export interface StreamSeed {
  key: number[];
  seed: number;
}

/**
 * The seeds of every stream a stage draws from (the run directory's seeds.json holds them, by
 * stage): its own generators, the bnUpdate batches (when enabled), the choice of validation
 * volumes, per pseudo-label round the slices and the TTA filter (index = round), and in a
 * data-parallel run the other ranks' copies of its generators.
 */
export interface StageSeeds {
  torch: StreamSeed;
  rng: StreamSeed;
  bnUpdate?: StreamSeed;
  validationVolumes: StreamSeed;
  pseudoLabelSlices?: StreamSeed[];
  pseudoLabelFilter?: StreamSeed[];
  /** Ranks 1.. of a data-parallel run: the seeds of their LibTorch generator and Rng. */
  ranks?: Array<{ rank: number; torch: number; rng: number }>;
}

/** What stageSeeds reads of a method and of the config (MethodSpec and RunConfig fit). */
export interface StageSeedInputs {
  seeds: StageStreamKeys;
  /** Pseudo-label rounds of the stage (0 or absent: none). */
  rounds: number;
}

/** The seeds of a stage's streams for a run seeded with `seed` (see StageSeeds). */
export function stageSeeds(
  seed: number,
  s: StageSeedInputs,
  o: { bnUpdate: boolean; worldSize: number },
): StageSeeds {
  const at = (key: StreamKey): StreamSeed => ({ key: [...key], seed: streamSeed(seed, key) });
  const out: StageSeeds = {
    torch: at(s.seeds.torch),
    rng: at(s.seeds.rng),
    ...(o.bnUpdate ? { bnUpdate: at(s.seeds.bnUpdate) } : {}),
    validationVolumes: at(VALIDATION_VOLUMES_KEY),
  };
  if (s.rounds > 0) {
    const rounds = Array.from({ length: s.rounds }, (_, r) => r);
    out.pseudoLabelSlices = rounds.map((r) => at(pseudoLabelSlicesKey(r)));
    out.pseudoLabelFilter = rounds.map((r) => at(pseudoLabelFilterKey(r)));
  }
  if (o.worldSize > 1) {
    out.ranks = Array.from({ length: o.worldSize - 1 }, (_, k) => ({
      rank: k + 1,
      torch: rankSeed(out.torch.seed, k + 1),
      rng: rankSeed(out.rng.seed, k + 1),
    }));
  }
  return out;
}
