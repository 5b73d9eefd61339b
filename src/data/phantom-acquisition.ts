import type { Rng } from '../util/rng.js';

/**
 * Image formation of the synthetic phantom from its sharp intensity image, per volume:
 * 1. partial-volume blur: 2-D Gaussian of standard deviation sigma_b in 0.5-1.1 px per slice
 *    (separable, kernel radius ceil(3 sigma_b), edges clamped);
 * 2. smooth multiplicative bias field B(x, y, t) = exp(c1 x + c2 y + c3 x y + c4 x^2 + c5 y^2
 *    + c6 (t - 1/2)), x, y in [-1, 1] across the image, t the slice position, c_i ~ N(0, 0.12^2);
 * 3. scaling by 1 / max over the volume of the blurred, biased image, so tissue lies in [0, 1];
 * 4. Rician noise: v <- sqrt((v + n1)^2 + n2^2), n1, n2 ~ N(0, sigma_n^2), sigma_n in 0.015-0.045.
 * Labels are untouched: they come from the sharp geometry.
 */
export interface Acquisition {
  blurSigma: number;
  noiseSigma: number;
  bias: number[];
}

export function sampleAcquisition(rng: Rng): Acquisition {
  return {
    blurSigma: rng.uniform(0.5, 1.1),
    noiseSigma: rng.uniform(0.015, 0.045),
    bias: Array.from({ length: 6 }, () => rng.normal(0, 0.12)),
  };
}

/** Applies {@link Acquisition} to `depth` sharp slices of size x size in place; uses rng for noise. */
export function acquire(
  image: Float32Array,
  depth: number,
  size: number,
  acq: Acquisition,
  rng: Rng,
): void {
  const plane = size * size;
  const kernel = gaussianKernel(acq.blurSigma);
  const scratch = new Float32Array(plane);
  const [c1, c2, c3, c4, c5, c6] = acq.bias;
  let max = 0;
  for (let d = 0; d < depth; d++) {
    const slice = image.subarray(d * plane, (d + 1) * plane);
    blurRows(slice, scratch, size, kernel);
    blurColumns(scratch, slice, size, kernel);
    const t = depth > 1 ? d / (depth - 1) : 0.5;
    for (let y = 0; y < size; y++) {
      const yn = size > 1 ? (2 * y) / (size - 1) - 1 : 0;
      for (let x = 0; x < size; x++) {
        const xn = size > 1 ? (2 * x) / (size - 1) - 1 : 0;
        const bias = Math.exp(
          c1 * xn + c2 * yn + c3 * xn * yn + c4 * xn * xn + c5 * yn * yn + c6 * (t - 0.5),
        );
        const v = slice[y * size + x] * bias;
        slice[y * size + x] = v;
        if (v > max) max = v;
      }
    }
  }
  const scale = max > 0 ? 1 / max : 1;
  for (let i = 0; i < image.length; i++) {
    const re = image[i] * scale + rng.normal(0, acq.noiseSigma);
    const im = rng.normal(0, acq.noiseSigma);
    image[i] = Math.sqrt(re * re + im * im);
  }
}

/** Normalised Gaussian weights exp(-i^2 / (2 sigma^2)) for |i| <= ceil(3 sigma). */
function gaussianKernel(sigma: number): Float64Array {
  const radius = Math.ceil(3 * sigma);
  const k = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++)
    sum += k[i + radius] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i] /= sum;
  return k;
}

function blurRows(src: Float32Array, dst: Float32Array, size: number, k: Float64Array): void {
  const radius = (k.length - 1) / 2;
  for (let y = 0; y < size; y++) {
    const row = y * size;
    for (let x = 0; x < size; x++) {
      let acc = 0;
      for (let j = -radius; j <= radius; j++) {
        const xx = Math.min(size - 1, Math.max(0, x + j));
        acc += k[j + radius] * src[row + xx];
      }
      dst[row + x] = acc;
    }
  }
}

function blurColumns(src: Float32Array, dst: Float32Array, size: number, k: Float64Array): void {
  const radius = (k.length - 1) / 2;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let acc = 0;
      for (let j = -radius; j <= radius; j++) {
        const yy = Math.min(size - 1, Math.max(0, y + j));
        acc += k[j + radius] * src[yy * size + x];
      }
      dst[y * size + x] = acc;
    }
  }
}
