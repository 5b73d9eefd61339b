// A naive reference of the local contrastive loss: plain JavaScript loops over pixels on Float64
// arrays, following method.md C.5's pseudo-code step by step, given the anchor pixels. Used by
// losses-contrastive.test.ts to check the vectorised implementation's values and gradients.

export interface NaiveOptions {
  variant: 'inter' | 'intra';
  normalisation: 'uniform' | 'code-exact';
  tau?: number;
  positivesPerClass?: number;
  includeBackground?: boolean;
  /**
   * The released code's zero guards (method.md C.3): a prototype that is exactly zero counts as
   * absent, and an anchor whose embedding is exactly zero contributes nothing.
   */
  zeroGuards?: boolean;
}

/**
 * @param z embeddings, C-order (2B, D, H, W)
 * @param shape [2B, D, H, W]
 * @param labels class per pixel, C-order (2B, H, W)
 * @param anchors flat pixel indices, C-order (2B, |F|, P) (entries of unshared classes unused)
 */
export function naiveLocalLoss(
  z: ArrayLike<number>,
  shape: number[],
  labels: ArrayLike<number>,
  numClasses: number,
  anchors: ArrayLike<number>,
  o: NaiveOptions,
): number {
  const [n2, d, h, w] = shape;
  const hw = h * w;
  const B = n2 / 2;
  const TAU = o.tau ?? 0.1;
  const P = o.positivesPerClass ?? 3;
  const F: number[] = [];
  for (let c = o.includeBackground ? 0 : 1; c < numClasses; c++) F.push(c);
  const INTER = o.variant === 'inter';

  const vec = (n: number, p: number): number[] => {
    const v: number[] = [];
    for (let k = 0; k < d; k++) v.push(z[(n * d + k) * hw + p]);
    return v;
  };
  const norm = (u: number[]): number => Math.sqrt(u.reduce((s, x) => s + x * x, 0));
  // sim(u, v) = dot(u, v) / (max(|u|, 1e-6) * max(|v|, 1e-6)) / TAU
  const sim = (u: number[], v: number[]): number => {
    let dot = 0;
    for (let k = 0; k < d; k++) dot += u[k] * v[k];
    return dot / (Math.max(norm(u), 1e-6) * Math.max(norm(v), 1e-6)) / TAU;
  };
  // proto(Z, Y, c) = mean of Z[p] over pixels p with Y[p] == c, or null if none
  const proto = (n: number, c: number): number[] | null => {
    const sum = new Array<number>(d).fill(0);
    let count = 0;
    for (let p = 0; p < hw; p++) {
      if (labels[n * hw + p] !== c) continue;
      count++;
      for (let k = 0; k < d; k++) sum[k] += z[(n * d + k) * hw + p];
    }
    if (count === 0) return null;
    const mu = sum.map((s) => s / count);
    if (o.zeroGuards && mu.every((x) => x === 0)) return null;
    return mu;
  };
  const logSumExp = (xs: number[]): number => {
    const m = Math.max(...xs);
    return m + Math.log(xs.reduce((s, x) => s + Math.exp(x - m), 0));
  };

  let total = 0;
  for (let k = 0; k < B; k++) {
    const a = k;
    const b = k + B;
    const muA = new Map<number, number[] | null>();
    const muB = new Map<number, number[] | null>();
    for (const c of F) {
      muA.set(c, proto(a, c));
      muB.set(c, proto(b, c));
    }
    let pairSum = 0;
    F.forEach((c, ci) => {
      // The sampling criterion: the class has pixels in both images.
      if (!hasClass(labels, a, hw, c) || !hasClass(labels, b, hw, c)) return;
      const pa = (j: number): number => anchors[(a * F.length + ci) * P + j];
      const pb = (j: number): number => anchors[(b * F.length + ci) * P + j];
      for (let j = 0; j < P; j++) {
        const pairs: [number[], Map<number, number[] | null>, Map<number, number[] | null>][] = [
          [vec(a, pa(j)), muA, muB],
          [vec(b, pb(j)), muB, muA],
        ];
        for (const [x, own, other] of pairs) {
          if (o.zeroGuards && x.every((v) => v === 0)) continue;
          const logits: number[] = [];
          for (const c2 of F) if (own.get(c2)) logits.push(sim(x, own.get(c2)!));
          if (INTER) for (const c2 of F) if (other.get(c2)) logits.push(sim(x, other.get(c2)!));
          const lse = logSumExp(logits);
          if (own.get(c)) pairSum += lse - sim(x, own.get(c)!); // intra-image positive
          if (INTER && other.get(c)) pairSum += lse - sim(x, other.get(c)!); // cross-image positive
        }
      }
    });
    const N = (INTER ? 2 : 1) * P * F.length;
    if (o.normalisation === 'uniform') total += pairSum / N;
    else total = (total + pairSum) / N;
  }
  return total / B;
}

function hasClass(labels: ArrayLike<number>, n: number, hw: number, c: number): boolean {
  for (let p = 0; p < hw; p++) if (labels[n * hw + p] === c) return true;
  return false;
}

/** Central-difference gradient of the naive loss with respect to every element of z. */
export function naiveGradient(
  z: Float64Array,
  shape: number[],
  labels: ArrayLike<number>,
  numClasses: number,
  anchors: ArrayLike<number>,
  o: NaiveOptions,
  eps = 1e-6,
): Float64Array {
  const g = new Float64Array(z.length);
  const x = Float64Array.from(z);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    x[i] = v + eps;
    const lp = naiveLocalLoss(x, shape, labels, numClasses, anchors, o);
    x[i] = v - eps;
    const lm = naiveLocalLoss(x, shape, labels, numClasses, anchors, o);
    x[i] = v;
    g[i] = (lp - lm) / (2 * eps);
  }
  return g;
}
