import type { RunConfigInput } from './config.js';

/**
 * The built-in demo: the method on the synthetic phantom (1 labeled volume, 16 unlabeled, 2 for
 * validation, 10 held out for testing) at a budget a 2-core CPU finishes in minutes. It keeps the
 * paper's recipe (Dice loss, Adam 1e-3, affine + elastic augmentation, CRF pseudo-labels, 3 rounds,
 * λ = 0.1, inter-image loss) with the settings that short runs need (docs/results.md, "Demo"): the
 * joint stages continue the whole baseline, optimiser included; the contrastive views are not
 * clipped; the CRF's widths are millimetres (8 mm ≈ 2.7 px here) with a Potts weight of 10.
 */
export const demoConfig: RunConfigInput = {
  name: 'demo',
  seed: 0,
  threads: 2,
  data: {
    kind: 'phantom',
    seed: 0,
    labeledVolumes: 1,
    unlabeledVolumes: 16,
    validationVolumes: 2,
    testVolumes: 10,
    slices: 8,
    size: 128,
  },
  preprocess: { mode: 'spacing', targetSpacing: [3, 3], cropSize: [64, 64], percentiles: [1, 99] },
  // BN momentum 0.1 (PyTorch's default): the paper's 0.01 needs thousands of iterations to settle.
  model: { filters: [16, 32, 64, 64, 64], bnMomentum: 0.1 },
  augment: { views: { clip: null } },
  baseline: { iterations: 200, batchSize: 10, valEvery: 25, checkpointEvery: 25 },
  pseudo: { crf: [0.01, 0.5, 10, 8, 10, 10], crfUnits: 'mm', batchSize: 32 },
  joint: {
    rounds: 3,
    iterationsPerRound: 60,
    segBatchSize: 8,
    pairs: 4,
    init: 'full',
    valEvery: 25,
    checkpointEvery: 25,
  },
};
