// Sweep of the pseudo-label CRF on the synthetic thin-ring slice of test/method/crf_ring.ts
// (ACDC-like, 128×128, myocardium 3 px thick; no real labels): Dice per class of the CRF labels
// and of the plain argmax, for Gaussian widths g_sxy, Potts weights g_w2 and logit margins.
// Usage (after `npx tsc -p tsconfig.json`):
//   node experiments/crf-ring-sweep.mjs [--sxy 1,2,3,5,7] [--w2 3,10,30] [--margins 1,2,4,8]
//                                       [--iter 10] [--seeds 4] [--label-blur 0] [--noise 1]
import * as torch from '../dist/src/torch/index.js';
import { crfLabels, crfParamsFromList } from '../dist/src/method/pseudo/crf.js';
import { RING_CLASSES, classDice, ringSlice } from '../dist/test/method/crf_ring.js';

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? def : process.argv[i + 1].split(',').map(Number);
};
const sxys = arg('sxy', [1, 2, 3, 5, 7]);
const w2s = arg('w2', [3, 10, 30]);
const margins = arg('margins', [1, 2, 4, 8]);
const [iters] = arg('iter', [10]);
const [seeds] = arg('seeds', [4]);
const [labelBlur] = arg('label-blur', [0]);
const [noiseStd] = arg('noise', [1]);
torch.setNumThreads(1);

const pct = (v) => (100 * v).toFixed(0).padStart(3);
function scoreAll(labelsPerSeed, slices) {
  const per = [1, 2, 3].map(
    (c) =>
      slices.reduce((a, s, k) => a + classDice(labelsPerSeed[k], s.truth, c), 0) / slices.length,
  );
  const all =
    labelsPerSeed.filter((l) => new Set(l).size === RING_CLASSES).length / labelsPerSeed.length;
  return { per, all };
}
const fmt = ({ per, all }) => `${per.map(pct).join('/')} ${pct(all)}%`;

console.log(
  `Dice RV/Myo/LV (%) and share of slices with every class; ${seeds} seeds, ${iters} iterations, noise ${noiseStd}, label blur ${labelBlur} px`,
);
console.log(`setting            | ${margins.map((m) => `margin ${m}`.padEnd(16)).join('| ')}`);
const data = margins.map((margin) => {
  const slices = Array.from({ length: seeds }, (_, k) =>
    ringSlice({ margin, seed: 100 + k, labelBlur, noiseStd }),
  );
  const n = slices[0].size;
  const probs = new Float32Array(seeds * RING_CLASSES * n * n);
  const images = new Float32Array(seeds * n * n);
  slices.forEach((s, k) => {
    probs.set(s.probs, k * RING_CLASSES * n * n);
    images.set(s.image, k * n * n);
  });
  return { slices, n, probs, images };
});
function row(name, labelFn) {
  const cells = data.map((d) =>
    torch.tidy(() => {
      const p = torch.tensor(d.probs, [seeds, RING_CLASSES, d.n, d.n]);
      const im = torch.tensor(d.images, [seeds, 1, d.n, d.n]);
      const lab = labelFn(p, im).toArray();
      const plane = d.n * d.n;
      const per = d.slices.map((_, k) => lab.slice(k * plane, (k + 1) * plane));
      return fmt(scoreAll(per, d.slices));
    }),
  );
  console.log(`${name.padEnd(19)}| ${cells.map((c) => c.padEnd(16)).join('| ')}`);
}
row('argmax', (p) => p.argmax(1));
for (const w2 of w2s)
  for (const sxy of sxys) {
    const params = crfParamsFromList([0.01, 0.5, 10, sxy, w2, iters]);
    row(`g ${sxy} px, w2 ${w2}`, (p, im) => crfLabels(p, im, params));
  }
