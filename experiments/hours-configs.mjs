// Writes configs/hours/*.json, the real-data experiment of docs/results.md ("Real data, hours"):
// every setting gets about 4 single-thread hours (2 hours of the 2-core machine, two settings
// side by side with `bash experiments/queue.sh`), split as
//   shared baseline up to the handoff | then equal seconds for each of the four methods
// (the baseline trains on; self-training, the proposed method and FixMatch start from the
// handoff checkpoint). Budgets are iterations, so runs are deterministic and resume exactly; they
// come from per-iteration seconds measured with one thread while two runs share the 2 cores
// (`SECONDS_PER_ITERATION` below; docs/results.md gives the measurement). Pseudo-label and
// validation seconds are charged to the method that spends them.
// Usage: node experiments/hours-configs.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const SIZE = 128; // input geometry chosen by the study of configs/geometry/
const LOSS = 'dice';
/**
 * Seconds per iteration at SIZE², one thread, two runs sharing the 2 cores: baseline and proposed
 * from `contraseg bench train --json --threads 1` run twice side by side (0.66 and 1.60 s);
 * self-training and FixMatch from their images per step (16, and 16 + 8 without gradient).
 */
const SECONDS_PER_ITERATION = { baseline: 0.66, selfTraining: 1.35, proposed: 1.6, fixmatch: 1.55 };
/** Seconds of one validation (20 volumes at training resolution, batch-norm re-estimation). */
const VALIDATION_SECONDS = 12;
const VAL_EVERY = { baseline: 300, joint: 150, fixmatch: 150 };
/** Checkpoints every half validation interval: a kill loses at most about 2 minutes. */
const checkpointEvery = (valEvery) => valEvery / 2;
/** Seconds per round of pseudo-labels (forward + CRF over the unlabeled pool), per data set. */
const PSEUDO_SECONDS = { acdc: 120, promise12: 70 };
const HANDOFF_MINUTES = 45;
const METHOD_MINUTES = 48; // each of the four methods after the handoff
const ROUNDS = 3;

const SETTINGS = [
  ['acdc-1-seed0', 'acdc', 1, 0],
  ['acdc-1-seed1', 'acdc', 1, 1],
  ['acdc-1-seed2', 'acdc', 1, 2],
  ['acdc-3-seed0', 'acdc', 3, 0],
  ['acdc-7-seed0', 'acdc', 7, 0],
  ['promise12-1-seed0', 'promise12', 1, 0],
  ['promise12-2-seed0', 'promise12', 2, 0],
];

/** CRF widths as fractions of the input side (test/method/crf-behaviour.test.ts, config.ts). */
const CRF = {
  acdc: [0.0001, 0.5, 10, 0.023, 10, 10],
  promise12: [0.0001, 0.5, 10, 0.026, 30, 10],
};

const round50 = (n) => Math.max(50, Math.round(n / 50) * 50);
/** Seconds an iteration costs with its share of validation. */
const cost = (seconds, valEvery) => seconds + VALIDATION_SECONDS / valEvery;
const s = SECONDS_PER_ITERATION;
const baselineCost = cost(s.baseline, VAL_EVERY.baseline);
const handoff = round50((HANDOFF_MINUTES * 60) / baselineCost);
const methodSeconds = METHOD_MINUTES * 60;
/** Iterations per round of a joint method that fill its budget after the pseudo-labels. */
const perRound = (seconds, data) =>
  round50(
    (methodSeconds - ROUNDS * PSEUDO_SECONDS[data]) / ROUNDS / cost(seconds, VAL_EVERY.joint),
  );

mkdirSync(join('configs', 'hours'), { recursive: true });
for (const [name, data, labeled, seed] of SETTINGS) {
  const cfg = {
    name,
    seed,
    threads: 1,
    data:
      data === 'acdc'
        ? { kind: 'acdc-h5', root: '../shared/data/ACDC', labeledPatients: labeled }
        : { kind: 'png-slices', root: '../shared/data/PROMISE12', labeledCases: labeled },
    preprocess: {
      mode: 'resize',
      size: [SIZE, SIZE],
      imageOrder: 1,
      percentiles: [1, 99],
      inverse: 'linear',
    },
    model: { bnMomentum: 0.1 },
    loss: { seg: LOSS },
    augment: { views: { clip: null } },
    validation: { space: 'network' },
    baseline: {
      iterations: handoff + round50(methodSeconds / baselineCost),
      handoff,
      batchSize: 8,
      valEvery: VAL_EVERY.baseline,
      checkpointEvery: checkpointEvery(VAL_EVERY.baseline),
    },
    pseudo: { crf: CRF[data], crfUnits: 'fov', batchSize: 32 },
    joint: {
      rounds: ROUNDS,
      iterationsPerRound: perRound(s.proposed, data),
      selfTrainingIterationsPerRound: perRound(s.selfTraining, data),
      segBatchSize: 8,
      pairs: 4,
      init: 'full',
      valEvery: VAL_EVERY.joint,
      checkpointEvery: checkpointEvery(VAL_EVERY.joint),
    },
    fixmatch: {
      iterations: round50(methodSeconds / cost(s.fixmatch, VAL_EVERY.fixmatch)),
      labeledBatchSize: 8,
      unlabeledBatchSize: 8,
      valEvery: VAL_EVERY.fixmatch,
      checkpointEvery: checkpointEvery(VAL_EVERY.fixmatch),
    },
    methods: ['self-training', 'proposed', 'fixmatch'],
  };
  writeFileSync(join('configs', 'hours', `${name}.json`), `${JSON.stringify(cfg, null, 2)}\n`);
  console.log(
    `${name}: baseline ${cfg.baseline.iterations} (handoff ${handoff}), proposed ${ROUNDS}×${cfg.joint.iterationsPerRound}, self-training ${ROUNDS}×${cfg.joint.selfTrainingIterationsPerRound}, fixmatch ${cfg.fixmatch.iterations}`,
  );
}
