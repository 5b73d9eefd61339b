// Timing of the pseudo-label CRF (not a test): a batch of 20 slices, 192×192, 4 labels, the
// paper's ACDC and Prostate parameters (30 mean-field iterations), on 2 threads by default.
//   npx tsc -p tsconfig.json && node dist/test/method/crf_bench.js [repeats] [threads]
// On a shared, oversubscribed machine 2 intra-op threads can be much slower than 1 (the threads
// wait for each other), so compare both.
import * as torch from '../../src/torch/index.js';
import { CRF_PARAMS, crfLabels } from '../../src/method/pseudo/crf.js';

torch.setNumThreads(Number(process.argv[3] ?? 2));
const repeats = Number(process.argv[2] ?? 3);
const [N, C, H, W] = [20, 4, 192, 192];
const probs = torch.tidy(() => torch.randn([N, C, H, W]).mul(3).softmax(1));
const images = torch.rand([N, 1, H, W]);
for (const dtype of ['float32', 'float64'] as const) {
  const p = probs.to(dtype);
  const im = images.to(dtype);
  for (const [name, params] of Object.entries(CRF_PARAMS)) {
    if (name === 'mmwhs') continue;
    torch.tidy(() => crfLabels(p, im, { ...params, iterations: 1 })); // warm-up
    const times: number[] = [];
    const cpus: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      torch.tidy(() => crfLabels(p, im, params));
      times.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpus.push((c.user + c.system) / 1000);
    }
    const best = Math.min(...times);
    const cpu = Math.min(...cpus);
    // On a shared machine the wall time includes waiting for the cores; the process's CPU time
    // (both threads) does not.
    console.log(
      `${name} ${dtype}, ${torch.getNumThreads()} thread(s): batch of ${N} in ${best.toFixed(0)} ms wall (best of ${repeats}: ` +
        `${times.map((t) => t.toFixed(0)).join(', ')}), ${(best / N).toFixed(1)} ms wall per slice; ` +
        `CPU ${cpu.toFixed(0)} ms = ${(cpu / N).toFixed(1)} ms per slice (all threads)`,
    );
  }
  torch.dispose([p, im]);
}
