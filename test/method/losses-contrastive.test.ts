// The local contrastive loss (src/method/losses/local-contrastive.ts): the vectorised loss against
// a naive per-pixel reference of method.md C.5 (losses-naive.ts) given the same anchors, values and
// gradients (autograd vs central differences), for both variants, both normalisations, with and
// without the background; the anchor sampling; and the edge cases (absent and unshared classes,
// zero guards, prototype gradients).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError } from '../../src/errors.js';
import { parseConfig } from '../../src/method/config.js';
import {
  contrastiveClasses,
  localContrastiveLoss,
  LocalContrastiveLoss,
  resolveIncludeBackground,
  sampleAnchors,
  type LocalContrastiveOptions,
} from '../../src/method/losses/index.js';
import * as torch from '../../src/torch/index.js';
import type { Tensor } from '../../src/torch/index.js';
import { Rng } from '../../src/util/rng.js';
import { gradcheck } from '../torch/gradcheck.js';
import { assertClose } from '../torch/helpers.js';
import { naiveGradient, naiveLocalLoss, type NaiveOptions } from './losses-naive.js';
import { tinyConfig } from './tiny-config.js';

torch.setNumThreads(1);

interface Fixture {
  shape: number[]; // [2B, D, H, W]
  z: Float64Array;
  labels: number[];
  numClasses: number;
}

/**
 * Random embeddings and labels; `absent` lists [image, class] pairs removed from the labels (their
 * pixels get another class that the image keeps, or the background).
 */
function fixture(
  seed: number,
  shape: number[],
  numClasses: number,
  absent: [number, number][] = [],
): Fixture {
  const r = new Rng(seed);
  const [n2, d, h, w] = shape;
  const hw = h * w;
  const z = new Float64Array(n2 * d * hw);
  for (let i = 0; i < z.length; i++) z[i] = r.normal();
  const labels: number[] = [];
  for (let n = 0; n < n2; n++) {
    const banned = new Set(absent.filter(([m]) => m === n).map(([, c]) => c));
    for (let p = 0; p < hw; p++) {
      let c = r.int(numClasses);
      while (banned.has(c)) c = r.int(numClasses);
      labels.push(c);
    }
  }
  return { shape, z, labels, numClasses };
}

const zT = (f: Fixture, dtype: 'float32' | 'float64' = 'float64'): Tensor =>
  dtype === 'float64' ? torch.tensor(f.z, f.shape) : torch.tensor(Float32Array.from(f.z), f.shape);
const labelsT = (f: Fixture): Tensor =>
  torch.tensor(BigInt64Array.from(f.labels, BigInt), [f.shape[0], f.shape[2], f.shape[3]]);

/** Our loss (value, gradient w.r.t. z as float64, diagnostics) with the given anchors. */
function ours(
  f: Fixture,
  anchors: Tensor,
  o: LocalContrastiveOptions,
  dtype: 'float32' | 'float64' = 'float64',
): { loss: number; grad: Float64Array; terms: number; sharedClasses: number; n: number } {
  return torch.tidy(() => {
    const z = zT(f, dtype).requiresGrad_();
    const res = localContrastiveLoss(z, labelsT(f), f.numClasses, { ...o, anchors });
    assert.deepEqual(res.loss.shape, []);
    assert.equal(res.loss.dtype, dtype);
    res.loss.backward();
    const g = z.grad!;
    return {
      loss: res.loss.item(),
      grad: Float64Array.from(g.toArray()),
      terms: res.terms,
      sharedClasses: res.sharedClasses,
      n: res.n,
    };
  });
}

function anchorsFor(f: Fixture, seed: number, o: { includeBackground?: boolean } = {}): Tensor {
  return sampleAnchors(labelsT(f), f.numClasses, { rng: new Rng(seed), ...o });
}

/** Both images of pair k have class c. */
function sharedCount(f: Fixture, classes: number[]): number {
  const [n2, , h, w] = f.shape;
  const hw = h * w;
  const has = (n: number, c: number): boolean => f.labels.slice(n * hw, (n + 1) * hw).includes(c);
  let s = 0;
  for (let k = 0; k < n2 / 2; k++)
    for (const c of classes) if (has(k, c) && has(k + n2 / 2, c)) s++;
  return s;
}

// B = 2: image 0 lacks class 2 (present in its partner 2: a denominator-only prototype), image 3
// lacks classes 1 and 3 (pair 1 shares only class 2). B = 3: image 4 is all background (pair 1
// shares nothing), image 2 lacks class 3.
const FIXTURES: [string, Fixture][] = [
  [
    'B=2',
    fixture(1, [4, 4, 8, 8], 4, [
      [0, 2],
      [3, 1],
      [3, 3],
    ]),
  ],
  [
    'B=3',
    fixture(2, [6, 4, 8, 8], 4, [
      [4, 1],
      [4, 2],
      [4, 3],
      [2, 3],
    ]),
  ],
];
const VARIANTS = ['inter', 'intra'] as const;
const NORMS = ['uniform', 'code-exact'] as const;

describe('sampleAnchors', () => {
  it('draws P pixels of the right class per image and class, 0 for absent classes', () => {
    const [, f] = FIXTURES[1];
    for (const includeBackground of [false, true]) {
      const classes = contrastiveClasses(f.numClasses, includeBackground);
      const a = anchorsFor(f, 3, { includeBackground });
      assert.deepEqual(a.shape, [6, classes.length, 3]);
      assert.equal(a.dtype, 'int64');
      const idx = a.toArray();
      a.dispose();
      const hw = 64;
      for (let n = 0; n < 6; n++) {
        classes.forEach((c, ci) => {
          const present = f.labels.slice(n * hw, (n + 1) * hw).includes(c);
          for (let j = 0; j < 3; j++) {
            const p = idx[(n * classes.length + ci) * 3 + j];
            if (present) assert.equal(f.labels[n * hw + p], c, `image ${n} class ${c}`);
            else assert.equal(p, 0);
          }
        });
      }
    }
  });

  it('is uniform with replacement over the class pixels', () => {
    torch.tidy(() => {
      // One image pair, 4×4; class 1 at 5 pixels of image 0. 5000 draws: each pixel ~1000 ± 28.
      const lab = new Array(32).fill(0);
      const pix = [0, 3, 6, 9, 15];
      for (const p of pix) lab[p] = 1;
      lab[16 + 7] = 1;
      const labels = torch.tensor(BigInt64Array.from(lab, BigInt), [2, 4, 4]);
      torch.manualSeed(5);
      const a = sampleAnchors(labels, 2, { positivesPerClass: 5000 });
      const idx = a.toArray();
      const hist = new Map<number, number>();
      for (const p of idx.slice(0, 5000)) hist.set(p, (hist.get(p) ?? 0) + 1);
      assert.deepEqual(
        [...hist.keys()].sort((x, y) => x - y),
        pix,
      );
      for (const p of pix)
        assert.ok(Math.abs(hist.get(p)! - 1000) < 150, `pixel ${p}: ${hist.get(p)}`);
      assert.ok(idx.slice(5000).every((p) => p === 7));
    });
  });

  it('is reproducible from torch.manualSeed or from an Rng', () => {
    torch.tidy(() => {
      const [, f] = FIXTURES[0];
      const l = labelsT(f);
      const draw = (seed: number) => {
        torch.manualSeed(seed);
        return sampleAnchors(l, 4).toArray();
      };
      assert.deepEqual(draw(7), draw(7));
      assert.notDeepEqual(draw(7), draw(8));
      const viaRng = (seed: number) => sampleAnchors(l, 4, { rng: new Rng(seed) }).toArray();
      assert.deepEqual(viaRng(7), viaRng(7));
      assert.notDeepEqual(viaRng(7), viaRng(8));
    });
  });
});

describe('localContrastiveLoss matches the naive C.5 reference', () => {
  for (const [fname, f] of FIXTURES) {
    for (const includeBackground of [false, true]) {
      const anchors = anchorsFor(f, 11, { includeBackground });
      for (const variant of VARIANTS) {
        for (const normalisation of NORMS) {
          const o: NaiveOptions = { variant, normalisation, includeBackground };
          const bg = includeBackground ? 'in' : 'out';
          const name = `${fname}, ${variant}, ${normalisation}, background ${bg}`;
          it(`${name}: value (float64 and float32) and gradient`, () => {
            const a = anchors.toArray();
            const ref = naiveLocalLoss(f.z, f.shape, f.labels, f.numClasses, a, o);
            const got = ours(f, anchors, o);
            assert.ok(Number.isFinite(ref) && ref > 0);
            assertClose([got.loss], [ref], { rtol: 1e-10, atol: 0, what: 'float64 loss' });
            const got32 = ours(f, anchors, o, 'float32');
            assertClose([got32.loss], [ref], { rtol: 1e-5, atol: 1e-7, what: 'float32 loss' });
            assertClose(got32.grad, got.grad, { rtol: 1e-3, atol: 1e-5, what: 'float32 gradient' });
            // Diagnostics: every prototype is defined here, so each shared (pair, class) gives
            // 2 images × P anchors × (2 inter, 1 intra) terms.
            const classes = contrastiveClasses(f.numClasses, includeBackground);
            const shared = sharedCount(f, classes);
            assert.equal(got.sharedClasses, shared);
            assert.equal(got.terms, shared * 2 * 3 * (variant === 'inter' ? 2 : 1));
            assert.equal(got.n, (variant === 'inter' ? 2 : 1) * 3 * classes.length);
            assert.ok(got.grad.some((g) => g !== 0));
            // Central differences of the naive loss (kept to B = 2 and, for B = 3, the default
            // class set, to stay within the test-time budget).
            if (fname === 'B=2' || !includeBackground) {
              const num = naiveGradient(f.z, f.shape, f.labels, f.numClasses, a, o);
              assertClose(got.grad, num, { rtol: 1e-5, atol: 1e-7, what: 'gradient vs naive FD' });
            }
          });
        }
      }
    }
  }

  it('autograd matches central differences of our own loss (gradcheck, float64)', () => {
    const f = fixture(3, [4, 3, 3, 3], 3, [[1, 2]]);
    const anchors = anchorsFor(f, 4);
    const labels = labelsT(f);
    const configs = [
      ['inter', 'uniform'],
      ['intra', 'code-exact'],
    ] as const;
    for (const [variant, normalisation] of configs) {
      gradcheck(
        (z) =>
          localContrastiveLoss(z, labels, 3, { variant, normalisation, anchors, tau: 0.5 }).loss,
        [zT(f)],
      );
    }
    torch.dispose([anchors, labels]);
  });
});

describe('localContrastiveLoss edge cases', () => {
  it('unshared classes contribute nothing; none shared at all gives 0 and finite gradients', () => {
    // Pair 0: classes {1} vs {2}; pair 1: all background vs {1, 2}.
    const [h, w] = [4, 4];
    const lab = [
      ...Array.from({ length: 16 }, (_, p) => (p < 8 ? 1 : 0)),
      ...Array.from({ length: 16 }, () => 0),
      ...Array.from({ length: 16 }, (_, p) => (p % 2 ? 2 : 0)),
      ...Array.from({ length: 16 }, (_, p) => (p % 3) as number),
    ];
    const f: Fixture = { ...fixture(5, [4, 3, h, w], 3), labels: lab };
    const anchors = anchorsFor(f, 1);
    for (const variant of VARIANTS) {
      for (const normalisation of NORMS) {
        const got = ours(f, anchors, { variant, normalisation });
        assert.equal(got.loss, 0);
        assert.equal(got.terms, 0);
        assert.equal(got.sharedClasses, 0);
        assert.ok(got.grad.every((g) => g === 0));
      }
    }
    // The same with one pair sharing class 1: finite, equal to the naive loss.
    const f2: Fixture = {
      ...f,
      labels: [...lab.slice(0, 32), ...lab.slice(0, 16), ...lab.slice(48)],
    };
    const a2 = anchorsFor(f2, 2);
    const o: NaiveOptions = { variant: 'inter', normalisation: 'uniform' };
    const got = ours(f2, a2, o);
    assert.equal(got.sharedClasses, 1);
    assert.equal(got.terms, 12);
    assertClose([got.loss], [naiveLocalLoss(f2.z, f2.shape, f2.labels, 3, a2.toArray(), o)], {
      rtol: 1e-10,
    });
    assert.ok(got.grad.every(Number.isFinite));
    torch.dispose([anchors, a2]);
  });

  it('excludes the background by default (no anchors, prototype, gradient), or includes it', () => {
    const [, f] = FIXTURES[0];
    const isBg = (i: number): boolean => {
      const [, d, h, w] = f.shape;
      const hw = h * w;
      const n = Math.floor(i / (d * hw));
      return f.labels[n * hw + (i % hw)] === 0;
    };
    const out = anchorsFor(f, 6);
    assert.deepEqual(out.shape, [4, 3, 3]);
    const gOut = ours(f, out, { variant: 'inter', normalisation: 'uniform' }).grad;
    assert.ok(
      gOut.every((g, i) => !isBg(i) || g === 0),
      'background pixels get no gradient',
    );
    const inc = anchorsFor(f, 6, { includeBackground: true });
    assert.deepEqual(inc.shape, [4, 4, 3]);
    const gIn = ours(f, inc, {
      variant: 'inter',
      normalisation: 'uniform',
      includeBackground: true,
    });
    assert.ok(
      gIn.grad.some((g, i) => isBg(i) && g !== 0),
      'background pixels get a gradient',
    );
    assert.equal(gIn.n, 2 * 3 * 4);
    torch.dispose([out, inc]);
  });

  it('gradients flow into the prototypes (detachPrototypes changes them)', () => {
    const [, f] = FIXTURES[0];
    const anchors = anchorsFor(f, 8);
    const a = anchors.toArray();
    const [n2, d, h, w] = f.shape;
    const hw = h * w;
    const isAnchor = (i: number): boolean => {
      const n = Math.floor(i / (d * hw));
      return a.slice(n * 9, (n + 1) * 9).includes(i % hw);
    };
    const fg = (i: number): boolean => f.labels[Math.floor(i / (d * hw)) * hw + (i % hw)] !== 0;
    assert.equal(n2, 4);
    for (const variant of VARIANTS) {
      const o = { variant, normalisation: 'uniform' } as const;
      const full = ours(f, anchors, o);
      const det = ours(f, anchors, { ...o, detachPrototypes: true });
      assert.equal(det.loss, full.loss);
      // Without prototype gradients only anchor pixels receive gradient.
      assert.ok(det.grad.every((g, i) => isAnchor(i) || g === 0));
      assert.ok(full.grad.some((g, i) => !isAnchor(i) && fg(i) && g !== 0));
      let diff = 0;
      full.grad.forEach((g, i) => {
        if (isAnchor(i)) diff = Math.max(diff, Math.abs(g - det.grad[i]));
      });
      assert.ok(diff > 1e-6, 'the prototype path changes the anchors gradient too');
    }
    anchors.dispose();
  });

  it("reproduces the code's zero guards: a zero anchor or a zero prototype drops its terms", () => {
    const [, f0] = FIXTURES[0];
    const anchors = anchorsFor(f0, 9);
    const a = anchors.toArray();
    const [, d, h, w] = f0.shape;
    const hw = h * w;
    const z = Float64Array.from(f0.z);
    // Zero the embedding of image 0's first class-1 anchor, and every class-3 pixel of image 2
    // (pair 0 shares classes 1 and 3).
    for (let k = 0; k < d; k++) z[k * hw + a[0]] = 0;
    for (let p = 0; p < hw; p++) {
      if (f0.labels[2 * hw + p] === 3) for (let k = 0; k < d; k++) z[(2 * d + k) * hw + p] = 0;
    }
    const f: Fixture = { ...f0, z };
    for (const variant of VARIANTS) {
      const o: NaiveOptions = { variant, normalisation: 'uniform', zeroGuards: true };
      const got = ours(f, anchors, o);
      const ref = naiveLocalLoss(f.z, f.shape, f.labels, 4, a, o);
      assertClose([got.loss], [ref], { rtol: 1e-10 });
      const clean = ours(f0, anchors, o);
      assert.ok(got.terms < clean.terms, `${got.terms} < ${clean.terms}`);
      assert.ok(got.grad.every(Number.isFinite));
    }
    anchors.dispose();
  });

  it('samples with LibTorch or an Rng when no anchors are given; reproducible', () => {
    const [, f] = FIXTURES[1];
    torch.tidy(() => {
      const z = zT(f, 'float32');
      const l = labelsT(f);
      const run = (o: LocalContrastiveOptions): number =>
        localContrastiveLoss(z, l, 4, o).loss.item();
      torch.manualSeed(3);
      const a = run({});
      torch.manualSeed(3);
      assert.equal(run({}), a);
      assert.equal(run({ rng: new Rng(1) }), run({ rng: new Rng(1) }));
      // The sampled anchors are the ones sampleAnchors draws from the same generator state.
      torch.manualSeed(4);
      const viaSample = run({ anchors: sampleAnchors(l, 4) });
      torch.manualSeed(4);
      assert.equal(run({}), viaSample);
      const cls = new LocalContrastiveLoss(4, { variant: 'intra', rng: new Rng(2) });
      assert.equal(cls.forward(z, l).loss.item(), run({ variant: 'intra', rng: new Rng(2) }));
    });
  });

  it('code-exact normalisation weights pair k by 1 / (B · N^(B−k))', () => {
    const [, f] = FIXTURES[1]; // B = 3, pair 1 shares nothing
    const anchors = anchorsFor(f, 12);
    // Per-pair sums T_k from single-pair batches (uniform: T_k / N).
    const [n2, d, h, w] = f.shape;
    const hw = h * w;
    const b = n2 / 2;
    const tk: number[] = [];
    const all = anchors.toArray();
    for (let k = 0; k < b; k++) {
      const pick = <T>(arr: ArrayLike<T>, per: number): T[] => [
        ...Array.from(arr).slice(k * per, (k + 1) * per),
        ...Array.from(arr).slice((k + b) * per, (k + b + 1) * per),
      ];
      const fk: Fixture = {
        shape: [2, d, h, w],
        z: Float64Array.from(pick(f.z, d * hw)),
        labels: pick(f.labels, hw),
        numClasses: 4,
      };
      const ak = torch.tensor(BigInt64Array.from(pick(all, 9), BigInt), [2, 3, 3]);
      tk.push(ours(fk, ak, { variant: 'inter', normalisation: 'uniform' }).loss * 18);
      ak.dispose();
    }
    assert.equal(tk[1], 0);
    const got = ours(f, anchors, { variant: 'inter', normalisation: 'code-exact' }).loss;
    const want = tk.reduce((s, t, k) => s + t / (b * Math.pow(18, b - k)), 0);
    assertClose([got], [want], { rtol: 1e-10 });
    const uni = ours(f, anchors, { variant: 'inter', normalisation: 'uniform' }).loss;
    assertClose([uni], [(tk[0] + tk[1] + tk[2]) / 18 / 3], { rtol: 1e-10 });
    anchors.dispose();
  });

  it('rejects bad inputs with InputError', () => {
    torch.tidy(() => {
      const z = torch.zeros([4, 2, 3, 3]);
      const l = torch.zeros([4, 3, 3], { dtype: 'int64' });
      assert.throws(
        () =>
          localContrastiveLoss(
            torch.zeros([3, 2, 3, 3]),
            torch.zeros([3, 3, 3], { dtype: 'int64' }),
            3,
          ),
        InputError,
      );
      assert.throws(() => localContrastiveLoss(z, torch.zeros([4, 3, 3]), 3), InputError);
      assert.throws(
        () => localContrastiveLoss(z, torch.zeros([4, 3, 2], { dtype: 'int64' }), 3),
        InputError,
      );
      assert.throws(() => localContrastiveLoss(z, l, 1), InputError);
      assert.throws(() => localContrastiveLoss(z, l, 3, { tau: 0 }), InputError);
      assert.throws(() => localContrastiveLoss(z, l, 3, { positivesPerClass: 0 }), InputError);
      assert.throws(
        () =>
          localContrastiveLoss(z, l, 3, { anchors: torch.zeros([4, 3, 3], { dtype: 'int64' }) }),
        InputError,
      );
      // All-zero embeddings and all-background labels: no terms, loss 0.
      const r = localContrastiveLoss(z, l, 3);
      assert.equal(r.loss.item(), 0);
      assert.equal(r.terms, 0);
    });
  });

  it('leaves no tensors behind', () => {
    const [, f] = FIXTURES[0];
    const z = zT(f, 'float32').requiresGrad_();
    const l = labelsT(f);
    const before = torch.memoryStats().liveTensors;
    const r = localContrastiveLoss(z, l, 4);
    r.loss.backward();
    r.loss.dispose();
    z.grad = null;
    assert.equal(torch.memoryStats().liveTensors, before);
    torch.dispose([z, l]);
  });
});

describe('joint.includeBackground: the background joins F when there is one foreground class', () => {
  // Two images per pair, a disc of class 1 in each (background elsewhere), random embeddings.
  const pairBatch = (numClasses: number, seed: number) => {
    const [n2, d, h, w] = [4, 5, 8, 8];
    const r = new Rng(seed);
    const z = Float64Array.from({ length: n2 * d * h * w }, () => r.normal());
    const labels = BigInt64Array.from({ length: n2 * h * w }, (_, i) => {
      const y = Math.floor((i % (h * w)) / w);
      const x = i % w;
      const inner = Math.hypot(y - 3.5, x - 3.5);
      return BigInt(inner < 2 ? numClasses - 1 : inner < 3 && numClasses > 2 ? 1 : 0);
    });
    return { z, labels, shape: [n2, d, h, w] };
  };
  const run = (
    numClasses: number,
    includeBackground: boolean,
    variant: 'inter' | 'intra' = 'inter',
  ) => {
    const f = pairBatch(numClasses, 5);
    return torch.tidy(() => {
      const z = torch.tensor(f.z, f.shape).requiresGrad_(true);
      const labels = torch.tensor(f.labels, [f.shape[0], f.shape[2], f.shape[3]]);
      const res = localContrastiveLoss(z, labels, numClasses, {
        variant,
        includeBackground,
        rng: new Rng(9),
      });
      res.loss.backward();
      const grad = z.grad!.toArray();
      return { loss: res.loss.item(), gradNorm: Math.hypot(...grad), grad };
    });
  };

  it("the default 'auto' includes it for 2 classes: non-zero loss and gradient", () => {
    const setting = parseConfig(tinyConfig).joint.includeBackground;
    assert.equal(setting, 'auto');
    assert.equal(resolveIncludeBackground(setting, 2), true);
    for (const variant of ['inter', 'intra'] as const) {
      const f = pairBatch(2, 5);
      torch.tidy(() => {
        const z = torch.tensor(f.z, f.shape).requiresGrad_(true);
        const labels = torch.tensor(f.labels, [4, 8, 8]);
        const res = localContrastiveLoss(z, labels, 2, {
          variant,
          includeBackground: resolveIncludeBackground(setting, 2),
          rng: new Rng(9),
        });
        res.loss.backward();
        const g = z.grad!.toArray();
        assert.ok(res.loss.item() > 0, `${variant}: loss ${res.loss.item()}`);
        assert.ok(Math.hypot(...g) > 1e-6, `${variant}: zero gradient`);
      });
    }
    assert.deepEqual(contrastiveClasses(2, resolveIncludeBackground(setting, 2)), [0, 1]);
    // The old default (foreground only, F = {1}) gives no contrast with one foreground class:
    // the intra loss is identically 0, and the inter loss has no negatives (its denominator holds
    // only the two positives).
    const old = run(2, false, 'intra');
    assert.equal(old.loss, 0);
    assert.equal(old.gradNorm, 0);
    // Explicit settings are honoured.
    assert.equal(resolveIncludeBackground(false, 2), false);
    assert.equal(resolveIncludeBackground(true, 4), true);
  });

  it("with ACDC's 4 classes 'auto' keeps the background out: bit-identical to before", () => {
    const resolved = resolveIncludeBackground(parseConfig(tinyConfig).joint.includeBackground, 4);
    assert.equal(resolved, false);
    assert.equal(resolveIncludeBackground('auto', 3), false);
    for (const variant of ['inter', 'intra'] as const) {
      const before = run(4, false, variant);
      const now = run(4, resolved, variant);
      assert.ok(before.loss > 0);
      assert.equal(now.loss, before.loss);
      assert.deepEqual(now.grad, before.grad);
    }
  });
});
