/**
 * The 2-D fully connected CRF that turns network probabilities into pseudo-labels (method.md A.3,
 * I-14), with the semantics of pydensecrf as the authors call it (`f1_utils.calc_crf_op`):
 *
 *   unary      U_i(l) = −log(clip(p_i(l), 1e-5, 1))                       (unary_from_softmax)
 *   Gaussian   k_g(i, j) = exp(−|p_i − p_j|² / (2·g_sxy²))                 (create_pairwise_gaussian)
 *   bilateral  k_a(i, j) = exp(−|p_i − p_j|² / (2·a_sxy²) − |I_i − I_j|² / (2·a_srgb²))
 *   mean field Q⁰ = softmax(−U);  Q^{t+1}_i(l) ∝ exp(−U_i(l) + Σ_k w_k · m_k,i(l)),
 *              m_k = n_k ⊙ K_k(n_k ⊙ Q^t),  n_k,i = (Σ_j k(i, j) + 1e-20)^(−1/2)
 *
 * pydensecrf's details that matter, checked against its sources (densecrf v2 as wrapped by
 * pydensecrf; `addPairwiseEnergy` defaults):
 * - Potts compatibility gives the energy −w·filtered, so a label is *rewarded* by the kernel-weighted
 *   mass of that label around the pixel (hence the + above);
 * - the kernels are normalised symmetrically (NORMALIZE_SYMMETRIC, the default), with the row sums
 *   Σ_j k(i, j) of the same kernel, borders included (fewer neighbours near the border);
 * - the filter includes the pixel itself (j = i): the permutohedral lattice does not remove it.
 *   With a_sxy = 0.01 px every pixel is alone in its bilateral neighbourhood, so the normalised
 *   bilateral message is exactly Q_i itself: the "practically off" bilateral term (I-14) is in fact
 *   a self-reinforcement +a_w·Q_i(l) of each pixel's current belief;
 * - float32 throughout.
 * pydensecrf evaluates the kernels approximately with a permutohedral lattice (whose effective
 * kernel is only roughly the Gaussian of that width); here they are exact:
 * - the Gaussian kernel is separable, K(X) = G_H · X · G_W with the 1-D Gaussian matrices over the
 *   whole slice (no truncation, borders exact). When it saves work (σ = 10 px at 192²: rank 47
 *   instead of 192, a third of the operations), each G is replaced by a pivoted-Cholesky factor
 *   L·Lᵀ whose every entry is within `gaussianTolerance` (1e-9 in float32, below its resolution;
 *   1e-15 in float64) of the Gaussian;
 * - the bilateral kernel is an exact sum over a window of half-width r = ceil(truncate·a_sxy)
 *   (clamped per axis to the slice; weights beyond it are below exp(−truncate²/2) = 1.5e-8),
 *   skipping offsets whose spatial weight underflows to 0: at 0.01 px all of them, leaving the
 *   self-term. Its weight maps take (2r+1)²·N·H·W values (660 MB for r = 7 and 20 slices of 192²)
 *   and each iteration (2r+1)² passes, so half-widths above `maxBilateralRadius` (7 by default,
 *   i.e. a_sxy up to about 1.2 px) are refused; a permutohedral lattice would be needed beyond.
 * - Since Σ_l Q(l) = 1, the last label's Gaussian message is the filtered total minus the others'
 *   (one label fewer through the filter; exact up to rounding).
 *
 * The textbook mean field (Krähenbühl and Koltun 2011), Q_i(l) ∝ exp(−U_i(l) + Σ_k w_k Σ_{j≠i}
 * k(i, j) Q_j(l)), is `{ normalization: 'none', includeSelf: false }`. Beware that with the
 * paper's weights it is a very different CRF: unnormalised, Σ_j k_g ≈ 2π·g_sxy² ≈ 630 at 10 px, so
 * the smoothness term outweighs any unary by two orders of magnitude.
 */
import { InputError } from '../../errors.js';
import * as torch from '../../torch/index.js';
import type { Tensor } from '../../torch/index.js';

/** One CRF configuration: the paper's list [a_sxy, a_srgb, a_w1, g_sxy, g_w2, n_iter]. */
export interface CrfParams {
  /** Spatial standard deviation of the bilateral (appearance) kernel, in pixels (a_sxy). */
  bilateralSxy: number;
  /** Intensity standard deviation of the bilateral kernel (a_srgb). */
  bilateralSrgb: number;
  /** Potts weight of the bilateral kernel (a_w1). */
  bilateralWeight: number;
  /** Spatial standard deviation of the Gaussian (smoothness) kernel, in pixels (g_sxy). */
  gaussianSxy: number;
  /** Potts weight of the Gaussian kernel (g_w2). */
  gaussianWeight: number;
  /** Mean-field iterations (n_iter_crf). */
  iterations: number;
}

/** Reads the paper's parameter list [a_sxy, a_srgb, a_w1, g_sxy, g_w2, n_iter]. */
export function crfParamsFromList(list: readonly number[]): CrfParams {
  if (list.length !== 6 || !list.every(Number.isFinite)) {
    throw new RangeError(
      `CRF parameters: expected 6 finite numbers [a_sxy, a_srgb, a_w1, g_sxy, g_w2, n_iter], got [${list}]`,
    );
  }
  const [bilateralSxy, bilateralSrgb, bilateralWeight, gaussianSxy, gaussianWeight, iterations] =
    list;
  return validateParams({
    bilateralSxy,
    bilateralSrgb,
    bilateralWeight,
    gaussianSxy,
    gaussianWeight,
    iterations,
  });
}

/** The paper's list order of a parameter set. */
export function crfParamsToList(p: CrfParams): number[] {
  return [
    p.bilateralSxy,
    p.bilateralSrgb,
    p.bilateralWeight,
    p.gaussianSxy,
    p.gaussianWeight,
    p.iterations,
  ];
}

/**
 * Units of the spatial widths a_sxy and g_sxy of a CRF list (`pseudo.crfUnits`): 'px' pixels of
 * the network input (the paper's convention, at its 1.367 mm/pixel for ACDC); 'mm' millimetres,
 * for a constant network-space pixel size (preprocess mode 'spacing'); 'fov' fractions of the
 * network input's side, i.e. of the field of view when a whole slice is resized to the input
 * (SSL4MIS ACDC, PROMISE12 PNG slices).
 */
export type CrfUnits = 'px' | 'mm' | 'fov';

/** The network-space geometry the CRF widths are converted with. */
export interface CrfGeometry {
  /** Network input (H, W) in pixels. */
  size: readonly [number, number];
  /** Pixel size (row, column) in mm, when constant (preprocess mode 'spacing'); else null. */
  spacing?: readonly [number, number] | null;
}

/**
 * The paper's list [a_sxy, a_srgb, a_w1, g_sxy, g_w2, n_iter] with a_sxy and g_sxy converted from
 * `units` to pixels of the network input; the other entries are unchanged. The CRF kernels are
 * isotropic, so anisotropic pixels (or a non-square input for 'fov') use the geometric mean:
 * 'mm' divides by √(s_row·s_col), 'fov' multiplies by √(H·W).
 */
export function crfListInPixels(
  list: readonly number[],
  units: CrfUnits,
  geometry: CrfGeometry,
): number[] {
  const out = [...list];
  let scale: number;
  switch (units) {
    case 'px':
      return out;
    case 'mm': {
      const sp = geometry.spacing;
      if (!sp) {
        throw new InputError(
          "CRF widths in 'mm' (pseudo.crfUnits or --crf-units) need a constant pixel size (preprocess mode 'spacing'); use 'fov' or 'px' with mode 'resize'",
        );
      }
      scale = 1 / Math.sqrt(sp[0] * sp[1]);
      break;
    }
    case 'fov':
      scale = Math.sqrt(geometry.size[0] * geometry.size[1]);
      break;
    default:
      throw new InputError(`invalid config: pseudo.crfUnits: unknown units '${String(units)}'`);
  }
  out[0] = list[0] * scale;
  out[3] = list[3] * scale;
  return out;
}

/** The released code's settings (method.md A.3; MMWHS uses ACDC's). */
export const CRF_PARAMS = {
  acdc: crfParamsFromList([0.01, 0.5, 10, 10, 30, 30]),
  prostate: crfParamsFromList([0.01, 0.5, 10, 5, 30, 30]),
  mmwhs: crfParamsFromList([0.01, 0.5, 10, 10, 30, 30]),
} as const satisfies Record<string, CrfParams>;

/**
 * How a kernel's output is normalised by its row sums s_i = Σ_j k(i, j) (densecrf's
 * NormalizationType): 'symmetric' n⊙K(n⊙Q) with n = 1/√s (pydensecrf's default); 'before' K(Q/s);
 * 'after' K(Q)/s; 'none' K(Q) (densecrf's NO_NORMALIZATION).
 */
export type CrfNormalization = 'symmetric' | 'before' | 'after' | 'none';

export interface DenseCrfOptions {
  /** Probabilities are clipped to [clip, 1] before the log (unary_from_softmax's clip). Default 1e-5. */
  clip?: number;
  /** Kernel normalisation, default 'symmetric' (pydensecrf). */
  normalization?: CrfNormalization;
  /** Whether k(i, i) = 1 takes part in the filter and the row sums. Default true (pydensecrf). */
  includeSelf?: boolean;
  /** Bilateral window half-width in bilateral standard deviations. Default 6. */
  bilateralTruncate?: number;
  /** Largest bilateral window half-width accepted (after clamping to the image). Default 7. */
  maxBilateralRadius?: number;
  /**
   * Largest error allowed in any entry of the 1-D Gaussian matrices when they are replaced by
   * low-rank factors (pivoted Cholesky). Default 1e-9 in float32 (below its resolution of 1) and
   * 1e-15 in float64.
   */
  gaussianTolerance?: number;
  /** 'auto' (default) uses the low-rank factors when they save over 30 % of the operations. */
  gaussianMethod?: 'auto' | 'dense' | 'lowRank';
  /**
   * Bilateral window offsets gathered at once. Default: as many as keep a gathered block under
   * 2^23 values (32 MB in float32).
   */
  bilateralGroupSize?: number;
}

function validateParams(p: CrfParams): CrfParams {
  const bad = (what: string): never => {
    throw new RangeError(`CRF parameters: ${what}`);
  };
  if (!(p.bilateralSxy > 0) || !(p.bilateralSrgb > 0) || !(p.gaussianSxy > 0))
    bad('standard deviations must be > 0');
  if (!Number.isFinite(p.bilateralWeight) || !Number.isFinite(p.gaussianWeight))
    bad('weights must be finite');
  if (!Number.isInteger(p.iterations) || p.iterations < 0)
    bad(`iterations must be an integer >= 0, got ${p.iterations}`);
  return p;
}

/** The dense n×n matrix exp(−(a−b)²/(2σ²)), computed in float64, row-major. */
export function gaussianMatrix(n: number, sigma: number): Float64Array {
  const m = new Float64Array(n * n);
  for (let a = 0; a < n; a++)
    for (let b = 0; b < n; b++) m[a * n + b] = Math.exp(-((a - b) ** 2) / (2 * sigma * sigma));
  return m;
}

/**
 * Pivoted (incomplete) Cholesky factor L (n×r, row-major) of the 1-D Gaussian matrix G: G ≈ L·Lᵀ
 * with every entry of the residual G − L·Lᵀ in [−tol, tol] (the residual is positive
 * semi-definite with diagonal ≤ tol, so |R_ij| ≤ √(R_ii·R_jj) ≤ tol). For σ = 10 px and n = 192,
 * r = 47 at tol 1e-9 (r = 89 at 5 px), against 192 for the dense matrix.
 */
export function gaussianFactor(
  n: number,
  sigma: number,
  tol: number,
): { factor: Float64Array; rank: number } {
  const entry = (i: number, j: number) => Math.exp(-((i - j) ** 2) / (2 * sigma * sigma));
  const d = new Float64Array(n).fill(1);
  const cols: Float64Array[] = [];
  while (cols.length < n) {
    let p = 0;
    for (let i = 1; i < n; i++) if (d[i] > d[p]) p = i;
    if (d[p] <= tol) break;
    const lp = Math.sqrt(d[p]);
    const l = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let v = entry(i, p);
      for (const c of cols) v -= c[i] * c[p];
      l[i] = v / lp;
    }
    for (let i = 0; i < n; i++) d[i] = Math.max(0, d[i] - l[i] * l[i]);
    d[p] = 0;
    cols.push(l);
  }
  const r = cols.length;
  const factor = new Float64Array(n * r);
  for (let k = 0; k < r; k++) for (let i = 0; i < n; i++) factor[i * r + k] = cols[k][i];
  return { factor, rank: r };
}

/**
 * The separable Gaussian filter X ↦ G_H·X·G_W on (…, H, W) tensors: dense GEMMs, or the
 * low-rank factors L_H·(L_Hᵀ·X·L_W)·L_Wᵀ when these need clearly fewer operations.
 */
function gaussianFilter(
  H: number,
  W: number,
  sigma: number,
  tol: number,
  dtype: 'float32' | 'float64',
  device: string,
  method: 'auto' | 'dense' | 'lowRank',
): (x: Tensor) => Tensor {
  const fH = gaussianFactor(H, sigma, tol);
  const fW = H === W ? fH : gaussianFactor(W, sigma, tol);
  const dense = H * W * (H + W);
  const lowRank = 2 * H * W * fW.rank + 2 * H * fH.rank * fW.rank;
  if (method === 'lowRank' || (method === 'auto' && lowRank < 0.7 * dense)) {
    const lH = torch.tensor(fH.factor, [H, fH.rank], { dtype, device });
    const lHt = lH.transpose(0, 1).contiguous();
    const lW = H === W ? lH : torch.tensor(fW.factor, [W, fW.rank], { dtype, device });
    const lWt = H === W ? lHt : lW.transpose(0, 1).contiguous();
    return (x) => torch.tidy(() => lH.matmul(lHt.matmul(x.matmul(lW))).matmul(lWt));
  }
  const gH = torch.tensor(gaussianMatrix(H, sigma), [H, H], { dtype, device });
  const gW = W === H ? gH : torch.tensor(gaussianMatrix(W, sigma), [W, W], { dtype, device });
  return (x) => torch.tidy(() => gH.matmul(x.matmul(gW)));
}

/** Pre- and post-multipliers of a kernel from its row sums `s` (a tensor broadcastable to Q). */
function normalizers(
  s: Tensor,
  kind: CrfNormalization,
): { pre: Tensor | null; post: Tensor | null } {
  switch (kind) {
    case 'symmetric': {
      const n = s.add(1e-20).rsqrt();
      return { pre: n, post: n };
    }
    case 'before':
      return { pre: s.add(1e-20).reciprocal(), post: null };
    case 'after':
      return { pre: null, post: s.add(1e-20).reciprocal() };
    case 'none':
      return { pre: null, post: null };
  }
}

/**
 * A group of bilateral window offsets: `index` (k·H·W, int64) picks, for each offset and pixel,
 * the neighbour in the zero-padded slice flattened to (H + 2r)·(W + 2r); `weight` (N, 1, k, H·W)
 * holds the kernel values, zero where the neighbour is outside the slice.
 */
interface OffsetGroup {
  index: Tensor;
  weight: Tensor;
}

/** Elements per gathered (N, C, k, H·W) block of the bilateral sum: bounds its memory (32 MB). */
const GATHER_BUDGET = 1 << 23;

/**
 * Mean-field marginals of the dense CRF for a batch of independent slices.
 *
 * @param probs  (N, C, H, W) class probabilities (softmax output), float32 or float64; the
 *               computation runs in this dtype and on this device.
 * @param images (N, K, H, W) intensities for the bilateral kernel (K = 1 for MR), same N, H, W.
 * @returns (N, C, H, W) marginals Q after `params.iterations` iterations (softmax(−U) for 0).
 */
export function denseCrf(
  probs: Tensor,
  images: Tensor,
  params: CrfParams,
  options: DenseCrfOptions = {},
): Tensor {
  validateParams(params);
  const clip = options.clip ?? 1e-5;
  const normalization = options.normalization ?? 'symmetric';
  const includeSelf = options.includeSelf ?? true;
  const truncate = options.bilateralTruncate ?? 6;
  const maxRadius = options.maxBilateralRadius ?? 7;
  if (probs.ndim !== 4)
    throw new RangeError(`denseCrf: probs must be (N, C, H, W), got [${probs.shape}]`);
  const [N, C, H, W] = probs.shape;
  if (
    images.ndim !== 4 ||
    images.shape[0] !== N ||
    images.shape[2] !== H ||
    images.shape[3] !== W
  ) {
    throw new RangeError(
      `denseCrf: images must be (N, K, H, W) = (${N}, K, ${H}, ${W}), got [${images.shape}]`,
    );
  }
  if (probs.dtype !== 'float32' && probs.dtype !== 'float64') {
    throw new RangeError(`denseCrf: probs must be float32 or float64, got ${probs.dtype}`);
  }
  if (!(clip > 0 && clip <= 1))
    throw new RangeError(`denseCrf: clip must be in (0, 1], got ${clip}`);
  if (!['symmetric', 'before', 'after', 'none'].includes(normalization)) {
    throw new RangeError(`denseCrf: unknown normalization '${normalization}'`);
  }
  const dtype = probs.dtype as 'float32' | 'float64';
  const device = probs.device;

  const factorTol = options.gaussianTolerance ?? (dtype === 'float64' ? 1e-15 : 1e-9);

  return torch.noGrad(() =>
    torch.tidy(() => {
      const negU = probs.clamp(clip, 1).log(); // −U
      let Q = negU.softmax(1);
      if (params.iterations === 0 || N === 0 || C === 1) return Q;
      const ones = torch.ones([1, 1, H, W], { dtype, device });
      // Every iteration starts from `base` = −U plus the constant parts of the messages.
      const base = negU.clone();

      // ---- Gaussian kernel (separable) -------------------------------------------------------
      // Σ_l pre⊙Q(l) = pre, so the last label's filtered map is K(pre) minus the others': one
      // label fewer through the filter. K(pre) goes into `base`.
      const gActive = params.gaussianWeight !== 0;
      let filterG: (x: Tensor) => Tensor = (x) => x;
      let preG: Tensor | null = null;
      let wPostG: Tensor = ones;
      if (gActive) {
        filterG = gaussianFilter(
          H,
          W,
          params.gaussianSxy,
          factorTol,
          dtype,
          device,
          options.gaussianMethod ?? 'auto',
        );
        const rowSums = filterG(ones);
        const norm = normalizers(includeSelf ? rowSums : rowSums.sub(1), normalization);
        preG = norm.pre;
        wPostG = (norm.post ?? ones).mul(params.gaussianWeight);
        const p = preG ?? ones;
        const total = includeSelf ? filterG(p) : filterG(p).sub(p);
        base.narrow(1, C - 1, 1).addcmul_(wPostG, total);
      }

      // ---- bilateral kernel: exact windowed sum -----------------------------------------------
      const aActive = params.bilateralWeight !== 0;
      const groups: OffsetGroup[] = [];
      let preA: Tensor | null = null;
      let wPostA: Tensor = ones;
      let padR = 0;
      if (aActive) {
        const sxy = params.bilateralSxy;
        const radius = Math.ceil(truncate * sxy);
        const ry = Math.min(radius, H - 1);
        const rx = Math.min(radius, W - 1);
        const spatial = (dy: number, dx: number) =>
          Math.exp(-(dy * dy + dx * dx) / (2 * sxy * sxy));
        const live: [number, number][] = [];
        for (let dy = -ry; dy <= ry; dy++)
          for (let dx = -rx; dx <= rx; dx++)
            if ((dy !== 0 || dx !== 0) && spatial(dy, dx) > 0) live.push([dy, dx]);
        padR = Math.max(0, ...live.map(([dy, dx]) => Math.max(Math.abs(dy), Math.abs(dx))));
        if (padR > maxRadius) {
          throw new RangeError(
            `denseCrf: the bilateral window would have half-width ${padR} px (a_sxy ${sxy} px × ${truncate}); ` +
              `the exact windowed sum is limited to ${maxRadius} px (option maxBilateralRadius)`,
          );
        }
        let rowSums: Tensor = torch.full([N, 1, H, W], includeSelf ? 1 : 0, { dtype, device });
        if (live.length > 0) {
          // Offsets are processed in groups through one gather each (a few ops per group and
          // iteration instead of a few per offset).
          const img = images.to(dtype, device).flatten(2); // (N, K, H·W)
          const Wp = W + 2 * padR;
          const imgPad = torch.F.pad(images.to(dtype, device), [padR, padR, padR, padR]).flatten(2);
          const validPad = torch.F.pad(ones, [padR, padR, padR, padR]).flatten(2); // (1, 1, ·)
          const inv2s2 = 1 / (2 * params.bilateralSrgb * params.bilateralSrgb);
          const perGroup =
            options.bilateralGroupSize ??
            Math.max(1, Math.floor(GATHER_BUDGET / (N * Math.max(C, images.shape[1]) * H * W)));
          if (!Number.isInteger(perGroup) || perGroup < 1) {
            throw new RangeError(`denseCrf: bilateralGroupSize must be a positive integer`);
          }
          for (let g = 0; g < live.length; g += perGroup) {
            const part = live.slice(g, g + perGroup);
            const k = part.length;
            const idx = new BigInt64Array(k * H * W);
            const sp = new Float64Array(k);
            part.forEach(([dy, dx], j) => {
              sp[j] = spatial(dy, dx);
              for (let y = 0; y < H; y++)
                for (let x = 0; x < W; x++) {
                  idx[(j * H + y) * W + x] = BigInt((y + padR + dy) * Wp + x + padR + dx);
                }
            });
            const index = torch.tensor(idx, [k * H * W], { device });
            const spT = torch.tensor(sp, [1, k, 1], { dtype, device });
            const neighbours = imgPad.indexSelect(2, index).view(N, -1, k, H * W);
            const d2 = neighbours.sub(img.unsqueeze(2)).square().sum(1); // (N, k, H·W)
            const valid = validPad.indexSelect(2, index).view(1, k, H * W);
            const weight = d2.mul(-inv2s2).exp().mul(spT).mul(valid);
            rowSums = rowSums.add(weight.sum(1, true).view(N, 1, H, W));
            groups.push({ index, weight: weight.unsqueeze(1) });
          }
        }
        const norm = normalizers(rowSums, normalization);
        preA = norm.pre;
        wPostA = (norm.post ?? ones).mul(params.bilateralWeight);
        if (groups.length === 0 && includeSelf) {
          // Every pixel alone in its neighbourhood (a_sxy = 0.01 px): the message is Q itself,
          // scaled by w·pre·post (= w for the symmetric normalisation).
          wPostA = preA ? wPostA.mul(preA) : wPostA;
        }
      }
      const bilateralSelfOnly = aActive && groups.length === 0;

      for (let it = 0; it < params.iterations; it++) {
        const prevQ = Q;
        Q = torch.tidy(() => {
          const logits = base.clone();
          if (gActive) {
            const head = prevQ.narrow(1, 0, C - 1);
            const X = preG ? head.mul(preG) : head.contiguous();
            const Z = filterG(X);
            if (!includeSelf) Z.sub_(X);
            logits.narrow(1, 0, C - 1).addcmul_(wPostG, Z);
            logits.narrow(1, C - 1, 1).addcmul_(wPostG, Z.sum(1, true), -1);
          }
          if (bilateralSelfOnly) {
            if (includeSelf) logits.addcmul_(wPostA, prevQ);
          } else if (aActive) {
            const X = preA ? prevQ.mul(preA) : prevQ;
            const acc = includeSelf ? X.clone() : torch.zerosLike(X);
            const Xpad = torch.F.pad(X, [padR, padR, padR, padR]).flatten(2);
            for (const g of groups) {
              const k = g.weight.shape[2];
              const shifted = Xpad.indexSelect(2, g.index).view(N, C, k, H * W);
              acc.add_(shifted.mul(g.weight).sum(2).view(N, C, H, W));
            }
            logits.addcmul_(wPostA, acc);
          }
          return logits.softmax(1);
        });
        prevQ.dispose();
      }
      return Q;
    }),
  );
}

/** Pseudo-labels: argmax over labels of the CRF marginals, (N, H, W) int64. */
export function crfLabels(
  probs: Tensor,
  images: Tensor,
  params: CrfParams,
  options: DenseCrfOptions = {},
): Tensor {
  return torch.tidy(() => denseCrf(probs, images, params, options).argmax(1));
}

/**
 * CRF pseudo-labels of many slices, `batchSize` slices at a time (memory stays bounded: about
 * 10·batchSize·C·H·W values for the paper's parameters). Same arguments as `crfLabels`.
 */
export function crfLabelsBatched(
  probs: Tensor,
  images: Tensor,
  params: CrfParams,
  options: DenseCrfOptions & { batchSize?: number } = {},
): Tensor {
  const bs = options.batchSize ?? 16;
  if (!Number.isInteger(bs) || bs < 1)
    throw new RangeError(`crfLabelsBatched: batchSize must be a positive integer`);
  const N = probs.shape[0];
  if (N <= bs) return crfLabels(probs, images, params, options);
  return torch.tidy(() => {
    const parts: Tensor[] = [];
    for (let s = 0; s < N; s += bs) {
      const n = Math.min(bs, N - s);
      parts.push(crfLabels(probs.narrow(0, s, n), images.narrow(0, s, n), params, options));
    }
    return torch.cat(parts, 0);
  });
}
