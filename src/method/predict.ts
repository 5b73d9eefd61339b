import * as torch from '../torch/index.js';
import type { UNet } from '../nn/index.js';

/**
 * Softmax probabilities of the network for D slices of size h×w (C order), in batches, with BN in
 * inference mode: returns D × C × h × w floats. Restores the network's training flag.
 */
export function predictProbabilities(
  net: UNet,
  slices: Float32Array,
  depth: number,
  size: readonly [number, number],
  batchSize = 20,
): Float32Array {
  const device = net.device;
  const [h, w] = size;
  const plane = h * w;
  const classes = net.config.numClasses;
  const out = new Float32Array(depth * classes * plane);
  const wasTraining = net.training;
  net.eval();
  try {
    torch.noGrad(() => {
      for (let start = 0; start < depth; start += batchSize) {
        const n = Math.min(batchSize, depth - start);
        torch.tidy(() => {
          const x = torch.tensor(
            slices.subarray(start * plane, (start + n) * plane),
            [n, 1, h, w],
            { device },
          );
          const probs = net.forward(x).softmax(1).contiguous();
          out.set(probs.data({ copy: false }) as Float32Array, start * classes * plane);
        });
      }
    });
  } finally {
    net.train(wasTraining);
  }
  return out;
}

/** Argmax over classes of D × C × plane probabilities: D × plane labels. */
export function argmaxClasses(probs: Float32Array, depth: number, classes: number): Uint8Array {
  const plane = probs.length / (depth * classes);
  const out = new Uint8Array(depth * plane);
  for (let d = 0; d < depth; d++) {
    const base = d * classes * plane;
    for (let p = 0; p < plane; p++) {
      let best = 0;
      let bestValue = probs[base + p];
      for (let c = 1; c < classes; c++) {
        const v = probs[base + c * plane + p];
        if (v > bestValue) {
          bestValue = v;
          best = c;
        }
      }
      out[d * plane + p] = best;
    }
  }
  return out;
}
