// Brute-force mean-field dense CRF in plain JavaScript (float64, every pixel pair), the reference
// for the engine implementation in src/method/pseudo/crf.ts. Same semantics and options.
import type { CrfNormalization, CrfParams } from '../../src/method/pseudo/crf.js';
import { Rng } from '../../src/util/rng.js';

export interface BruteOptions {
  clip?: number;
  normalization?: CrfNormalization;
  includeSelf?: boolean;
}

/**
 * @param probs  (N, C, H, W) probabilities, C-order
 * @param images (N, K, H, W) intensities, C-order
 * @returns (N, C, H, W) marginals
 */
export function bruteForceCrf(
  probs: ArrayLike<number>,
  images: ArrayLike<number>,
  [N, C, H, W]: number[],
  K: number,
  p: CrfParams,
  o: BruteOptions = {},
): Float64Array {
  const clip = o.clip ?? 1e-5;
  const norm = o.normalization ?? 'symmetric';
  const self = o.includeSelf ?? true;
  const P = H * W;
  const out = new Float64Array(N * C * P);
  for (let n = 0; n < N; n++) {
    const negU = new Float64Array(C * P);
    for (let l = 0; l < C; l++)
      for (let i = 0; i < P; i++)
        negU[l * P + i] = Math.log(Math.min(1, Math.max(clip, probs[(n * C + l) * P + i])));
    // Full kernels.
    const kg = new Float64Array(P * P);
    const ka = new Float64Array(P * P);
    for (let i = 0; i < P; i++) {
      const yi = Math.floor(i / W);
      const xi = i % W;
      for (let j = 0; j < P; j++) {
        if (i === j && !self) continue;
        const yj = Math.floor(j / W);
        const xj = j % W;
        const d2 = (yi - yj) ** 2 + (xi - xj) ** 2;
        let c2 = 0;
        for (let k = 0; k < K; k++)
          c2 += (images[(n * K + k) * P + i] - images[(n * K + k) * P + j]) ** 2;
        kg[i * P + j] = Math.exp(-d2 / (2 * p.gaussianSxy ** 2));
        ka[i * P + j] = Math.exp(-d2 / (2 * p.bilateralSxy ** 2) - c2 / (2 * p.bilateralSrgb ** 2));
      }
    }
    const prePost = (k: Float64Array): [Float64Array, Float64Array] => {
      const pre = new Float64Array(P).fill(1);
      const post = new Float64Array(P).fill(1);
      for (let i = 0; i < P; i++) {
        let s = 0;
        for (let j = 0; j < P; j++) s += k[i * P + j];
        if (norm === 'symmetric') pre[i] = post[i] = 1 / Math.sqrt(s + 1e-20);
        else if (norm === 'before') pre[i] = 1 / (s + 1e-20);
        else if (norm === 'after') post[i] = 1 / (s + 1e-20);
      }
      return [pre, post];
    };
    const kernels: [Float64Array, number, Float64Array, Float64Array][] = [
      [kg, p.gaussianWeight, ...prePost(kg)],
      [ka, p.bilateralWeight, ...prePost(ka)],
    ];
    let Q = softmax(negU, C, P);
    for (let it = 0; it < p.iterations; it++) {
      const logits = Float64Array.from(negU);
      for (const [k, w, pre, post] of kernels) {
        for (let l = 0; l < C; l++)
          for (let i = 0; i < P; i++) {
            let s = 0;
            for (let j = 0; j < P; j++) s += k[i * P + j] * pre[j] * Q[l * P + j];
            logits[l * P + i] += w * post[i] * s;
          }
      }
      Q = softmax(logits, C, P);
    }
    out.set(Q, n * C * P);
  }
  return out;
}

function softmax(x: Float64Array, C: number, P: number): Float64Array {
  const q = new Float64Array(C * P);
  for (let i = 0; i < P; i++) {
    let m = -Infinity;
    for (let l = 0; l < C; l++) m = Math.max(m, x[l * P + i]);
    let s = 0;
    for (let l = 0; l < C; l++) s += q[l * P + i] = Math.exp(x[l * P + i] - m);
    for (let l = 0; l < C; l++) q[l * P + i] /= s;
  }
  return q;
}

// ---- shared inputs of the CRF tests -------------------------------------------------------------
/** Random (N, C, H, W) probabilities (softmax of scaled normal logits, some near 0) and images. */
export function randomInputs(seed: number, [N, C, H, W]: number[], K = 1, logitScale = 2.5) {
  const r = new Rng(seed);
  const P = H * W;
  const probs = new Float64Array(N * C * P);
  for (let n = 0; n < N; n++)
    for (let i = 0; i < P; i++) {
      const z = Array.from({ length: C }, () => r.normal() * logitScale);
      const m = Math.max(...z);
      const e = z.map((v) => Math.exp(v - m));
      const s = e.reduce((a, b) => a + b, 0);
      for (let l = 0; l < C; l++) probs[(n * C + l) * P + i] = e[l] / s;
    }
  // A few exact zeros and ones exercise the clip.
  probs[0] = 0;
  probs[P] = 1;
  for (let l = 2; l < C; l++) probs[l * P] = 0;
  const images = new Float64Array(N * K * P);
  for (let i = 0; i < images.length; i++) images[i] = r.uniform();
  return { probs, images };
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`maxAbsDiff: lengths ${a.length} and ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

// Both kernels matter: spatial std 2-3 px on 12×12 slices, intensity std comparable to the
// uniform image's differences, weights large enough to move the labels.
export const both: CrfParams = {
  bilateralSxy: 2,
  bilateralSrgb: 0.3,
  bilateralWeight: 4,
  gaussianSxy: 2.5,
  gaussianWeight: 3,
  iterations: 8,
};
// The window of a 2-px bilateral kernel (half-width 12 px, clamped to H − 1 and W − 1 per axis)
// covers the whole slice.
export const wide = { maxBilateralRadius: 12 };
// A cheaper variant for the option matrix (run on 8×8 slices): 5 iterations.
export const small = { ...both, iterations: 5 };
