import type { UNet } from '../../nn/index.js';
import { meanTeacherSettings } from '../method-config.js';
import type { MethodSpec } from './types.js';
import { semiSupervisedStreams } from '../seed-streams.js';

/**
 * Mean Teacher: the student trains on the labeled slices and towards an exponential moving average
 * of itself (the teacher, saved in the resume checkpoint) on noisy unlabeled slices
 * (src/method/train/mean-teacher.ts); it starts from all of the baseline's best weights, and the
 * student's best validation checkpoint is kept.
 */
export const meanTeacher: MethodSpec = {
  name: 'mean-teacher',
  description: 'Mean Teacher: consistency with an EMA teacher, from the baseline',
  seeds: semiSupervisedStreams(4),
  schedule: (cfg) => meanTeacherSettings(cfg),
  start: { from: 'baseline', init: () => 'full' },
  selected: () => 'best',
  needsUnlabeled: true,
  async trainer() {
    const torch = await import('../../torch/index.js');
    const mt = await import('../train/mean-teacher.js');
    const { copyOfNetwork } = await import('../train/model-ema.js');
    return {
      prepare: (stage) => {
        // The teacher starts as a copy of the student.
        stage.aux = { teacher: copyOfNetwork(stage.net) };
      },
      step: (stage, data, cfg, loss, iteration) =>
        mt.meanTeacherStep(
          stage,
          stage.aux?.teacher as UNet,
          data.labeled,
          data.unlabeled,
          cfg,
          loss,
          iteration,
        ),
      bnInputs: (data, cfg, net, rng) => {
        // The student's forward pass of an iteration.
        const x = mt.meanTeacherBatch(
          data.labeled,
          data.unlabeled,
          cfg,
          net.config.numClasses,
          rng,
          net.device,
        );
        return [torch.cat([x.lab.images, x.unl])];
      },
    };
  },
};
