// A permutohedral-lattice Gaussian filter (Adams, Baek and Davis, "Fast high-dimensional filtering
// using the permutohedral lattice", Eurographics 2010), written for the tests in float64 with the
// constants densecrf uses (feature scale √(2/3)·(d+1)/√((i+1)(i+2)), blur weights ½·[1 2 1] along
// the d+1 lattice axes, output scale 1/(1 + 2^−d)), and a mean field over it with pydensecrf's
// defaults: the approximate kernel that the authors' CRF actually evaluates, to compare with the
// exact kernels of src/method/pseudo/crf.ts.
import type { CrfParams } from '../../src/method/pseudo/crf.js';

/** Builds the lattice of N points with d-dimensional features; returns the filter x ↦ K̃·x. */
export function permutohedralFilter(
  features: Float64Array[],
  d: number,
): (values: Float64Array, channels: number) => Float64Array {
  const N = features.length;
  const scale = Array.from(
    { length: d },
    (_, i) => (Math.sqrt(2 / 3) * (d + 1)) / Math.sqrt((i + 1) * (i + 2)),
  );
  // Vertex offsets of the canonical simplex, per remainder r and rank.
  const canonical: number[][] = [];
  for (let r = 0; r <= d; r++) {
    canonical.push(Array.from({ length: d + 1 }, (_, j) => (j <= d - r ? r : r - (d + 1))));
  }
  const index = new Map<string, number>();
  const keys: number[][] = [];
  const vertex = new Int32Array(N * (d + 1));
  const weight = new Float64Array(N * (d + 1));
  const elevated = new Float64Array(d + 1);
  const rem0 = new Float64Array(d + 1);
  const rank = new Int32Array(d + 1);
  const bary = new Float64Array(d + 2);
  for (let k = 0; k < N; k++) {
    const f = features[k];
    // Embed in the hyperplane Σ = 0 of R^{d+1}.
    let acc = 0;
    for (let j = d; j > 0; j--) {
      const cf = f[j - 1] * scale[j - 1];
      elevated[j] = acc - j * cf;
      acc += cf;
    }
    elevated[0] = acc;
    // Nearest point of the (d+1)·Z lattice, then the simplex containing the point.
    let sum = 0;
    for (let i = 0; i <= d; i++) {
      const v = elevated[i] / (d + 1);
      const up = Math.ceil(v) * (d + 1);
      const down = Math.floor(v) * (d + 1);
      rem0[i] = up - elevated[i] < elevated[i] - down ? up : down;
      sum += rem0[i] / (d + 1);
    }
    rank.fill(0);
    for (let i = 0; i < d; i++)
      for (let j = i + 1; j <= d; j++) {
        if (elevated[i] - rem0[i] < elevated[j] - rem0[j]) rank[i]++;
        else rank[j]++;
      }
    for (let i = 0; i <= d; i++) {
      rank[i] += sum;
      if (rank[i] < 0) {
        rank[i] += d + 1;
        rem0[i] += d + 1;
      } else if (rank[i] > d) {
        rank[i] -= d + 1;
        rem0[i] -= d + 1;
      }
    }
    // Barycentric weights of the simplex's d+1 vertices.
    bary.fill(0);
    for (let i = 0; i <= d; i++) {
      const v = (elevated[i] - rem0[i]) / (d + 1);
      bary[d - rank[i]] += v;
      bary[d - rank[i] + 1] -= v;
    }
    bary[0] += 1 + bary[d + 1];
    for (let r = 0; r <= d; r++) {
      const key = Array.from({ length: d }, (_, i) => rem0[i] + canonical[r][rank[i]]);
      const s = key.join(',');
      let id = index.get(s);
      if (id === undefined) {
        id = keys.length;
        index.set(s, id);
        keys.push(key);
      }
      vertex[k * (d + 1) + r] = id;
      weight[k * (d + 1) + r] = bary[r];
    }
  }
  const M = keys.length;
  // Neighbours of every vertex along each of the d+1 lattice axes (−1 where absent).
  const neighbours: [Int32Array, Int32Array][] = [];
  for (let j = 0; j <= d; j++) {
    const n1 = new Int32Array(M);
    const n2 = new Int32Array(M);
    for (let i = 0; i < M; i++) {
      const a = keys[i].map((v) => v - 1);
      const b = keys[i].map((v) => v + 1);
      if (j < d) {
        a[j] = keys[i][j] + d;
        b[j] = keys[i][j] - d;
      }
      n1[i] = index.get(a.join(',')) ?? -1;
      n2[i] = index.get(b.join(',')) ?? -1;
    }
    neighbours.push([n1, n2]);
  }
  const alpha = 1 / (1 + 2 ** -d);
  return (values, V) => {
    let v = new Float64Array(M * V);
    let next = new Float64Array(M * V);
    for (let k = 0; k < N; k++)
      for (let r = 0; r <= d; r++) {
        const o = vertex[k * (d + 1) + r];
        const w = weight[k * (d + 1) + r];
        for (let c = 0; c < V; c++) v[o * V + c] += w * values[k * V + c];
      }
    for (const [n1, n2] of neighbours) {
      for (let i = 0; i < M; i++)
        for (let c = 0; c < V; c++) {
          const a = n1[i] >= 0 ? v[n1[i] * V + c] : 0;
          const b = n2[i] >= 0 ? v[n2[i] * V + c] : 0;
          next[i * V + c] = v[i * V + c] + 0.5 * (a + b);
        }
      [v, next] = [next, v];
    }
    const out = new Float64Array(N * V);
    for (let k = 0; k < N; k++)
      for (let r = 0; r <= d; r++) {
        const o = vertex[k * (d + 1) + r];
        const w = weight[k * (d + 1) + r] * alpha;
        for (let c = 0; c < V; c++) out[k * V + c] += w * v[o * V + c];
      }
    return out;
  };
}

/**
 * pydensecrf's mean field for one (C, H, W) slice with the Gaussian kernel on the lattice,
 * symmetric normalisation, and a bilateral kernel so narrow (a_sxy ≪ 1 px) that every pixel is
 * alone in it, making its normalised message exactly Q. Returns the marginals as (C, H, W).
 */
export function latticeCrf(
  probs: ArrayLike<number>,
  [C, H, W]: number[],
  p: CrfParams,
  clip = 1e-5,
): Float64Array {
  if (p.bilateralSxy > 0.1) throw new RangeError('latticeCrf: only an isolating bilateral kernel');
  const P = H * W;
  const feats: Float64Array[] = [];
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++)
      feats.push(Float64Array.from([y / p.gaussianSxy, x / p.gaussianSxy]));
  const filter = permutohedralFilter(feats, 2);
  const norm = filter(new Float64Array(P).fill(1), 1).map((s) => 1 / Math.sqrt(s + 1e-20));
  const negU = new Float64Array(P * C);
  for (let i = 0; i < P; i++)
    for (let l = 0; l < C; l++)
      negU[i * C + l] = Math.log(Math.min(1, Math.max(clip, probs[l * P + i])));
  const softmax = (x: Float64Array) => {
    const q = new Float64Array(P * C);
    for (let i = 0; i < P; i++) {
      let m = -Infinity;
      for (let l = 0; l < C; l++) m = Math.max(m, x[i * C + l]);
      let s = 0;
      for (let l = 0; l < C; l++) s += q[i * C + l] = Math.exp(x[i * C + l] - m);
      for (let l = 0; l < C; l++) q[i * C + l] /= s;
    }
    return q;
  };
  let Q = softmax(negU);
  for (let it = 0; it < p.iterations; it++) {
    const x = new Float64Array(P * C);
    for (let i = 0; i < P; i++) for (let l = 0; l < C; l++) x[i * C + l] = norm[i] * Q[i * C + l];
    const f = filter(x, C);
    const logits = Float64Array.from(negU);
    for (let i = 0; i < P; i++)
      for (let l = 0; l < C; l++) {
        logits[i * C + l] +=
          p.gaussianWeight * norm[i] * f[i * C + l] + p.bilateralWeight * Q[i * C + l];
      }
    Q = softmax(logits);
  }
  const out = new Float64Array(C * P);
  for (let i = 0; i < P; i++) for (let l = 0; l < C; l++) out[l * P + i] = Q[i * C + l];
  return out;
}
