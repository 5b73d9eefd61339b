// Share of the unlabeled pixels whose largest CRF marginal, and whose largest softmax probability,
// reach each confidence, for the checkpoint a run's round-0 pseudo-labels come from (no labels
// read). It showed the CRF's marginals all but one-hot, so `pseudo.minConfidence` thresholds the
// network's probability instead (docs/results.md).
// Usage: node experiments/crf-confidence.mjs RUN_DIR   (after npm run build; in the run's worktree)
import { loadConfig } from '../dist/src/method/config.js';
import { UNet } from '../dist/src/nn/index.js';
import { unlabeledPool } from '../dist/src/method/pools.js';
import { crfParamsOf, gatherImages } from '../dist/src/method/pseudo-labels.js';
import { predictProbabilities } from '../dist/src/method/predict.js';
import { denseCrf } from '../dist/src/method/pseudo/crf.js';
import { runFiles, semiSupervisedStart } from '../dist/src/method/run-dir.js';
import { makePreprocessor, openDataset, unetConfig } from '../dist/src/method/setup.js';
import { loadCheckpoint } from '../dist/src/method/train/checkpoint.js';
import * as torch from '../dist/src/torch/index.js';
const run = process.argv[2];
const cfg = loadConfig(runFiles(run).config);
torch.setNumThreads(1);
const ds = await openDataset(cfg);
const pool = unlabeledPool(await ds.unlabeledTrain(), makePreprocessor(cfg));
const net = new UNet(unetConfig(cfg, ds.classNames.length));
loadCheckpoint(semiSupervisedStart(run, cfg), net, null, null);
const params = crfParamsOf(cfg);
const thresholds = [0.5, 0.7, 0.8, 0.9, 0.95, 0.99];
const atCrf = thresholds.map(() => 0);
const atSoftmax = thresholds.map(() => 0);
let pixels = 0;
const [h, w] = pool.size;
const classes = ds.classNames.length;
for (let start = 0; start < pool.count; start += cfg.pseudo.batchSize) {
  const slices = Array.from(
    { length: Math.min(cfg.pseudo.batchSize, pool.count - start) },
    (_, k) => start + k,
  );
  const images = gatherImages(pool, slices);
  const probs = predictProbabilities(net, images, slices.length, [h, w], cfg.pseudo.batchSize);
  torch.tidy(() => {
    const p = torch.tensor(probs, [slices.length, classes, h, w]);
    const q = denseCrf(p, torch.tensor(images, [slices.length, 1, h, w]), params);
    const crfMax = q.max(1).values.data();
    const softmaxMax = p.max(1).values.data();
    pixels += crfMax.length;
    thresholds.forEach((t, k) => {
      for (let i = 0; i < crfMax.length; i++) {
        if (crfMax[i] >= t) atCrf[k]++;
        if (softmaxMax[i] >= t) atSoftmax[k]++;
      }
    });
  });
}
const pct = (n) => ((100 * n) / pixels).toFixed(2);
thresholds.forEach((t, k) =>
  console.log(
    `≥ ${t}: largest CRF marginal ${pct(atCrf[k])} %, largest softmax ${pct(atSoftmax[k])} %`,
  ),
);
process.exit(0);
