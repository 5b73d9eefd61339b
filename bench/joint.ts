/**
 * `contraseg bench joint`: the cost of one iteration of the proposed joint stage (segBatch labeled
 * + 2·pairs contrastive slices) against a plain supervised iteration on the same number of slices,
 * interleaved on the same network and data (phantom volumes at 1 mm, 192×192 by default).
 */
import * as torch from '../src/torch/index.js';
import { UNet } from '../src/nn/index.js';
import { PhantomDataset } from '../src/data/phantom.js';
import { Rng } from '../src/util/rng.js';
import { parseConfig } from '../src/method/config.js';
import { classPresence, labeledPool } from '../src/method/pools.js';
import { makeOptimizer, makePreprocessor, segmentationLoss } from '../src/method/setup.js';
import { proposedStep, type JointPools } from '../src/method/train/joint.js';
import { supervisedStep } from '../src/method/train/supervised.js';
import type { StageContext } from '../src/method/train/loop.js';
import { MetricsLog } from '../src/method/train/metrics-log.js';
import { silentReporter } from '../src/method/train/reporter.js';
import { SINGLE } from '../src/method/distributed/world.js';

export interface JointBenchResult {
  joint_step_ms: number;
  supervised_step_ms: number;
  ratio: number;
  joint_slices: number;
  supervised_batch: number;
  size: number;
  threads: number;
  steps: number;
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];

export async function benchJoint(o: {
  size: number;
  steps: number;
  threads: number;
  segBatch: number;
  pairs: number;
}): Promise<JointBenchResult> {
  torch.setNumThreads(o.threads);
  torch.manualSeed(0);
  const cfg = parseConfig({
    threads: o.threads,
    data: {
      kind: 'phantom',
      labeledVolumes: 3,
      unlabeledVolumes: 3,
      validationVolumes: 1,
      slices: 8,
      size: o.size,
    },
    preprocess: {
      mode: 'spacing',
      targetSpacing: [192 / o.size, 192 / o.size],
      cropSize: [o.size, o.size],
    },
    joint: { segBatchSize: o.segBatch, pairs: o.pairs },
  });
  const data = new PhantomDataset({
    labeledVolumes: 3,
    unlabeledVolumes: 3,
    slices: 8,
    size: o.size,
  });
  const pre = makePreprocessor(cfg);
  const labeled = labeledPool(await data.labeledTrain(), pre, 4);
  // Pseudo-labels stand-in for timing: the withheld labels of the unlabeled volumes.
  const unlabeled = labeledPool(await data.withheldLabels(), pre, 4);
  const pools: JointPools = {
    labeled,
    labeledPresence: classPresence(labeled),
    unlabeled,
    unlabeledPresence: classPresence(unlabeled),
    active: Array.from({ length: unlabeled.count }, (_, i) => i),
  };
  const net = new UNet({ numClasses: 4 });
  const { optimizer } = makeOptimizer(cfg, net, 1);
  const ctx: StageContext = {
    stage: 'bench',
    dir: '',
    net,
    optimizer,
    scheduler: null,
    rng: new Rng(0),
    validation: [],
    validationSpace: 'network',
    updateBn: null,
    pre,
    metrics: new MetricsLog('/dev/null'),
    reporter: silentReporter,
    valEvery: 1,
    checkpointEvery: 1,
    metadata: {},
    totalIterations: o.steps,
    world: SINGLE,
  };
  const loss = segmentationLoss(cfg);
  const batch = o.segBatch + 2 * o.pairs;
  const joint: number[] = [];
  const sup: number[] = [];
  for (let i = 0; i < o.steps + 1; i++) {
    let t0 = performance.now();
    const r = proposedStep(ctx, pools, cfg, loss);
    const tj = performance.now() - t0;
    if (r.skipped)
      throw new Error('bench joint: the joint iteration was skipped (no all-class slices)');
    torch.mallocTrim();
    t0 = performance.now();
    supervisedStep(ctx, labeled, cfg, loss, batch);
    const ts = performance.now() - t0;
    torch.mallocTrim();
    if (i > 0) {
      joint.push(tj);
      sup.push(ts);
    }
  }
  optimizer.dispose();
  net.dispose();
  const j = median(joint);
  const s = median(sup);
  return {
    joint_step_ms: Math.round(j),
    supervised_step_ms: Math.round(s),
    ratio: Math.round((j / s) * 1000) / 1000,
    joint_slices: batch,
    supervised_batch: batch,
    size: o.size,
    threads: o.threads,
    steps: o.steps,
  };
}
