// How the exact-kernel CRF (src/method/pseudo/crf.ts) relates to what pydensecrf evaluates: the
// same mean field over a permutohedral-lattice approximation of the Gaussian (crf_lattice.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as torch from '../../src/torch/index.js';
import { CRF_PARAMS, crfLabels } from '../../src/method/pseudo/crf.js';
import { Rng } from '../../src/util/rng.js';
import { latticeCrf, permutohedralFilter } from './crf_lattice.js';

torch.setNumThreads(2);

describe('exact kernels against the permutohedral lattice of pydensecrf', () => {
  it("the lattice's Gaussian has about the nominal width (±6 %), so the exact one is a fair stand-in", () => {
    for (const sigma of [10, 5]) {
      const n = 81;
      const feats: Float64Array[] = [];
      for (let y = 0; y < n; y++)
        for (let x = 0; x < n; x++) feats.push(Float64Array.from([y / sigma, x / sigma]));
      const filter = permutohedralFilter(feats, 2);
      for (const [cy, cx] of [
        [40, 40],
        [41, 37],
      ]) {
        const impulse = new Float64Array(n * n);
        impulse[cy * n + cx] = 1;
        const k = filter(impulse, 1);
        let s = 0;
        let sxx = 0;
        let syy = 0;
        for (let y = 0; y < n; y++)
          for (let x = 0; x < n; x++) {
            s += k[y * n + x];
            sxx += k[y * n + x] * (x - cx) ** 2;
            syy += k[y * n + x] * (y - cy) ** 2;
          }
        for (const sd of [Math.sqrt(sxx / s), Math.sqrt(syy / s)]) {
          assert.ok(
            Math.abs(sd / sigma - 1) < 0.06,
            `σ ${sigma} at (${cy}, ${cx}): effective ${sd}`,
          );
        }
      }
    }
  });
  it('paper-parameter CRF labels agree with the lattice CRF on ≥ 99 % of the pixels', () => {
    const [C, H, W] = [4, 80, 80];
    const r = new Rng(21);
    const probs = new Float32Array(C * H * W);
    const img = new Float32Array(H * W);
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        const rad = Math.hypot(y - 40, x - 34);
        const t = rad < 14 ? 3 : rad < 22 ? 2 : Math.hypot(y - 44, x - 64) < 10 ? 1 : 0;
        const i = y * W + x;
        img[i] = [0.1, 0.3, 0.6, 0.9][t] + 0.05 * r.normal();
        const z = [0, 1, 2, 3].map((l) => (l === t ? 7 : 0) + 2 * r.normal());
        const e = z.map(Math.exp);
        const s = e.reduce((a, b) => a + b, 0);
        for (let l = 0; l < C; l++) probs[l * H * W + i] = e[l] / s;
      }
    for (const params of [CRF_PARAMS.acdc, CRF_PARAMS.prostate]) {
      const lattice = latticeCrf(probs, [C, H, W], params);
      const ours = torch.tidy(() =>
        crfLabels(
          torch.tensor(probs, [1, C, H, W]),
          torch.tensor(img, [1, 1, H, W]),
          params,
        ).toArray(),
      );
      let differ = 0;
      for (let i = 0; i < H * W; i++) {
        let best = 0;
        for (let l = 1; l < C; l++)
          if (lattice[l * H * W + i] > lattice[best * H * W + i]) best = l;
        if (best !== ours[i]) differ++;
      }
      assert.ok(
        differ <= 0.01 * H * W,
        `g_sxy ${params.gaussianSxy}: ${differ} of ${H * W} labels differ`,
      );
    }
  });
});
