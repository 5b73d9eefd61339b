import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../../src/torch/index.js';
import { Rng } from '../../src/util/rng.js';
import {
  type AffineParams,
  applyAffine,
  augmentSegmentationBatch,
  drawAffineParams,
} from '../../src/data/augment.js';
import { hasScipy, maxAbsDiff, python, rows, sameBits, syntheticBatch } from './augment-helpers.js';

torch.setNumThreads(1);
const H = 64;
const W = 64;

/** Applies one transform to the one-slice synthetic batch. */
function one(p: AffineParams, h = H, w = W) {
  const { images, labels } = syntheticBatch(1, h, w);
  const r = applyAffine(images, labels, [p]);
  return { images, labels, out: r.images, outLabels: r.labels as torch.Tensor };
}

/** Intensity-weighted centroid (x, y) of a (1, 1, H, W) image. */
function centroid(t: torch.Tensor): [number, number] {
  const [, , h, w] = t.shape;
  const d = t.contiguous().toArray();
  let s = 0;
  let sx = 0;
  let sy = 0;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const v = d[y * w + x];
      s += v;
      sx += v * x;
      sy += v * y;
    }
  return [sx / s, sy / s];
}

describe('affine augmentation (E.3 step 1)', () => {
  it('flip mirrors left-right; an unflipped coin, k = 0 and scale 1.00 leave the slice bit-identical', () => {
    const f = one({ kind: 'flip', flipped: true });
    assert.ok(maxAbsDiff(f.out, f.images.flip(3)) < 1e-4);
    assert.ok(sameBits(f.outLabels, f.labels.flip(2)), 'labels flipped exactly');
    for (const p of [
      { kind: 'flip', flipped: false },
      { kind: 'rotate45', k: 0 },
      { kind: 'scale', factor: 1 },
      { kind: 'none' },
    ] as AffineParams[]) {
      const r = one(p);
      assert.ok(sameBits(r.out, r.images), `${JSON.stringify(p)} images unchanged`);
      assert.ok(sameBits(r.outLabels, r.labels), `${JSON.stringify(p)} labels unchanged`);
    }
  });

  it('rotation by k·45°: k = 2 is np.rot90 (transpose then flip rows), k = 4 is 180°, k = 6 is 270°', () => {
    const r90 = one({ kind: 'rotate45', k: 2 });
    const rot90 = (t: torch.Tensor) => t.transpose(-2, -1).flip(t.ndim - 2);
    assert.ok(maxAbsDiff(r90.out, rot90(r90.images)) < 1e-4);
    assert.ok(sameBits(r90.outLabels, rot90(r90.labels).contiguous()));
    const r180 = one({ kind: 'rotate45', k: 4 });
    assert.ok(sameBits(r180.outLabels, r180.labels.flip(1, 2)));
    assert.ok(maxAbsDiff(r180.out, r180.images.flip(2, 3)) < 1e-4);
    const r270 = one({ kind: 'rotate45', k: 6 });
    assert.ok(sameBits(r270.outLabels, rot90(rot90(rot90(r270.labels))).contiguous()));
    // 45°: the content turns about the centre, so the centre pixel keeps its value.
    const r45 = one({ kind: 'rotate45', k: 1 });
    const c = (t: torch.Tensor) => rows(t.reshape(H, W))[H / 2][W / 2];
    assert.ok(Math.abs(c(r45.out) - c(r45.images)) < 0.35);
  });

  it('scaling keeps the centre fixed and scales areas by s²', () => {
    // A centred disc: its centroid stays at the centre, its area grows by 1.05² or shrinks by 0.95².
    const h = 96;
    const disc = new Float32Array(h * h);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < h; x++)
        disc[y * h + x] = (x - 47.5) ** 2 + (y - 47.5) ** 2 < 30 ** 2 ? 1 : 0;
    const img = torch.tensor(disc, [1, 1, h, h]);
    const area0 = img.sum().item();
    for (const s of [0.95, 1.05]) {
      const out = applyAffine(img, null, [{ kind: 'scale', factor: s }]).images;
      const [cx, cy] = centroid(out);
      assert.ok(
        Math.abs(cx - 47.5) < 0.6 && Math.abs(cy - 47.5) < 0.6,
        `centre ${cx},${cy} at s=${s}`,
      );
      const ratio = out.sum().item() / area0;
      assert.ok(Math.abs(ratio - s * s) < 0.01, `area ratio ${ratio} vs ${s * s}`);
    }
  });

  it(
    'matches scipy.ndimage.rotate and skimage rescale + crop/pad (emulated with scipy zoom) in the interior',
    { skip: !hasScipy() && 'no scipy' },
    () => {
      const { images, labels } = syntheticBatch(1, H, W);
      const cases: AffineParams[] = [
        { kind: 'rotate', degrees: 13.7 },
        { kind: 'rotate', degrees: -9.2 },
        { kind: 'rotate45', k: 3 },
        { kind: 'scale', factor: 0.95 },
        { kind: 'scale', factor: 0.97 },
        { kind: 'scale', factor: 1.05 },
      ];
      const ref = python<{ img: number[][]; lab: number[][] }[]>(
        `
import sys, json, numpy as np
from scipy import ndimage as nd
job = json.load(sys.stdin)
img = np.array(job['img'], dtype=np.float64); lab = np.array(job['lab'], dtype=np.float64)
def crop_or_pad(s, nx, ny):  # the authors' crop_or_pad_slice_to_size
    x, y = s.shape
    out = np.zeros((nx, ny))
    xs, ys, xc, yc = (x - nx) // 2, (y - ny) // 2, (nx - x) // 2, (ny - y) // 2
    if x > nx and y > ny: return s[xs:xs + nx, ys:ys + ny]
    if x <= nx and y > ny: out[xc:xc + x, :] = s[:, ys:ys + ny]
    elif x > nx and y <= ny: out[:, yc:yc + y] = s[xs:xs + nx, :]
    else: out[xc:xc + x, yc:yc + y] = s
    return out
def rescale(s, f, order):  # skimage.transform.rescale(mode='constant'): pixel-centre zoom to round(n·f)
    m = [max(int(np.round(n * f)), 1) for n in s.shape]
    return nd.zoom(s, [m[0] / s.shape[0], m[1] / s.shape[1]], order=order, mode='grid-constant', grid_mode=True)
out = []
for c in job['cases']:
    if c['kind'] in ('rotate', 'rotate45'):
        a = c['degrees'] if c['kind'] == 'rotate' else 45 * c['k']
        i2 = nd.rotate(img, a, reshape=False, axes=(1, 0), order=1)
        l2 = nd.rotate(lab, a, reshape=False, axes=(1, 0), order=0)
    else:
        i2 = crop_or_pad(rescale(img, c['factor'], 1), *img.shape)
        l2 = crop_or_pad(rescale(lab, c['factor'], 0), *img.shape)
    out.append({'img': i2.tolist(), 'lab': l2.tolist()})
print(json.dumps(out))
`,
        { img: rows(images.reshape(H, W)), lab: rows(labels.reshape(H, W)), cases },
      );
      cases.forEach((p, i) => {
        const r = applyAffine(images, labels, [p]);
        const got = rows(r.images.reshape(H, W));
        const gotLab = rows((r.labels as torch.Tensor).reshape(H, W));
        let err = 0;
        let mismatched = 0;
        let compared = 0;
        for (let y = 0; y < H; y++)
          for (let x = 0; x < W; x++) {
            // Interior: well inside the rotated / rescaled field of view (edges differ by design).
            if ((x - 31.5) ** 2 + (y - 31.5) ** 2 > 26 ** 2) continue;
            compared++;
            err = Math.max(err, Math.abs(got[y][x] - ref[i].img[y][x]));
            if (gotLab[y][x] !== ref[i].lab[y][x]) mismatched++;
          }
        assert.ok(err < 1e-4, `${JSON.stringify(p)}: image max error ${err}`);
        // Nearest neighbour may break exact ties differently; allow a few pixels.
        assert.ok(
          mismatched <= compared * 0.005,
          `${JSON.stringify(p)}: ${mismatched}/${compared} labels differ`,
        );
      });
    },
  );

  it('draws the five options uniformly with the specified parameter ranges', () => {
    const rng = new Rng(11);
    const count: Record<string, number> = { none: 0, rotate: 0, scale: 0, flip: 0, rotate45: 0 };
    let flips = 0;
    const ks = new Set<number>();
    const trials = 10000;
    for (let i = 0; i < trials; i++) {
      const p = drawAffineParams(rng);
      count[p.kind]++;
      if (p.kind === 'rotate') assert.ok(p.degrees >= -15 && p.degrees < 15);
      if (p.kind === 'scale') {
        assert.ok(p.factor >= 0.95 && p.factor <= 1.05);
        assert.equal(Math.round(p.factor * 100), Number((p.factor * 100).toFixed(6)), '2 decimals');
      }
      if (p.kind === 'flip' && p.flipped) flips++;
      if (p.kind === 'rotate45') ks.add(p.k);
    }
    for (const [k, c] of Object.entries(count))
      assert.ok(Math.abs(c / trials - 0.2) < 0.02, `${k}: ${c}`);
    assert.ok(Math.abs(flips / count.flip - 0.5) < 0.05);
    assert.deepEqual([...ks].sort(), [0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('leaves slices whose max is at most 0.001 untouched', () => {
    const { images, labels } = syntheticBatch(6, 32, 32);
    // Slices 1 and 4 nearly empty (max 0.0008), with a labelled structure that must not move.
    const faint = images.clone();
    for (const i of [1, 4]) faint.select(0, i).mul_(0.0008);
    for (let seed = 0; seed < 5; seed++) {
      const r = augmentSegmentationBatch(faint, labels, 4, { rng: new Rng(seed), elastic: false });
      assert.deepEqual(r.plan.affine[1], { kind: 'none' });
      assert.deepEqual(r.plan.affine[4], { kind: 'none' });
      for (const i of [1, 4]) {
        assert.ok(sameBits(r.images.select(0, i).contiguous(), faint.select(0, i).contiguous()));
        assert.ok(sameBits(r.labels.select(0, i).argmax(0), labels.select(0, i).contiguous()));
      }
      torch.dispose(r);
    }
  });
});
