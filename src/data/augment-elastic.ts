/**
 * The elastic deformation of the segmentation batch (method.md E.3 step 2), batched.
 *
 * Per slice, a coarse grid (3×3) of displacements per axis is drawn from N(0, σ²) and upsampled to
 * H×W as skimage.transform.resize(grid, (H, W), order=3, mode='reflect') does: cubic B-spline
 * interpolation (scipy.ndimage with spline prefiltering), pixel-centre alignment
 * (in = (out + 0.5)·n_in/n_out − 0.5), skimage's 'reflect' being ndimage's 'mirror' boundary, and
 * the result clipped to the grid's own [min, max] (resize's clip=True). Because this upsampling is
 * linear and separable, it is exactly D = M_H · G · M_Wᵀ with small fixed matrices M (n_out × 3),
 * computed here once per size: two tiny batched matmuls instead of F.interpolate, whose 'bicubic'
 * is Keys' cubic convolution with clamped borders and would differ from skimage by a few percent.
 *
 * The warp is TF's dense_image_warp: output(y, x) = input(y − d_y, x − d_x), bilinear, coordinates
 * clamped to the slice (grid_sample padding 'border', align_corners = true).
 */
import * as torch from '../torch/index.js';
import { F, type Tensor } from '../torch/index.js';
import type { Rng } from '../util/rng.js';

/** The cubic B-spline β³. */
function bspline3(t: number): number {
  const a = Math.abs(t);
  if (a < 1) return 2 / 3 - a * a + (a * a * a) / 2;
  if (a < 2) return (2 - a) ** 3 / 6;
  return 0;
}

/** ndimage 'mirror' (numpy/skimage 'reflect'): … c b | a b c d | c b …, period 2(n − 1). */
function mirror(k: number, n: number): number {
  if (n === 1) return 0;
  const p = 2 * (n - 1);
  const j = ((k % p) + p) % p;
  return j >= n ? p - j : j;
}

/** Inverse of a small dense matrix (Gauss-Jordan with partial pivoting). */
function invert(a: number[][]): number[][] {
  const n = a.length;
  const m = a.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[piv][c])) piv = r;
    [m[c], m[piv]] = [m[piv], m[c]];
    const d = m[c][c];
    for (let j = 0; j < 2 * n; j++) m[c][j] /= d;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r][c];
      if (f !== 0) for (let j = 0; j < 2 * n; j++) m[r][j] -= f * m[c][j];
    }
  }
  return m.map((row) => row.slice(n));
}

const matrixCache = new Map<string, Float64Array>();

/**
 * The (nOut × nIn, row-major) matrix of scipy.ndimage.zoom(f, nOut/nIn, order=3, mode='mirror',
 * grid_mode=True) on a 1-D signal of length nIn: out = M·f. The spline coefficients c solve
 * (c[j−1] + 4c[j] + c[j+1])/6 = f[j] with mirror-extended c; the output at pixel-centre coordinate x
 * is Σ_k β³(x − k)·c[mirror(k)].
 */
export function splineResizeMatrix(nIn: number, nOut: number): Float64Array {
  const key = `${nIn}:${nOut}`;
  const hit = matrixCache.get(key);
  if (hit) return hit;
  const a = Array.from({ length: nIn }, () => new Array<number>(nIn).fill(0));
  for (let j = 0; j < nIn; j++) {
    a[j][mirror(j - 1, nIn)] += 1 / 6;
    a[j][j] += 4 / 6;
    a[j][mirror(j + 1, nIn)] += 1 / 6;
  }
  const inv = invert(a);
  const m = new Float64Array(nOut * nIn);
  for (let o = 0; o < nOut; o++) {
    const x = ((o + 0.5) * nIn) / nOut - 0.5;
    const k0 = Math.floor(x);
    for (let k = k0 - 1; k <= k0 + 2; k++) {
      const wgt = bspline3(x - k);
      if (wgt === 0) continue;
      const row = inv[mirror(k, nIn)];
      for (let i = 0; i < nIn; i++) m[o * nIn + i] += wgt * row[i];
    }
  }
  matrixCache.set(key, m);
  return m;
}

/**
 * Draws `n` slices' coarse displacement grids, N(0, σ²), as a (n, 2, cp, cp) float32 array:
 * per slice the d_y grid then the d_x grid, each row-major (rng.normal, in that order).
 */
export function drawElasticGrids(rng: Rng, n: number, sigma = 5, controlPoints = 3): Float32Array {
  const g = new Float32Array(n * 2 * controlPoints * controlPoints);
  for (let i = 0; i < g.length; i++) g[i] = rng.normal(0, sigma);
  return g;
}

/** M_H · G · M_Wᵀ clipped per slice and channel to [lo, hi] (N, 2, 1, 1): skimage's resize. */
function upsampleClipped(g: Tensor, lo: Tensor, hi: Tensor, h: number, w: number): Tensor {
  const [, , gh, gw] = g.shape;
  const device = g.device;
  const mh = torch.tensor(Float32Array.from(splineResizeMatrix(gh, h)), [h, gh], { device });
  const mwT = torch
    .tensor(Float32Array.from(splineResizeMatrix(gw, w)), [w, gw], { device })
    .transpose(0, 1);
  return mh.matmul(g).matmul(mwT).maximum(lo).minimum(hi);
}

/**
 * Dense displacement fields (N, 2, H, W) in pixels from coarse grids (N, 2, gh, gw), each channel
 * upsampled as skimage's resize(order=3, mode='reflect', clip=True).
 */
export function elasticDisplacement(grids: Tensor, h: number, w: number): Tensor {
  return torch.tidy(() =>
    torch.noGrad(() => {
      const flat = grids.flatten(2);
      const lo = flat.min(2, true).values.unsqueeze(3);
      const hi = flat.max(2, true).values.unsqueeze(3);
      return upsampleClipped(grids, lo, hi, h, w);
    }),
  );
}

/**
 * The elastic deformation of E.3 step 2 on a batch `x` (N, C, H, W) float: coarse displacement
 * grids `coarse` (N, 2, gh, gw) in pixels (channel 0 = d_y, 1 = d_x; from drawElasticGrids) are
 * upsampled as skimage's resize, then TF's dense_image_warp samples
 * output[n, :, y, x] = x[n, :, y − d_y, x − d_x] bilinearly with positions clamped to the slice.
 * Every channel moves with the same field (images and one-hot labels together).
 */
export function elasticWarp(x: Tensor, coarse: Float32Array, gridSize: [number, number]): Tensor {
  const [n, , h, w] = x.shape;
  const [gh, gw] = gridSize;
  if (h < 2 || w < 2) throw new RangeError(`elasticWarp needs H, W >= 2, got ${h}x${w}`);
  const cells = gh * gw;
  if (coarse.length !== n * 2 * cells) {
    throw new RangeError(
      `elasticWarp: ${coarse.length} grid values for ${n} slices of ${gh}x${gw}x2`,
    );
  }
  // On the host: reorder to (d_x, d_y) as grid_sample's (x, y), convert pixels to its normalised
  // units (align_corners = true: 2/(size − 1)), and take each grid's clip range.
  const scaled = new Float32Array(coarse.length);
  const lo = new Float32Array(n * 2);
  const hi = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 2; c++) {
      const src = (i * 2 + (1 - c)) * cells;
      const unit = c === 0 ? 2 / (w - 1) : 2 / (h - 1);
      let mn = Infinity;
      let mx = -Infinity;
      for (let j = 0; j < cells; j++) {
        const v = coarse[src + j] * unit;
        scaled[(i * 2 + c) * cells + j] = v;
        mn = Math.min(mn, v);
        mx = Math.max(mx, v);
      }
      lo[i * 2 + c] = mn;
      hi[i * 2 + c] = mx;
    }
  }
  return torch.tidy(() =>
    torch.noGrad(() => {
      const device = x.device;
      const g = torch.tensor(scaled, [n, 2, gh, gw], { device });
      const loT = torch.tensor(lo, [n, 2, 1, 1], { device });
      const hiT = torch.tensor(hi, [n, 2, 1, 1], { device });
      const dense = upsampleClipped(g, loT, hiT, h, w); // (N, 2, H, W): normalised (d_x, d_y)
      const identity = torch.tensor([1, 0, 0, 0, 1, 0], [1, 2, 3], { device });
      const base = F.affineGrid(identity, [1, 1, h, w], true); // (1, H, W, 2): (x, y)
      const grid = base.sub(dense.permute(0, 2, 3, 1));
      return F.gridSample(x, grid, { mode: 'bilinear', paddingMode: 'border', alignCorners: true });
    }),
  );
}
