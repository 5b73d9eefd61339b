import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { Preprocessor } from '../../src/data/preprocess.js';
import { readListFile } from '../../src/data/inputs.js';
import { predictVolume } from '../../src/eval/predict-volume.js';
import { readHdf5 } from '../../src/io/hdf5.js';
import type { Volume } from '../../src/io/volume.js';
import { UNet, paperUNetConfig } from '../../src/nn/index.js';
import type { LoadedModel } from '../../src/method/model-file.js';
import * as torch from '../../src/torch/index.js';
import { sharedDataDir, skipWithoutData } from '../helpers/shared-data.js';

// Prediction time of one ACDC validation volume at 192 x 192 on 2 threads with the paper's UNet
// (untrained weights: the time does not depend on them), after the model is loaded.
test(
  'timing: predicting one ACDC validation volume at 192x192 on 2 threads',
  { skip: skipWithoutData('ACDC/val.list') },
  async (t) => {
    const root = join(sharedDataDir()!, 'ACDC');
    const id = readListFile(join(root, 'val.list')).find((v) => v.endsWith('_frame01'))!;
    const image = (await readHdf5(join(root, 'data', `${id}.h5`), ['image'])).get(
      'image',
    ) as Volume;
    const threads = torch.getNumThreads();
    torch.setNumThreads(2);
    torch.manualSeed(0);
    const net = new UNet({ ...paperUNetConfig, numClasses: 4 });
    net.eval();
    const model: LoadedModel = {
      net,
      preprocessor: new Preprocessor({
        mode: 'resize',
        size: [192, 192],
        imageOrder: 1,
        inverse: 'linear',
      }),
      classNames: ['background', 'RV', 'Myo', 'LV'],
      metadata: {},
    };
    try {
      const depth = image.shape[0];
      const time = (tta: 'none' | 'flip') => {
        const start = performance.now();
        const label = predictVolume(model, image, { tta });
        const seconds = (performance.now() - start) / 1000;
        assert.deepEqual(label.shape, image.shape);
        return seconds;
      };
      const first = time('none');
      const runs = [time('none'), time('none')];
      const best = Math.min(...runs);
      const flip = time('flip');
      const lines = [
        `${id}: ${image.shape.join('x')} (D x H x W) -> ${depth} slices of 192x192, paper UNet ` +
          `(${net.numParameters().toLocaleString('en-US')} parameters), 2 threads`,
        `first call ${first.toFixed(2)} s; then ${runs.map((s) => s.toFixed(2)).join(' s, ')} s per volume`,
        `best ${best.toFixed(2)} s per volume = ${((1000 * best) / depth).toFixed(0)} ms per slice ` +
          `(preprocessing, forward passes, inverse mapping)`,
        `flip TTA ${flip.toFixed(2)} s per volume = ${((1000 * flip) / depth).toFixed(0)} ms per slice`,
      ];
      for (const line of lines) t.diagnostic(line);
      // Loose: a shared 2-core machine can be slow, but not minutes per volume.
      assert.ok(best < 60, `${best} s per volume`);
    } finally {
      net.dispose();
      torch.setNumThreads(threads);
    }
  },
);
