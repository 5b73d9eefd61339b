import type { RunConfigInput } from '../../src/method/config.js';

/** A pipeline small enough for tests: 32×32 phantom slices, a 3-level UNet, a few iterations. */
export const tinyConfig: RunConfigInput = {
  name: 'tiny',
  seed: 7,
  threads: 1,
  data: {
    kind: 'phantom',
    seed: 3,
    labeledVolumes: 1,
    unlabeledVolumes: 3,
    validationVolumes: 1,
    testVolumes: 2,
    slices: 4,
    size: 64,
  },
  preprocess: { mode: 'spacing', targetSpacing: [6, 6], cropSize: [32, 32] },
  model: { filters: [8, 16, 16], embeddingDim: 8 },
  baseline: { iterations: 12, batchSize: 4, valEvery: 4, checkpointEvery: 3 },
  pseudo: { crf: [0.01, 0.5, 10, 3, 30, 3], batchSize: 8 },
  joint: {
    rounds: 2,
    iterationsPerRound: 6,
    segBatchSize: 4,
    pairs: 2,
    valEvery: 3,
    checkpointEvery: 2,
  },
};
