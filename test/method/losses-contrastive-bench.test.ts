// Timing of the local contrastive loss in the paper's configuration: Z (20, 16, 192, 192), labels
// with 4 classes (B = 10, P = 3), forward + backward on 2 threads, interleaved with a floor
// reference (one elementwise op on Z, forward + backward: the cost of touching Z and writing its
// gradient), with the process CPU time (at 1 thread a proxy for the time on an idle machine).
// Opt-in, as the numbers need a quiet machine: CONTRASEG_BENCH=1 node --test
// dist/test/method/losses-contrastive-bench.test.js
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { localContrastiveLoss, sampleAnchors } from '../../src/method/losses/index.js';
import * as torch from '../../src/torch/index.js';
import type { Tensor } from '../../src/torch/index.js';

const enabled = process.env.CONTRASEG_BENCH === '1';
const threads = Number(process.env.CONTRASEG_BENCH_THREADS ?? 2);

/** Labels made of blobs (like real masks): 4 discs per image on a background. */
function blobLabels(n: number, h: number, w: number): Tensor {
  const v = new BigInt64Array(n * h * w);
  for (let i = 0; i < n; i++) {
    const cx = w / 2 + ((i * 7) % 11) - 5;
    const cy = h / 2 + ((i * 5) % 13) - 6;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const r = Math.hypot(x - cx, y - cy);
        v[(i * h + y) * w + x] = BigInt(r < 20 ? 3 : r < 30 ? 2 : r < 45 ? 1 : 0);
      }
    }
  }
  return torch.tensor(v, [n, h, w]);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

it(
  'local contrastive loss, real configuration: forward + backward time',
  { skip: enabled ? false : 'set CONTRASEG_BENCH=1 to run' },
  (t) => {
    torch.setNumThreads(threads);
    torch.manualSeed(0);
    const labels = blobLabels(20, 192, 192);
    const z0 = torch.randn([20, 16, 192, 192]);
    const z = z0.clone().requiresGrad_();
    const cpu: Record<string, number[]> = { loss: [], floor: [] };
    const run = (f: () => Tensor, name?: string): number => {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      torch.tidy(() => f().backward());
      const dt = performance.now() - t0;
      const c = process.cpuUsage(c0);
      if (name) cpu[name].push((c.user + c.system) / 1000);
      z.grad = null;
      return dt;
    };
    const loss = (): Tensor => localContrastiveLoss(z, labels, 4).loss;
    const floor = (): Tensor => z.mul(2).sum();
    for (let i = 0; i < 2; i++) (run(loss), run(floor));
    const tl: number[] = [];
    const tf: number[] = [];
    const ts: number[] = [];
    for (let i = 0; i < 10; i++) {
      tl.push(run(loss, 'loss'));
      tf.push(run(floor, 'floor'));
      const t0 = performance.now();
      torch.tidy(() => sampleAnchors(labels, 4));
      ts.push(performance.now() - t0);
    }
    const l = torch.tidy(() => localContrastiveLoss(z, labels, 4));
    assert.ok(Number.isFinite(l.loss.item()));
    assert.equal(l.terms, 10 * 3 * 2 * 3 * 2);
    l.loss.dispose();
    t.diagnostic(
      `threads ${threads}: loss fwd+bwd median ${median(tl).toFixed(1)} ms (min ` +
        `${Math.min(...tl).toFixed(1)}); floor z.mul(2).sum() fwd+bwd median ` +
        `${median(tf).toFixed(1)} ms (min ${Math.min(...tf).toFixed(1)}); sampleAnchors median ` +
        `${median(ts).toFixed(1)} ms; process CPU time (all threads) per loss fwd+bwd median ` +
        `${median(cpu.loss).toFixed(1)} ms, floor ${median(cpu.floor).toFixed(1)} ms`,
    );
    torch.dispose([labels, z0, z]);
  },
);
