import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { loadDataset } from '../../src/data/index.js';
import { loadConfig } from '../../src/method/config.js';
import { loadModel } from '../../src/method/model-file.js';
import { evalVolumes } from '../../src/method/pools.js';
import { scoreVolumes } from '../../src/method/validate.js';
import { predictVolume } from '../../src/eval/predict-volume.js';
import { summarizeVolumes } from '../../src/metrics/aggregate.js';
import { evaluateVolume } from '../../src/metrics/evaluate.js';
import { sharedDataDir, skipWithoutData } from '../helpers/shared-data.js';

// The pretrained models under models/: each loads, has its model card, and reproduces the card's
// validation Dice on the real validation volumes (float16 weights, so within 0.5 points): the
// network's, and what `predict` gives with the file's largest-component post-processing.
const models = existsSync('models')
  ? readdirSync('models').filter((f) => f.endsWith('.safetensors'))
  : [];

test('models/ ships the ACDC 1, 3, 7 and PROMISE12 1, 2 models, each with the baseline of its run', () => {
  assert.deepEqual(models.sort(), [
    'acdc-1-baseline.safetensors',
    'acdc-1.safetensors',
    'acdc-3-baseline.safetensors',
    'acdc-3.safetensors',
    'acdc-7-baseline.safetensors',
    'acdc-7.safetensors',
    'promise12-1-baseline.safetensors',
    'promise12-1.safetensors',
    'promise12-2-baseline.safetensors',
    'promise12-2.safetensors',
  ]);
});

for (const file of models) {
  const path = join('models', file);
  const model = loadModel(path);
  const card = model.metadata;
  const cfg = loadConfig(card['card.config']);
  const sub = cfg.data.kind === 'acdc-h5' ? 'ACDC' : 'PROMISE12';

  test(`${file}: model card, float16 weights, the paper's UNet`, () => {
    const md = readFileSync(path.replace(/\.safetensors$/, '.md'), 'utf8');
    assert.match(md, new RegExp(card['card.config'].replace(/\./g, '\\.')));
    assert.ok(md.includes(`--model ${path}`));
    // The paper's UNet with both heads: 2,096,304 parameters for 4 classes, 144 fewer per class.
    assert.equal(model.net.numParameters(), 2_096_304 - 144 * (4 - model.classNames.length));
    const bytes = readFileSync(path);
    const header = JSON.parse(bytes.subarray(8, 8 + Number(bytes.readBigUInt64LE(0))).toString());
    const dtypes = new Set(
      Object.entries(header)
        .filter(([k]) => k !== '__metadata__')
        .map(([, v]) => (v as { dtype: string }).dtype),
    );
    assert.ok(dtypes.has('F16') && !dtypes.has('F32'), `dtypes ${[...dtypes]}`);
  });

  test(
    `${file}: reproduces its card's validation Dice`,
    { skip: skipWithoutData(sub) },
    async () => {
      const data = { ...cfg.data, root: resolve(sharedDataDir() as string, sub) };
      const dataset = await loadDataset(data);
      const volumes = evalVolumes(
        await dataset.validation(),
        model.preprocessor,
        dataset.classNames.length,
      );
      const score = scoreVolumes(model.net, volumes, model.preprocessor);
      const expected = Number(card['card.validation_dice']);
      assert.ok(Math.abs(score.dice - expected) < 0.005, `Dice ${score.dice} vs card ${expected}`);
      const post = card['card.validation_dice_keep_largest'];
      if (post === undefined) return; // a model shipped before the post-processing
      const classes = dataset.classNames.length;
      const predicted = (await dataset.validation()).map(({ image, label }) =>
        evaluateVolume(predictVolume(model, image), label, classes, label.spacing),
      );
      const dice = summarizeVolumes(predicted).overall.dice.mean;
      assert.ok(
        Math.abs(dice - Number(post)) < 0.005,
        `post-processed (${model.keepLargest}) Dice ${dice} vs card ${post}`,
      );
    },
  );
}
