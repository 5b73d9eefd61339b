/**
 * The per-slice affine augmentation of the segmentation batch (method.md E.3 step 1), as one
 * batched F.affineGrid + F.gridSample over the slices that actually move.
 *
 * Conventions (checked against scipy in test/data/augment-affine.test.ts):
 * - pixel coordinates are (x = column, y = row), pixel centres at integers, rotations about the
 *   image centre ((W−1)/2, (H−1)/2) as scipy.ndimage.rotate(reshape=False);
 * - a positive angle turns the content counter-clockwise as displayed (row 0 at the top), so
 *   `{ kind: 'rotate45', k: 2 }` equals np.rot90 and scipy.ndimage.rotate(img, 90);
 * - images are sampled bilinearly, labels by nearest neighbour, outside the slice is 0 (background).
 *
 * Known small differences from the authors' scipy/skimage code: near the slice border grid_sample
 * (zeros padding) blends the outermost pixel towards 0 over one pixel, where scipy's 'constant'
 * mode does not; skimage's rescale may apply a negligible anti-aliasing blur (σ ≤ 0.03 px) when
 * shrinking. Interior pixels agree to float precision.
 */
import * as torch from '../torch/index.js';
import { F, type Tensor } from '../torch/index.js';
import type { Rng } from '../util/rng.js';

/** One slice's affine transform: which of the five options of E.3 was drawn, and its parameter. */
export type AffineParams =
  | { kind: 'none' }
  /** (a) rotation by `degrees` ∈ U(−15, 15). */
  | { kind: 'rotate'; degrees: number }
  /** (b) isotropic rescale by `factor` ∈ U(0.95, 1.05) rounded to 2 decimals, then centre crop/pad. */
  | { kind: 'scale'; factor: number }
  /** (c) left-right flip, applied when `flipped` (a fair coin). */
  | { kind: 'flip'; flipped: boolean }
  /** (d) rotation by k·45°, k ∈ {0..7}. */
  | { kind: 'rotate45'; k: number };

/**
 * Draws one slice's option uniformly from the five of E.3, then its parameter. Draws from `rng`:
 * int(5), then uniform (rotate, scale), int(2) (flip), int(8) (rotate45) or nothing.
 */
export function drawAffineParams(rng: Rng): AffineParams {
  switch (rng.int(5)) {
    case 0:
      return { kind: 'rotate', degrees: rng.uniform(-15, 15) };
    case 1:
      return { kind: 'scale', factor: Math.round(rng.uniform(0.95, 1.05) * 100) / 100 };
    case 2:
      // The code flips when np.random.randint(2) == 0.
      return { kind: 'flip', flipped: rng.int(2) === 0 };
    case 3:
      return { kind: 'rotate45', k: rng.int(8) };
    default:
      return { kind: 'none' };
  }
}

/**
 * A 2×3 matrix [[a, b, tx], [c, d, ty]] (row-major) mapping an output pixel (x, y, 1) to the input
 * pixel it samples.
 */
export type PixelAffine = [number, number, number, number, number, number];

const snap = (v: number): number => (Math.abs(v - Math.round(v)) < 1e-12 ? Math.round(v) : v);

function rotation(degrees: number, h: number, w: number): PixelAffine {
  const t = (degrees * Math.PI) / 180;
  const cos = snap(Math.cos(t));
  const sin = snap(Math.sin(t));
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  // input = R·(output − c) + c with R = [[cos, −sin], [sin, cos]] in (x, y).
  return [cos, -sin, cx - cos * cx + sin * cy, sin, cos, cy - sin * cx - cos * cy];
}

/**
 * skimage.transform.rescale (pixel-centre convention, output size round(n·s)) followed by the
 * code's crop_or_pad_slice_to_size (offsets ⌊|m − n|/2⌋), composed per axis into in = r·out + t.
 */
function rescaleAxis(n: number, factor: number): [number, number] {
  const m = Math.max(Math.round(n * factor), 1);
  const shift = m > n ? Math.floor((m - n) / 2) : -Math.floor((n - m) / 2);
  const r = n / m;
  return [r, (shift + 0.5) * r - 0.5];
}

/** The pixel-space matrix of `p` for an H×W slice. */
export function pixelAffine(p: AffineParams, h: number, w: number): PixelAffine {
  switch (p.kind) {
    case 'rotate':
      return rotation(p.degrees, h, w);
    case 'rotate45':
      return rotation(p.k * 45, h, w);
    case 'scale': {
      const [rx, tx] = rescaleAxis(w, p.factor);
      const [ry, ty] = rescaleAxis(h, p.factor);
      return [rx, 0, tx, 0, ry, ty];
    }
    case 'flip':
      return p.flipped ? [-1, 0, w - 1, 0, 1, 0] : [1, 0, 0, 0, 1, 0];
    default:
      return [1, 0, 0, 0, 1, 0];
  }
}

/** True when the matrix maps every pixel onto itself (the slice needs no resampling). */
export function isIdentity(m: PixelAffine): boolean {
  const id = [1, 0, 0, 0, 1, 0];
  return m.every((v, i) => Math.abs(v - id[i]) < 1e-9);
}

/**
 * F.affineGrid's θ (align_corners = true, normalised coordinates x_n = (x − cx)/cx) of a pixel
 * matrix: θ = D⁻¹·[L | L·c + t − c] with D = diag(cx, cy), c = (cx, cy).
 */
export function thetaOf(m: PixelAffine, h: number, w: number): PixelAffine {
  if (h < 2 || w < 2) throw new RangeError(`affine augmentation needs H, W >= 2, got ${h}x${w}`);
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  const [a, b, tx, c, d, ty] = m;
  return [
    a,
    (b * cy) / cx,
    (a * cx + b * cy + tx - cx) / cx,
    (c * cx) / cy,
    d,
    (c * cx + d * cy + ty - cy) / cy,
  ];
}

/**
 * Applies one affine transform per slice. `images` (N, C, H, W) float are sampled bilinearly,
 * `labels` (N, H, W) int64 (optional) by nearest neighbour; both are zero outside the slice. Slices
 * whose transform is the identity are copied bit for bit, not resampled.
 */
export function applyAffine(
  images: Tensor,
  labels: Tensor | null,
  params: AffineParams[],
): { images: Tensor; labels: Tensor | null } {
  return torch.tidy(() => {
    const r = affineSample(images, labels ? labels.unsqueeze(1).float() : null, params);
    return { images: r.images, labels: r.labelMap ? r.labelMap.squeeze(1).long() : null };
  });
}

/**
 * applyAffine on a float label map (N, 1, H, W) holding class indices (nearest sampling keeps them
 * exact), as the batch pipeline uses it. Returns new tensors (copies when nothing moves).
 */
export function affineSample(
  images: Tensor,
  labelMap: Tensor | null,
  params: AffineParams[],
): { images: Tensor; labelMap: Tensor | null } {
  const [n, ch, h, w] = images.shape;
  if (params.length !== n)
    throw new RangeError(`applyAffine: ${params.length} transforms for ${n} slices`);
  return torch.tidy(() =>
    torch.noGrad(() => {
      const active: number[] = [];
      const thetas: number[] = [];
      params.forEach((p, i) => {
        const m = pixelAffine(p, h, w);
        if (isIdentity(m)) return;
        active.push(i);
        thetas.push(...thetaOf(m, h, w));
      });
      const k = active.length;
      if (k === 0) return { images: images.clone(), labelMap: labelMap?.clone() ?? null };
      const device = images.device;
      const theta = torch.tensor(Float32Array.from(thetas), [k, 2, 3], { device });
      const grid = F.affineGrid(theta, [k, ch, h, w], true);
      // Sample only the slices that move; the others are copied unchanged.
      const idx = k < n ? torch.tensor(BigInt64Array.from(active, BigInt), [k], { device }) : null;
      const sample = (x: Tensor, mode: 'bilinear' | 'nearest'): Tensor => {
        const out = F.gridSample(idx ? x.indexSelect(0, idx) : x, grid, {
          mode,
          alignCorners: true,
        });
        return idx ? x.indexPut(idx, out) : out;
      };
      return {
        images: sample(images, 'bilinear'),
        labelMap: labelMap ? sample(labelMap, 'nearest') : null,
      };
    }),
  );
}
