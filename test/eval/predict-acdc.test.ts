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

// Predicting one ACDC validation volume at 192 x 192 on 2 threads with the paper's UNet (untrained
// weights) gives a label map of the image's shape, without and with flip TTA. The time is measured
// by `contraseg bench timings acdc-predict` (bench/timings.ts).
test(
  "predicting one ACDC validation volume at 192x192 on 2 threads: the label has the image's shape",
  { skip: skipWithoutData('ACDC/val.list') },
  async () => {
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
      keepLargest: [],
    };
    try {
      for (const tta of ['none', 'flip'] as const) {
        const label = predictVolume(model, image, { tta });
        assert.deepEqual(label.shape, image.shape);
      }
    } finally {
      net.dispose();
      torch.setNumThreads(threads);
    }
  },
);
