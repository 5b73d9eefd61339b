import * as torch from '../torch/index.js';
import { IGNORE_LABEL, type SlicePool } from './pools.js';

/** Copies the chosen slices of a pool into tensors on `device`: images (B,1,H,W), labels (B,H,W) int64. */
export function gatherBatch(
  pool: SlicePool,
  indices: number[],
  device = 'cpu',
): { images: torch.Tensor; labels: torch.Tensor | null } {
  const [h, w] = pool.size;
  const plane = h * w;
  const img = new Float32Array(indices.length * plane);
  indices.forEach((s, i) => img.set(pool.images.subarray(s * plane, (s + 1) * plane), i * plane));
  const images = torch.tensor(img, [indices.length, 1, h, w], { device });
  if (!pool.labels) return { images, labels: null };
  const lab = new Uint8Array(indices.length * plane);
  indices.forEach((s, i) =>
    lab.set((pool.labels as Uint8Array).subarray(s * plane, (s + 1) * plane), i * plane),
  );
  const u8 = torch.tensor(lab, [indices.length, h, w], { device });
  const labels = u8.long();
  u8.dispose();
  return { images, labels };
}

/** One-hot (N, C, H, W) float32 maps of int64 labels (N, H, W); IGNORE_LABEL gives all zeros. */
export function oneHot(labels: torch.Tensor, numClasses: number): torch.Tensor {
  return torch.tidy(() => {
    const ignored = labels.eq(IGNORE_LABEL);
    const classes = torch.where(ignored, 0, labels);
    const oh = torch.F.oneHot(classes, numClasses).permute(0, 3, 1, 2).float();
    return oh.mul(ignored.logicalNot().unsqueeze(1).float()).contiguous();
  });
}
