// A thin-structure CRF fixture: an ACDC-like short-axis slice at 128×128 (about 2.7 mm/pixel,
// the SSL4MIS field of view of about 350 mm resized), with a network-like soft prediction.
//
//   classes   0 background, 1 RV (a crescent against the septum), 2 myocardium (a ring
//             3 px ≈ 8 mm thick), 3 LV (a disc of radius 9 px ≈ 25 mm)
//   logits    margin·onehot(truth) + smooth noise: per class, white N(0, 1) blurred with a
//             Gaussian of `noiseSigma` px and rescaled to standard deviation `noiseStd`
//   probs     softmax of the logits
//
// Used by test/method/crf-behaviour.test.ts and experiments/crf-ring-sweep.mjs (the sweep behind
// the recommended ACDC CRF widths). Synthetic only: no real labels are involved.
import { Rng } from '../../src/util/rng.js';

export interface RingSlice {
  size: number;
  /** (H·W) class indices. */
  truth: Uint8Array;
  /** (C, H, W) softmax probabilities. */
  probs: Float32Array;
  /** (H, W) intensities (class means plus a little noise). */
  image: Float32Array;
}

export interface RingOptions {
  margin: number;
  seed: number;
  size?: number;
  noiseStd?: number;
  noiseSigma?: number;
  /**
   * Blur of the one-hot term in px (default 0): margin·blur(onehot) models a network whose
   * confidence drops across thin structures (the ring's peak logit falls below the margin).
   */
  labelBlur?: number;
}

export const RING_CLASSES = 4;

/** The label map of the ring phantom (centre slightly off the middle). */
export function ringTruth(size = 128): Uint8Array {
  const t = new Uint8Array(size * size);
  const cy = size / 2;
  const cx = size / 2 + 6;
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const r = Math.hypot(y - cy, x - cx);
      const rv = Math.hypot(y - cy, x - (cx - 17));
      t[y * size + x] = r < 9 ? 3 : r < 12 ? 2 : rv < 14 ? 1 : 0;
    }
  return t;
}

/** Separable normalised Gaussian blur of an (n×n) map, zero padding. */
function blur(src: Float64Array, n: number, sigma: number): Float64Array {
  const r = Math.ceil(3 * sigma);
  const raw = Array.from({ length: 2 * r + 1 }, (_, i) =>
    Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)),
  );
  const total = raw.reduce((a, b) => a + b, 0);
  const k = raw.map((v) => v / total);
  const tmp = new Float64Array(n * n);
  const out = new Float64Array(n * n);
  for (let y = 0; y < n; y++)
    for (let x = 0; x < n; x++) {
      let s = 0;
      for (let d = -r; d <= r; d++) if (x + d >= 0 && x + d < n) s += k[d + r] * src[y * n + x + d];
      tmp[y * n + x] = s;
    }
  for (let y = 0; y < n; y++)
    for (let x = 0; x < n; x++) {
      let s = 0;
      for (let d = -r; d <= r; d++)
        if (y + d >= 0 && y + d < n) s += k[d + r] * tmp[(y + d) * n + x];
      out[y * n + x] = s;
    }
  return out;
}

/** One soft prediction of the ring phantom. */
export function ringSlice(o: RingOptions): RingSlice {
  const n = o.size ?? 128;
  const std = o.noiseStd ?? 1;
  const sigma = o.noiseSigma ?? 2;
  const rng = new Rng(o.seed);
  const truth = ringTruth(n);
  const plane = n * n;
  const logits = new Float64Array(RING_CLASSES * plane);
  const labelBlur = o.labelBlur ?? 0;
  for (let c = 0; c < RING_CLASSES; c++) {
    let onehot: Float64Array = Float64Array.from(truth, (t) => (t === c ? 1 : 0));
    if (labelBlur > 0) onehot = blur(onehot, n, labelBlur);
    const white = new Float64Array(plane);
    for (let i = 0; i < plane; i++) white[i] = rng.normal();
    const smooth = blur(white, n, sigma);
    let ss = 0;
    for (let i = 0; i < plane; i++) ss += smooth[i] * smooth[i];
    const scale = std / Math.sqrt(ss / plane);
    for (let i = 0; i < plane; i++)
      logits[c * plane + i] = smooth[i] * scale + o.margin * onehot[i];
  }
  const probs = new Float32Array(RING_CLASSES * plane);
  for (let i = 0; i < plane; i++) {
    let m = -Infinity;
    for (let c = 0; c < RING_CLASSES; c++) m = Math.max(m, logits[c * plane + i]);
    let s = 0;
    for (let c = 0; c < RING_CLASSES; c++) s += Math.exp(logits[c * plane + i] - m);
    for (let c = 0; c < RING_CLASSES; c++)
      probs[c * plane + i] = Math.exp(logits[c * plane + i] - m) / s;
  }
  const means = [0.05, 0.7, 0.35, 0.8];
  const image = new Float32Array(plane);
  for (let i = 0; i < plane; i++) image[i] = means[truth[i]] + 0.05 * rng.normal();
  return { size: n, truth, probs, image };
}

/** Dice of class c between two label maps (1 when both lack it). */
export function classDice(pred: ArrayLike<number>, truth: ArrayLike<number>, c: number): number {
  let inter = 0;
  let sp = 0;
  let st = 0;
  for (let i = 0; i < truth.length; i++) {
    const p = pred[i] === c;
    const t = truth[i] === c;
    if (p) sp++;
    if (t) st++;
    if (p && t) inter++;
  }
  return sp + st === 0 ? 1 : (2 * inter) / (sp + st);
}
