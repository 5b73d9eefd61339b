/**
 * `contraseg bench timings`: the wall-clock measurements that used to be unit-test budgets
 * (evaluateVolume on a 16x256x256 volume, the augmentation of a batch against one UNet step,
 * phantom generation, loading ACDC, predicting one ACDC volume). Each prints numbers and asserts
 * nothing about time: a loaded machine changes the numbers, not the correctness, which the tests
 * keep checking. The ACDC measurements are left out (with the reason) when the shared data are
 * absent.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AcdcH5Dataset } from '../src/data/acdc-h5.js';
import { augmentSegmentationBatch, contrastiveIntensity } from '../src/data/augment.js';
import { readListFile } from '../src/data/inputs.js';
import { generatePhantomVolume } from '../src/data/phantom.js';
import { Preprocessor } from '../src/data/preprocess.js';
import { predictVolume } from '../src/eval/predict-volume.js';
import { readHdf5 } from '../src/io/hdf5.js';
import type { Volume } from '../src/io/volume.js';
import type { LoadedModel } from '../src/method/model-file.js';
import type { Shape3, Spacing3 } from '../src/metrics/edt.js';
import { evaluateVolume } from '../src/metrics/evaluate.js';
import { Adam, UNet, paperUNetConfig } from '../src/nn/index.js';
import * as torch from '../src/torch/index.js';
import { Rng } from '../src/util/rng.js';
import { syntheticBatch } from '../test/data/augment-helpers.js';
import { jitter, paintEllipsoid, rng, type Ellipsoid } from '../test/metrics/synthetic.js';

export const TIMINGS = ['evaluate', 'augment', 'phantom', 'acdc-load', 'acdc-predict'] as const;
export type TimingName = (typeof TIMINGS)[number];

const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const round = (x: number, digits = 1): number => Number(x.toFixed(digits));

/** The shared data as in test/helpers/shared-data.ts: $CONTRASEG_DATA, else ../shared/data. */
function acdcRoot(): string | null {
  const dir = join(process.env.CONTRASEG_DATA ?? resolve('..', 'shared', 'data'), 'ACDC');
  return existsSync(join(dir, 'val.list')) ? dir : null;
}

/** evaluateVolume on 16x256x256 with 3 nested classes (was test/eval/evaluate-speed.test.ts). */
function timeEvaluate() {
  const shape: Shape3 = [16, 256, 256];
  const spacing: Spacing3 = [10, 1.5, 1.5];
  const nested = (rand: () => number, r: number, jitterFrac: number): Uint8Array => {
    const out = new Uint8Array(shape[0] * shape[1] * shape[2]);
    const outer: Ellipsoid = { centre: [80, 190, 195], radii: [70, r, r * 0.9] };
    [1, 0.7, 0.45].forEach((f, k) => {
      const e = { centre: outer.centre, radii: outer.radii.map((x) => x * f) as Spacing3 };
      paintEllipsoid(out, shape, spacing, jitterFrac ? jitter(rand, e, jitterFrac) : e, k + 1);
    });
    return out;
  };
  const cases: Array<{ structures: string; medianMs: number }> = [];
  for (const [structures, r] of [
    ['cardiac-sized (r = 45 mm)', 45],
    ['filling most of the slice (r = 180 mm)', 180],
  ] as const) {
    const rand = rng(3);
    const gt = { shape, data: nested(rand, r, 0) };
    const pred = { shape, data: nested(rand, r, 0.15) };
    const run = () => evaluateVolume(pred, gt, 4, spacing);
    run();
    const times = Array.from({ length: 3 }, () => {
      const t0 = performance.now();
      run();
      return performance.now() - t0;
    });
    cases.push({ structures, medianMs: round(median(times)) });
  }
  return { volume: '16x256x256, 3 classes, median of 3', cases };
}

/** Augmenting a 20 x 192^2 batch against one paper-UNet training step, 2 threads
 * (was test/data/augment-speed.test.ts). */
function timeAugment() {
  const threads = torch.getNumThreads();
  torch.setNumThreads(2);
  torch.manualSeed(0);
  const [n, size, classes] = [20, 192, 4];
  const { images, labels } = syntheticBatch(n, size, size);
  const rng = new Rng(0);
  const augment = () => augmentSegmentationBatch(images, labels, classes, { rng });
  for (let i = 0; i < 2; i++) torch.dispose(augment());
  const augMs: number[] = [];
  for (let i = 0; i < 9; i++) {
    const t = performance.now();
    torch.dispose(augment());
    augMs.push(performance.now() - t);
  }
  const contrastMs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    contrastiveIntensity(images.slice(0, 0, 10), { rng }).dispose();
    contrastMs.push(performance.now() - t);
  }
  // One UNet step: forward, Dice loss on the augmented soft labels, backward, Adam step.
  const net = new UNet({ numClasses: classes });
  net.train();
  const opt = new Adam(net.parameters(), { lr: 1e-3 });
  const batch = augment();
  const diceLoss = (logits: torch.Tensor, target: torch.Tensor): torch.Tensor =>
    torch.tidy(() => {
      const p = logits.softmax(1);
      const inter = p.mul(target).sum([2, 3]);
      const denom = p
        .sum([2, 3])
        .add(target.sum([2, 3]))
        .add(1e-10);
      return inter.mul(2).div(denom).mean().rsub(1);
    });
  const step = (k: number) =>
    torch.tidy(() => {
      opt.zeroGrad();
      const x = batch.images.slice(0, 0, k);
      diceLoss(net.forward(x), batch.labels.slice(0, 0, k)).backward();
      opt.step();
      return null;
    });
  step(4); // warm-up (Adam state, kernel paths)
  const t0 = performance.now();
  step(n);
  const stepMs = performance.now() - t0;
  torch.dispose([batch, images, labels]);
  net.dispose();
  opt.dispose();
  torch.setNumThreads(threads);
  const a = median(augMs);
  return {
    batch: '20 x 192^2, 4 classes, 2 threads',
    augmentMedianMs: round(a),
    augmentMinMs: round(Math.min(...augMs)),
    contrastiveIntensity10SlicesMedianMs: round(median(contrastMs)),
    unetStepBatch20Ms: round(stepMs, 0),
    augmentPercentOfStep: round((100 * a) / stepMs),
  };
}

/** 30 phantom volumes of 8 x 128 x 128 (was a test in test/data/phantom.test.ts). */
function timePhantom() {
  const start = performance.now();
  for (let i = 0; i < 30; i++) generatePhantomVolume(1000 + i, 8, 128);
  return { volumes: '30 x [8, 128, 128]', ms: round(performance.now() - start, 0) };
}

/** All ACDC training slices and validation volumes (was test/data/acdc-load-time.test.ts). */
async function timeAcdcLoad(root: string) {
  const start = performance.now();
  const ds = AcdcH5Dataset.open({ root, labeledPatients: 3 });
  const [labeled, unlabeled, val] = [
    await ds.labeledTrain(),
    await ds.unlabeledTrain(),
    await ds.validation(),
  ];
  const ms = performance.now() - start;
  const slices = (cases: typeof unlabeled) => cases.reduce((n, c) => n + c.image.shape[0], 0);
  return {
    trainingSlices: slices(labeled) + slices(unlabeled),
    validationVolumes: val.length,
    ms: round(ms, 0),
  };
}

/** One ACDC validation volume at 192x192, paper UNet (untrained), 2 threads
 * (was test/eval/predict-timing.test.ts). */
async function timeAcdcPredict(root: string) {
  const id = readListFile(join(root, 'val.list')).find((v) => v.endsWith('_frame01'))!;
  const image = (await readHdf5(join(root, 'data', `${id}.h5`), ['image'])).get('image') as Volume;
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
    const time = (tta: 'none' | 'flip') => {
      const start = performance.now();
      predictVolume(model, image, { tta });
      return (performance.now() - start) / 1000;
    };
    const first = time('none');
    const runs = [time('none'), time('none')];
    const best = Math.min(...runs);
    const flip = time('flip');
    const depth = image.shape[0];
    return {
      volume: `${id}: ${image.shape.join('x')}`,
      parameters: net.numParameters(),
      firstCallS: round(first, 2),
      runsS: runs.map((s) => round(s, 2)),
      bestMsPerSlice: round((1000 * best) / depth, 0),
      flipTtaS: round(flip, 2),
      flipTtaMsPerSlice: round((1000 * flip) / depth, 0),
    };
  } finally {
    net.dispose();
    torch.setNumThreads(threads);
  }
}

/** Runs the named measurements (all by default), in order, `log` naming each as it starts. */
export async function benchTimings(
  names: readonly TimingName[] = TIMINGS,
  log: (s: string) => void = () => {},
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const root = acdcRoot();
  for (const name of names) {
    log(`timing ${name}`);
    if (name === 'evaluate') out[name] = timeEvaluate();
    else if (name === 'augment') out[name] = timeAugment();
    else if (name === 'phantom') out[name] = timePhantom();
    else if (!root) out[name] = { skipped: 'shared data ACDC absent (set CONTRASEG_DATA)' };
    else if (name === 'acdc-load') out[name] = await timeAcdcLoad(root);
    else out[name] = await timeAcdcPredict(root);
  }
  return out;
}
