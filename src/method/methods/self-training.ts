import type { MethodSpec } from './types.js';
import type { JointPools } from '../train/joint.js';
import { semiSupervisedStreams } from '../seed-streams.js';

/**
 * The self-training ablation (method.md A.2 without the contrastive loss): rounds of pseudo-labels
 * and segmentation training on labeled and pseudo-labeled slices (config `joint`).
 */
export const selfTraining: MethodSpec = {
  name: 'self-training',
  description: 'rounds of pseudo-labels and segmentation training (the ablation)',
  seeds: semiSupervisedStreams(2),
  // The joint section's schedule fields (valEvery, lr, ...), over all rounds.
  schedule: (cfg) => ({
    ...cfg.joint,
    iterations: cfg.joint.rounds * iterationsPerRound(cfg.joint),
  }),
  start: { from: 'baseline', init: (cfg) => cfg.joint.init },
  pseudoLabels: {
    iterationsPerRound: (cfg) => iterationsPerRound(cfg.joint),
    draws: (cfg) => cfg.joint.segBatchSize * iterationsPerRound(cfg.joint),
  },
  selected: (cfg) => (cfg.joint.selection === 'global-best' ? 'best' : 'latest-best'),
  async trainer() {
    const { selfTrainingBatch, selfTrainingStep } = await import('../train/joint.js');
    return {
      step: (stage, data, cfg, loss) =>
        selfTrainingStep(stage, data.round as JointPools, cfg, loss),
      bnInputs: (data, cfg, net, rng) => [
        selfTrainingBatch(data.round as JointPools, cfg, net.config.numClasses, rng, net.device)
          .images,
      ],
    };
  },
};

/** Self-training's own iterations per round (equal wall-clock), else the joint stages'. */
function iterationsPerRound(j: {
  iterationsPerRound: number;
  selfTrainingIterationsPerRound?: number;
}): number {
  return j.selfTrainingIterationsPerRound ?? j.iterationsPerRound;
}
