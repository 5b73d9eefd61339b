// The TTA agreement filter of the pseudo-labels (src/method/pseudo/tta-filter.ts): augmentation
// draws, the geometry of the forward and inverse transforms, the Dice, and the keep/reject
// decision for an equivariant and a position-dependent predictor.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as torch from '../../src/torch/index.js';
import type { Tensor } from '../../src/torch/index.js';
import {
  applyAugmentation,
  drawTtaAugmentation,
  drawTtaPair,
  foregroundDice,
  invertAugmentation,
  ttaAgreement,
  ttaFilter,
  type TtaAugmentation,
} from '../../src/method/pseudo/tta-filter.js';
import { Rng } from '../../src/util/rng.js';

torch.setNumThreads(2);

/** A smooth test volume (S, 1, H, W): a bright disc in a mid-grey ring on a dark background. */
function phantom(S: number, H: number, W: number, shift = 0): Tensor {
  const v = new Float32Array(S * H * W);
  for (let s = 0; s < S; s++)
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        const r = Math.hypot(y - H / 2 + 3, x - W / 2 + 2 + shift + s);
        const soft = (edge: number) => 1 / (1 + Math.exp((r - edge) / 1.5));
        v[(s * H + y) * W + x] = 0.5 * soft(H * 0.3) + 0.5 * soft(H * 0.15);
      }
  return torch.tensor(v, [S, 1, H, W]);
}

/** Pointwise (hence equivariant) classifier: soft assignment of each intensity to 0, 0.5 and 1. */
const intensityPredictor = (x: Tensor): Tensor =>
  torch.tidy(() =>
    torch
      .cat([x.sub(0).square(), x.sub(0.5).square(), x.sub(1).square()], 1)
      .mul(-40)
      .softmax(1),
  );

/** Ignores the image: vertical stripes of classes 1 and 2 at fixed positions (not equivariant). */
const stripePredictor = (x: Tensor): Tensor => {
  const [N, , H, W] = x.shape;
  const p = new Float32Array(N * 3 * H * W);
  for (let n = 0; n < N; n++)
    for (let y = 0; y < H; y++)
      for (let xx = 0; xx < W; xx++)
        p[((n * 3 + 1 + (Math.floor(xx / 4) % 2)) * H + y) * W + xx] = 1;
  return torch.tensor(p, [N, 3, H, W]);
};

function meanAbsInDisc(a: Tensor, b: Tensor, radiusFrac: number): number {
  const [, , H, W] = a.shape;
  const av = a.toArray();
  const bv = b.toArray();
  let s = 0;
  let n = 0;
  for (let i = 0; i < av.length; i++) {
    const x = i % W;
    const y = Math.floor(i / W) % H;
    if (Math.hypot(x - (W - 1) / 2, y - (H - 1) / 2) < (radiusFrac * Math.min(H, W)) / 2) {
      s += Math.abs(av[i] - bv[i]);
      n++;
    }
  }
  return s / n;
}

describe('TTA augmentation draws', () => {
  it('uniform over rotation / scale / flip with the documented ranges; scale rounded to 2 decimals', () => {
    const rng = new Rng(1);
    const counts = { rotation: 0, scale: 0, flip: 0 };
    for (let i = 0; i < 3000; i++) {
      const a = drawTtaAugmentation(rng);
      counts[a.kind]++;
      if (a.kind === 'rotation') assert.ok(a.degrees >= -30 && a.degrees < 30);
      if (a.kind === 'scale') {
        assert.ok(a.factor >= 0.9 && a.factor <= 1.1);
        assert.equal(Math.round(a.factor * 100) / 100, a.factor);
      }
    }
    for (const k of ['rotation', 'scale', 'flip'] as const)
      assert.ok(Math.abs(counts[k] - 1000) < 100, `${k}: ${counts[k]}`);
  });
  it('the pair is never two flips; a function source works as well as an Rng; seeded draws repeat', () => {
    const rng = new Rng(2);
    let flips = 0;
    for (let i = 0; i < 500; i++) {
      const [a, b] = drawTtaPair(rng);
      assert.ok(!(a.kind === 'flip' && b.kind === 'flip'));
      if (a.kind === 'flip' || b.kind === 'flip') flips++;
    }
    assert.ok(flips > 100); // one flip is allowed
    const r1 = new Rng(3);
    const r2 = new Rng(3);
    assert.deepEqual(
      drawTtaPair(r1),
      drawTtaPair(() => r2.uniform()),
    );
  });
});

describe('TTA geometry', () => {
  it('rotation by +90° is rot90 counter-clockwise (scipy.ndimage.rotate convention); flip reverses W', () => {
    torch.tidy(() => {
      const x = torch.rand([2, 3, 8, 8]);
      const r = applyAugmentation(x, { kind: 'rotation', degrees: 90 });
      const expected = x.transpose(2, 3).flip(2);
      assert.ok(r.sub(expected).abs().max().item() < 1e-5);
      const f = applyAugmentation(x, { kind: 'flip' });
      assert.deepEqual(f.toArray(), x.flip(3).toArray());
      assert.deepEqual(invertAugmentation(f, { kind: 'flip' }).toArray(), x.toArray());
    });
  });
  it('rotation and scale on a non-square slice keep lengths in pixels (no shear)', () => {
    // A single bright pixel 6 px right of the centre of a 21×31 slice, rotated by 90°, must land
    // 6 px above the centre (counter-clockwise as displayed); scaled by 1.5 it moves to 9 px.
    torch.tidy(() => {
      const H = 21;
      const W = 31;
      const v = new Float32Array(H * W);
      v[10 * W + 15 + 6] = 1;
      const x = torch.tensor(v, [1, 1, H, W]);
      const argmaxYX = (t: Tensor) => {
        const i = t.flatten().argmax().item();
        return [Math.floor(i / W), i % W];
      };
      assert.deepEqual(argmaxYX(applyAugmentation(x, { kind: 'rotation', degrees: 90 })), [
        10 - 6,
        15,
      ]);
      assert.deepEqual(argmaxYX(applyAugmentation(x, { kind: 'scale', factor: 1.5 })), [
        10,
        15 + 9,
      ]);
    });
  });
  it('scale s > 1 magnifies: a disc grows in area by about s²', () => {
    torch.tidy(() => {
      const x = phantom(1, 64, 64).gt(0.4).float();
      const area = (t: Tensor) => t.gt(0.5).sum().item();
      const ratio = area(applyAugmentation(x, { kind: 'scale', factor: 1.1 })) / area(x);
      assert.ok(Math.abs(ratio - 1.21) < 0.05, `area ratio ${ratio}`);
    });
  });
  const augs: TtaAugmentation[] = [
    { kind: 'rotation', degrees: 27.3 },
    { kind: 'rotation', degrees: -14 },
    { kind: 'scale', factor: 0.9 },
    { kind: 'scale', factor: 1.1 },
    { kind: 'flip' },
  ];
  for (const aug of augs) {
    it(`the correct inverse undoes ${JSON.stringify(aug)} on a smooth image, away from the borders`, () => {
      torch.tidy(() => {
        const x = phantom(2, 64, 64);
        const back = invertAugmentation(applyAugmentation(x, aug), aug);
        const err = meanAbsInDisc(back, x, 0.8);
        assert.ok(err < 0.01, `mean |round trip − original| ${err}`);
        assert.ok(
          meanAbsInDisc(applyAugmentation(x, aug), x, 0.8) > 5 * err || aug.kind === 'flip',
        );
      });
    });
  }
  it("the code's inverse (2 − s) leaves a residual scaling that the correct one (1/s) does not", () => {
    torch.tidy(() => {
      const x = phantom(1, 96, 96);
      const aug: TtaAugmentation = { kind: 'scale', factor: 1.1 };
      const fwd = applyAugmentation(x, aug);
      const errCorrect = meanAbsInDisc(invertAugmentation(fwd, aug, 'correct'), x, 0.8);
      const errCode = meanAbsInDisc(invertAugmentation(fwd, aug, 'code'), x, 0.8);
      assert.ok(errCode > 2 * errCorrect, `code ${errCode} vs correct ${errCorrect}`);
      // Rotation and flip inverses are the same in both.
      const rot: TtaAugmentation = { kind: 'rotation', degrees: 20 };
      const r = applyAugmentation(x, rot);
      assert.deepEqual(
        invertAugmentation(r, rot, 'code').toArray(),
        invertAugmentation(r, rot, 'correct').toArray(),
      );
    });
  });
});

describe('TTA agreement filter', () => {
  it('foregroundDice per fixed class id; absent classes give the chosen value', () => {
    torch.tidy(() => {
      const a = torch.tensor(BigInt64Array.from([0, 1, 1, 2, 2, 0].map(BigInt)), [2, 3]);
      const b = torch.tensor(BigInt64Array.from([0, 1, 2, 2, 2, 1].map(BigInt)), [2, 3]);
      const d = foregroundDice(a, b, 4);
      assert.deepEqual(d, [(2 * 1) / (2 + 2), (2 * 2) / (2 + 3), 1]);
      assert.ok(Number.isNaN(foregroundDice(a, b, 4, NaN)[2]));
    });
  });
  it('keeps a volume whose predictor is equivariant (agreement ≈ 1), for every kind of augmentation pair', () => {
    const vol = phantom(3, 64, 64);
    const pairs: [TtaAugmentation, TtaAugmentation][] = [
      [
        { kind: 'rotation', degrees: 28 },
        { kind: 'rotation', degrees: -25 },
      ],
      [{ kind: 'scale', factor: 0.9 }, { kind: 'flip' }],
      [{ kind: 'flip' }, { kind: 'scale', factor: 1.1 }],
    ];
    for (const augmentations of pairs) {
      const r = ttaFilter(intensityPredictor, vol, 3, { augmentations });
      assert.ok(r.keep && r.agreement > 0.95, `${JSON.stringify(augmentations)}: ${r.agreement}`);
      assert.equal(r.dice.length, 2);
    }
    const rng = new Rng(5);
    for (let i = 0; i < 5; i++) {
      const r = ttaFilter(intensityPredictor, vol, 3, { rng, batchSize: 2 });
      assert.ok(r.keep && r.agreement > 0.95, `${JSON.stringify(r.augmentations)}: ${r.agreement}`);
    }
    vol.dispose();
  });
  it('rejects a volume whose predictor depends on absolute position', () => {
    const vol = phantom(2, 64, 64);
    const rng = new Rng(6);
    for (let i = 0; i < 5; i++) {
      const r = ttaFilter(stripePredictor, vol, 3, { rng });
      assert.ok(!r.keep && r.agreement < 0.9, `${JSON.stringify(r.augmentations)}: ${r.agreement}`);
    }
    const flipped = ttaFilter(stripePredictor, vol, 3, {
      augmentations: [{ kind: 'flip' }, { kind: 'rotation', degrees: 0 }],
    });
    assert.ok(flipped.agreement < 0.05, `flip vs identity: ${flipped.agreement}`);
    vol.dispose();
  });
  it('threshold, absent classes, agreement helper and input checks', () => {
    const vol = phantom(1, 32, 32);
    const augmentations: [TtaAugmentation, TtaAugmentation] = [
      { kind: 'flip' },
      { kind: 'rotation', degrees: 10 },
    ];
    const r = ttaFilter(intensityPredictor, vol, 3, { augmentations });
    assert.equal(ttaAgreement(intensityPredictor, vol, 3, { augmentations }), r.agreement);
    assert.equal(
      ttaFilter(intensityPredictor, vol, 3, { augmentations, threshold: r.agreement }).keep,
      false,
    );
    // A predictor that only ever says background: every class absent.
    const bg = (x: Tensor) =>
      torch.cat([torch.onesLike(x), torch.zerosLike(x), torch.zerosLike(x)], 1);
    assert.equal(ttaFilter(bg, vol, 3, { augmentations }).agreement, 1);
    const ex = ttaFilter(bg, vol, 3, { augmentations, absentClass: 'exclude' });
    assert.ok(Number.isNaN(ex.agreement) && !ex.keep);
    assert.throws(
      () => ttaFilter(intensityPredictor, vol, 4, { augmentations }),
      /predictor returned/,
    );
    assert.throws(() => ttaFilter(intensityPredictor, vol, 3), /rng/);
    assert.throws(
      () => ttaFilter(intensityPredictor, vol.squeeze(1), 3, { augmentations }),
      /volume must be/,
    );
    vol.dispose();
  });
  it('releases every intermediate tensor', () => {
    const vol = phantom(2, 32, 32);
    const before = torch.memoryStats().liveTensors;
    ttaFilter(intensityPredictor, vol, 3, { rng: new Rng(7) });
    assert.equal(torch.memoryStats().liveTensors, before);
    vol.dispose();
  });
});
