/**
 * `contraseg bench train`: how much of a training iteration is spent outside the network.
 *
 * For the baseline and the proposed joint iteration (their registry steps: supervisedStep,
 * proposedStep) it measures, interleaved on the same network, optimiser and data:
 * - iteration_ms: one iteration as runIterations runs it (trainIteration: schedule, sampling,
 *   gathering, augmentation, forward, loss, backward, optimiser step, metrics record appended to a
 *   real file; then iterationEnd: the setImmediate yield). Excluded: validation, the checkpoint
 *   written every `checkpointEvery` iterations and the malloc_trim after them (at most every
 *   TRIM_EVERY iterations), all amortised over many iterations.
 * - step_ms: the bare step on a pre-built batch of the same shape already on the device:
 *   zeroGrad, forward, the same loss, backward, optimiser step, nothing else.
 * ratio = iteration_ms / step_ms, medians after warm-up. Each timed iteration follows an untimed
 * one of the same kind, as in training, and each timed step an untimed step, as in a bare loop.
 *
 * method_iteration_ms: the same whole iteration of every method of the registry
 * (src/method/methods/), through its own step, for planning equal budgets
 * (experiments/hours-configs.mjs): the baseline's and the proposed method's are their
 * iteration_ms; the others' are timed after them and have no bare-step counterpart.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as torch from '../src/torch/index.js';
import { UNet } from '../src/nn/index.js';
import { Rng } from '../src/util/rng.js';
import { loadConfig, parseConfig, type RunConfig } from '../src/method/config.js';
import { runFiles } from '../src/method/run-dir.js';
import { classPresence, labeledPool, unlabeledPool, type SlicePool } from '../src/method/pools.js';
import {
  makeOptimizer,
  makePreprocessor,
  openDataset,
  segmentationLoss,
  unetConfig,
} from '../src/method/setup.js';
import { estimatePseudoLabels } from '../src/method/pseudo-labels.js';
import { jointLoss, type JointPools } from '../src/method/train/joint.js';
import {
  initialState,
  TRIM_EVERY,
  iterationEnd,
  trainIteration,
  stageClock,
  type StageContext,
  type StepResult,
} from '../src/method/train/loop.js';
import { MetricsLog } from '../src/method/train/metrics-log.js';
import { silentReporter } from '../src/method/train/reporter.js';
import { oneHot } from '../src/method/batch.js';
import { SINGLE } from '../src/method/distributed/world.js';
import { BASELINE, METHODS } from '../src/method/methods/index.js';
import { proposed } from '../src/method/methods/proposed.js';

export const DEFAULT_TRAIN_BENCH_CONFIG = 'configs/cpu-budget/acdc-1-seed0.json';

export interface StageTiming {
  iteration_ms: number;
  step_ms: number;
  ratio: number;
}

export interface TrainBenchResult {
  baseline: StageTiming;
  proposed: StageTiming;
  /** Median whole-iteration milliseconds of every registered method, by name. */
  method_iteration_ms: Record<string, number>;
  config: {
    file: string;
    data: string;
    size: [number, number];
    batch: number;
    /** Slices in a proposed iteration's segmentation batch (labeled and pseudo-labeled). */
    seg_batch: number;
    pairs: number;
    labeled_slices: number;
    unlabeled_slices: number;
    pseudo_labels: string;
  };
  threads: number;
  iterations: number;
  warmup: number;
  excluded: string;
}

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Real data when the config's root exists, else a phantom of the same geometry. */
function benchConfig(file: string): { cfg: RunConfig; data: string } {
  const cfg = loadConfig(file);
  if (cfg.data.kind === 'phantom') return { cfg, data: 'phantom' };
  if (existsSync(resolve(cfg.data.root))) return { cfg, data: `${cfg.data.kind} ${cfg.data.root}` };
  const size = cfg.preprocess.mode === 'spacing' ? cfg.preprocess.cropSize : cfg.preprocess.size;
  const raw = JSON.parse(JSON.stringify(cfg)) as Record<string, unknown>;
  raw.data = {
    kind: 'phantom',
    labeledVolumes: 1,
    unlabeledVolumes: 4,
    validationVolumes: 1,
    testVolumes: 0,
    slices: 10,
    size: Math.max(size[0], size[1], 32),
  };
  return {
    cfg: parseConfig(raw, file),
    data: `phantom (${cfg.data.root} not found)`,
  };
}

/** At most this many unlabeled slices get pseudo-labels (timing does not depend on the count). */
const MAX_UNLABELED = 96;

function subPool(p: SlicePool, n: number): SlicePool {
  const plane = p.size[0] * p.size[1];
  const count = Math.min(n, p.count);
  return {
    count,
    size: p.size,
    images: p.images.subarray(0, count * plane),
    labels: p.labels ? p.labels.subarray(0, count * plane) : null,
    sources: p.sources.slice(0, count),
  };
}

export async function benchTrain(o: {
  config?: string;
  iterations: number;
  warmup: number;
  threads?: number;
}): Promise<TrainBenchResult> {
  const file = o.config ?? DEFAULT_TRAIN_BENCH_CONFIG;
  const { cfg, data } = benchConfig(file);
  const threads = o.threads ?? cfg.threads;
  torch.setNumThreads(threads);
  torch.manualSeed(cfg.seed);
  const dataset = await openDataset(cfg);
  const pre = makePreprocessor(cfg);
  const classes = dataset.classNames.length;
  const labeled = labeledPool(await dataset.labeledTrain(), pre, classes);
  const net = new UNet(unetConfig(cfg, classes));
  if (cfg.device !== 'cpu') net.to(cfg.device);
  const all = (1 << classes) - 1;

  // Pseudo-labels: the argmax of the freshly initialised network; in the phantom case the
  // withheld labels (a fresh network's argmax rarely holds every class in one slice).
  let unlabeled: SlicePool;
  let pseudo: string;
  const withheld = dataset.withheldLabels ? await dataset.withheldLabels() : [];
  if (data.startsWith('phantom') && withheld.length > 0) {
    unlabeled = subPool(labeledPool(withheld, pre, classes), MAX_UNLABELED);
    pseudo = 'withheld ground truth';
  } else {
    unlabeled = subPool(unlabeledPool(await dataset.unlabeledTrain(), pre), MAX_UNLABELED);
    const p = estimatePseudoLabels(
      net,
      unlabeled,
      { ...cfg, pseudo: { ...cfg.pseudo, crf: null } },
      new Rng(1),
    );
    unlabeled = { ...unlabeled, labels: p.labels };
    pseudo = 'argmax of the untrained network';
  }
  let unlabeledPresence = classPresence(unlabeled);
  if (!unlabeledPresence.some((b) => b === all)) {
    // No slice with every class: reuse the labeled pool's ground truth as the pool's labels.
    unlabeled = labeled;
    unlabeledPresence = classPresence(labeled);
    pseudo = 'labeled ground truth (stand-in)';
  }
  const pools: JointPools = {
    labeled,
    labeledPresence: classPresence(labeled),
    unlabeled,
    unlabeledPresence,
    active: Array.from({ length: unlabeled.count }, (_, i) => i),
  };

  const total = o.warmup + o.iterations;
  const methods = await Promise.all(
    METHODS.map(async (spec) => ({ spec, trainer: await spec.trainer() })),
  );
  // Every timed iteration follows an untimed one: baseline and proposed, then the other methods.
  const scheduled = 2 * methods.length * total;
  const { optimizer, scheduler } = makeOptimizer(cfg, net, scheduled);
  const dir = mkdtempSync(join(tmpdir(), 'contraseg-bench-'));
  const ctx: StageContext = {
    stage: 'bench',
    dir,
    net,
    optimizer,
    scheduler,
    rng: new Rng(cfg.seed),
    validation: [],
    validationSpace: 'network',
    updateBn: null,
    pre,
    metrics: new MetricsLog(runFiles(dir).metrics),
    reporter: silentReporter,
    valEvery: Number.MAX_SAFE_INTEGER,
    checkpointEvery: Number.MAX_SAFE_INTEGER,
    metadata: {},
    totalIterations: scheduled,
    world: SINGLE,
  };
  const loss = segmentationLoss(cfg);
  const state = initialState(ctx.rng);
  const clock = stageClock();

  /**
   * One iteration exactly as runIterations runs it between validations and checkpoints; the
   * untimed one before it leaves the heap as the previous training iteration would.
   */
  const once = async (step: () => StepResult): Promise<number> => {
    Object.assign(clock, stageClock());
    const t0 = clock.last;
    const r = trainIteration(ctx, state, step, clock);
    state.iteration++;
    await iterationEnd(false);
    const ms = performance.now() - t0;
    if (r.skipped) throw new Error('bench train: an iteration was skipped (no usable slices)');
    return ms;
  };
  const iteration = async (step: () => StepResult): Promise<number> => {
    await once(step);
    return once(step);
  };

  // Pre-built batches of the same shapes, already on the device.
  const device = net.device;
  const [h, w] = labeled.size;
  const b = cfg.baseline.batchSize;
  const j = cfg.joint;
  const stepRng = new Rng(cfg.seed + 1);
  const fixed = torch.tidy(() => {
    const labels = (n: number) =>
      torch
        .tensor(
          Uint8Array.from({ length: n * h * w }, (_, i) => (i >> 5) % classes),
          [n, h, w],
          { device },
        )
        .long();
    const sup = labels(b);
    const nSeg = j.segBatchSize + (j.pseudoSegBatchSize ?? 0);
    const seg = labels(nSeg);
    return {
      supImages: torch.rand([b, 1, h, w], { device }),
      supTargets: oneHot(sup, classes),
      segImages: torch.rand([nSeg, 1, h, w], { device }),
      segTargets: oneHot(seg, classes),
      contrastImages: torch.rand([2 * j.pairs, 1, h, w], { device }),
      contrastLabels: labels(2 * j.pairs),
    };
  });
  const bare = (f: () => torch.Tensor) =>
    torch.tidy(() => {
      net.train();
      optimizer.zeroGrad();
      f().backward();
      optimizer.step();
    });
  /** A bare training loop's step: the one before it (untimed) leaves the allocator warm. */
  const bareStep = (f: () => torch.Tensor): number => {
    bare(f);
    const t0 = performance.now();
    bare(f);
    return performance.now() - t0;
  };
  const baseStep = () => bareStep(() => loss(net.forward(fixed.supImages), fixed.supTargets));
  const jointStep = () =>
    bareStep(
      () =>
        jointLoss(
          ctx,
          cfg,
          loss,
          {
            segImages: fixed.segImages,
            segTargets: fixed.segTargets,
            contrastImages: fixed.contrastImages,
            contrastLabels: fixed.contrastLabels,
          },
          stepRng,
        ).total,
    );

  /** Method `name`'s own step, as its stage runs it. */
  const methodStep = (name: string) => {
    const { spec, trainer } = methods.find((m) => m.spec.name === name)!;
    const data = { labeled, unlabeled, round: spec.pseudoLabels ? pools : null };
    return () => trainer.step(ctx, data, cfg, loss, state.iteration);
  };
  const t = { bi: [] as number[], bs: [] as number[], pi: [] as number[], ps: [] as number[] };
  for (let i = 0; i < total; i++) {
    // Alternate the order within each round so that neither measurement always follows the other.
    const bi = await iteration(methodStep(BASELINE.name));
    const bs = baseStep();
    const pi = await iteration(methodStep(proposed.name));
    const ps = jointStep();
    if (i >= o.warmup) {
      t.bi.push(bi);
      t.bs.push(bs);
      t.pi.push(pi);
      t.ps.push(ps);
    }
  }
  torch.dispose(Object.values(fixed));

  // The other methods' iterations; the baseline's and the proposed method's are timed above.
  const others = methods.filter(
    ({ spec }) => spec.name !== BASELINE.name && spec.name !== proposed.name,
  );
  for (const { trainer } of others) trainer.prepare?.(ctx); // a Mean Teacher's teacher
  const times = new Map<string, number[]>([
    [BASELINE.name, t.bi],
    [proposed.name, t.pi],
    ...others.map(({ spec }): [string, number[]] => [spec.name, []]),
  ]);
  for (let i = 0; i < total; i++) {
    for (const { spec } of others) {
      const ms = await iteration(methodStep(spec.name));
      if (i >= o.warmup) times.get(spec.name)!.push(ms);
    }
  }
  for (const module of Object.values(ctx.aux ?? {})) module.dispose();
  optimizer.dispose();
  net.dispose();
  rmSync(dir, { recursive: true, force: true });
  const timing = (it: number[], st: number[]): StageTiming => {
    const a = median(it);
    const s = median(st);
    return {
      iteration_ms: Math.round(a * 10) / 10,
      step_ms: Math.round(s * 10) / 10,
      ratio: Math.round((a / s) * 1000) / 1000,
    };
  };
  return {
    baseline: timing(t.bi, t.bs),
    proposed: timing(t.pi, t.ps),
    method_iteration_ms: Object.fromEntries(
      methods.map(({ spec }) => [spec.name, Math.round(median(times.get(spec.name)!) * 10) / 10]),
    ),
    config: {
      file,
      data,
      size: [h, w],
      batch: b,
      seg_batch: j.segBatchSize + (j.pseudoSegBatchSize ?? 0),
      pairs: j.pairs,
      labeled_slices: labeled.count,
      unlabeled_slices: unlabeled.count,
      pseudo_labels: pseudo,
    },
    threads,
    iterations: o.iterations,
    warmup: o.warmup,
    excluded: `validation, periodic checkpoint writes and malloc_trim (at most every ${TRIM_EVERY} iterations)`,
  };
}
