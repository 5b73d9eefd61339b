import type { MethodSpec } from './types.js';
import type { JointPools } from '../train/joint.js';
import { semiSupervisedStreams } from '../seed-streams.js';

/**
 * The proposed method (method.md A.2, C.4): rounds of pseudo-labels and joint training with the
 * local contrastive loss (config `joint`).
 */
export const proposed: MethodSpec = {
  name: 'proposed',
  description: 'rounds of pseudo-labels and joint segmentation + local contrastive training',
  showcase: true,
  seeds: semiSupervisedStreams(1),
  // The joint section's schedule fields (valEvery, lr, ...), over all rounds.
  schedule: (cfg) => ({
    ...cfg.joint,
    iterations: cfg.joint.rounds * cfg.joint.iterationsPerRound,
  }),
  start: { from: 'baseline', init: (cfg) => cfg.joint.init },
  pseudoLabels: {
    iterationsPerRound: (cfg) => cfg.joint.iterationsPerRound,
    draws: (cfg) =>
      (30 * cfg.joint.pairs + (cfg.joint.pseudoSegBatchSize ?? 0)) * cfg.joint.iterationsPerRound,
  },
  selected: (cfg) => (cfg.joint.selection === 'global-best' ? 'best' : 'latest-best'),
  async trainer() {
    const torch = await import('../../torch/index.js');
    const { proposedBatch, proposedStep } = await import('../train/joint.js');
    return {
      step: (stage, data, cfg, loss) => proposedStep(stage, data.round as JointPools, cfg, loss),
      bnInputs: (data, cfg, net, rng) => {
        const b = proposedBatch(
          data.round as JointPools,
          cfg,
          net.config.numClasses,
          rng,
          net.device,
        );
        // The forward pass of a proposed iteration: segmentation slices and both views together.
        return b ? [torch.cat([b.segImages, b.contrastImages])] : [];
      },
    };
  },
};
