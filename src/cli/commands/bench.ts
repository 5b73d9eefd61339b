import type { Command } from 'commander';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchRole } from '../../../bench/distributed.js';
import { InputError } from '../../errors.js';

/** bench/train.ts's default; the benchmarks are imported on demand (they need LibTorch). */
const DEFAULT_TRAIN_BENCH_CONFIG = 'configs/cpu-budget/acdc-1-seed0.json';

/** `contraseg bench engine`: Node versus python3-torch, interleaved, one JSON object. */
export function register(program: Command): void {
  const bench = program.command('bench').description('Benchmarks against PyTorch run side by side');
  bench
    .command('engine')
    .description('UNet training step and inference: Node (LibTorch addon) versus python3-torch')
    .option('--json', 'print only the JSON result')
    .option('--quick', 'batch 4, 96x96, 5 steps (under a minute)')
    .option('--steps <n>', 'measured training steps', (v) => parseInt(v, 10))
    .option('--threads <n>', 'threads for both engines', (v) => parseInt(v, 10))
    .option('--python <path>', 'Python interpreter with torch', '/usr/bin/python3')
    .option('--device <device>', "'cpu' or 'cuda' (both engines)", 'cpu')
    .action(
      async (o: {
        json?: boolean;
        quick?: boolean;
        steps?: number;
        threads?: number;
        python: string;
        device: string;
      }) => {
        const { benchEngine, fullBench, quickBench } = await import('../../../bench/engine.js');
        const base = o.quick ? quickBench : fullBench;
        const cfg = {
          ...base,
          python: o.python,
          device: o.device,
          steps: o.steps ?? base.steps,
          threads: o.threads ?? base.threads,
        };
        const log = o.json ? () => {} : (s: string) => process.stderr.write(`${s}\n`);
        const result = await benchEngine(cfg, log);
        process.stdout.write(`${JSON.stringify(result, null, o.json ? 0 : 2)}\n`);
      },
    );
  bench
    .command('distributed')
    .description(
      'data-parallel step: 1 process with 2 threads vs 2 ranks with 1 thread (Gloo; on cuda NCCL, a rank per GPU)',
    )
    .option('--json', 'print only the JSON result')
    .option('--steps <n>', 'measured steps', (v) => parseInt(v, 10), 10)
    .option('--warmup <n>', 'steps before measuring', (v) => parseInt(v, 10), 2)
    .option('--batch <n>', 'total batch (split over the ranks)', (v) => parseInt(v, 10), 8)
    .option('--size <n>', 'slice size', (v) => parseInt(v, 10), 128)
    .option('--device <device>', "'cpu' (Gloo) or 'cuda' (NCCL)", 'cpu')
    .option('--role <role>', 'internal: single, rank or rank-local-bn')
    .action(
      async (o: {
        json?: boolean;
        steps: number;
        warmup: number;
        batch: number;
        size: number;
        device: string;
        role?: BenchRole;
      }) => {
        if (o.batch % 2 !== 0) throw new InputError('the total batch must be even', '--batch');
        const { benchDistributed, timeSteps } = await import('../../../bench/distributed.js');
        if (o.role) {
          const r = timeSteps(o, o.role);
          process.stdout.write(`${JSON.stringify(r)}\n`);
          return;
        }
        const result = await benchDistributed(o);
        process.stdout.write(`${JSON.stringify(result, null, o.json ? 0 : 2)}\n`);
      },
    );
  bench
    .command('joint')
    .description(
      'one proposed joint iteration (20 labeled + 20 contrastive) vs a supervised batch of 40',
    )
    .option('--size <n>', 'slice size', (v) => parseInt(v, 10), 192)
    .option('--steps <n>', 'measured iterations of each', (v) => parseInt(v, 10), 5)
    .option('--threads <n>', 'threads', (v) => parseInt(v, 10), 2)
    .action(async (o: { size: number; steps: number; threads: number }) => {
      const { benchJoint } = await import('../../../bench/joint.js');
      const r = await benchJoint({ ...o, segBatch: 20, pairs: 10 });
      process.stdout.write(`${JSON.stringify(r)}\n`);
    });
  bench
    .command('train')
    .description(
      "a whole training iteration (baseline and proposed) versus the bare network step on a ready batch; every method's iteration",
    )
    .option('--config <file>', 'run configuration (JSON)', DEFAULT_TRAIN_BENCH_CONFIG)
    .option('--json', 'print the JSON result on one line')
    .option('--iterations <n>', 'measured iterations of each', (v) => parseInt(v, 10), 10)
    .option('--warmup <n>', 'warm-up iterations of each', (v) => parseInt(v, 10), 1)
    .option('--threads <n>', "threads (default: the config's)", (v) => parseInt(v, 10))
    .action(
      async (o: {
        config: string;
        json?: boolean;
        iterations: number;
        warmup: number;
        threads?: number;
      }) => {
        if (!(o.iterations >= 1))
          throw new InputError('must be a positive integer', '--iterations');
        if (!(o.warmup >= 0)) throw new InputError('must be a non-negative integer', '--warmup');
        const { benchTrain } = await import('../../../bench/train.js');
        const r = await benchTrain(o);
        process.stdout.write(`${JSON.stringify(r, null, o.json ? 0 : 2)}\n`);
      },
    );
  bench
    .command('predict')
    .description(
      'one volume end to end (read, preprocess, forward, inverse, write) with LibTorch and with ' +
        'ONNX Runtime, interleaved, medians: the first ACDC validation volume, or a phantom one',
    )
    .option(
      '--model <file>',
      'model (.safetensors; exported to ONNX on the fly)',
      'models/acdc-1.safetensors',
    )
    .option('--json', 'print the JSON result on one line')
    .option('--repeats <n>', 'measured runs of each engine', (v) => parseInt(v, 10), 5)
    .option('--warmup <n>', 'warm-up runs of each engine', (v) => parseInt(v, 10), 1)
    .option('--threads <n>', 'threads of both engines (default 2)', (v) => parseInt(v, 10))
    .action(
      async (o: {
        model: string;
        json?: boolean;
        repeats: number;
        warmup: number;
        threads?: number;
      }) => {
        if (!(o.repeats >= 1)) throw new InputError('must be a positive integer', '--repeats');
        if (!(o.warmup >= 0)) throw new InputError('must be a non-negative integer', '--warmup');
        const { benchPredict } = await import('../../../bench/predict.js');
        const dir = mkdtempSync(join(tmpdir(), 'contraseg-bench-predict-'));
        try {
          const r = await benchPredict({ ...o, dir });
          process.stdout.write(`${JSON.stringify(r, null, o.json ? 0 : 2)}\n`);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    );
  bench
    .command('timings')
    .argument('[names...]', 'evaluate, augment, phantom, acdc-load, acdc-predict (default: all)')
    .description(
      'wall-clock timings that asserted budgets in the unit tests once: evaluateVolume, ' +
        'augmentation versus a UNet step, phantom generation, ACDC loading and prediction',
    )
    .option('--json', 'print the JSON result on one line')
    .action(async (names: string[], o: { json?: boolean }) => {
      const { benchTimings, TIMINGS } = await import('../../../bench/timings.js');
      const known: readonly string[] = TIMINGS;
      for (const n of names) {
        if (!known.includes(n)) throw new InputError(`unknown timing (${TIMINGS.join(', ')})`, n);
      }
      const chosen = names.length ? (names as (typeof TIMINGS)[number][]) : TIMINGS;
      const log = o.json ? () => {} : (s: string) => process.stderr.write(`${s}\n`);
      const r = await benchTimings(chosen, log);
      process.stdout.write(`${JSON.stringify(r, null, o.json ? 0 : 2)}\n`);
    });
}
