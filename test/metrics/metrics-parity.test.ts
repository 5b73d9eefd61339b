// Parity of evaluateVolume with medpy.metric.binary (dc, hd95, assd) as restated with scipy in
// reference_metrics.py, on seeded random 3-D masks, run by one /usr/bin/python3 process.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Shape3, Spacing3 } from '../../src/metrics/edt.js';
import { evaluateVolume } from '../../src/metrics/evaluate.js';
import {
  flipNoise,
  jitter,
  paintEllipsoid,
  paintNoise,
  randomEllipsoid,
  rng,
  type Ellipsoid,
} from './synthetic.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(
  new URL('../../../test/metrics/reference_metrics.py', import.meta.url),
);
const RTOL = 1e-6;

interface Case {
  name: string;
  shape: Shape3;
  spacing: Spacing3 | null;
  numClasses: number;
  pred: Uint8Array;
  gt: Uint8Array;
}

interface Reference {
  label: number;
  dc: number;
  hd95: number | null;
  assd: number | null;
}

const SHAPES: Shape3[] = [
  [6, 40, 40],
  [8, 32, 24],
  [1, 48, 48],
  [12, 20, 20],
  [5, 17, 33],
  [3, 3, 3],
  [10, 16, 16],
];
const SPACINGS: (Spacing3 | null)[] = [
  null,
  [10, 1.5, 1.5],
  [1, 1, 1],
  [2.5, 0.7, 1.3],
  [3.3, 1.25, 0.9],
];

type Generator = (
  rand: () => number,
  shape: Shape3,
  mm: Spacing3,
) => { pred: Uint8Array; gt: Uint8Array; numClasses: number };

const size = (shape: Shape3): number => shape[0] * shape[1] * shape[2];

const paintAll = (shape: Shape3, mm: Spacing3, es: Ellipsoid[]): Uint8Array => {
  const out = new Uint8Array(size(shape));
  for (const e of es) paintEllipsoid(out, shape, mm, e);
  return out;
};

const GENERATORS: Record<string, Generator> = {
  ellipsoids: (rand, shape, mm) => {
    const e = randomEllipsoid(rand, shape, mm);
    return {
      gt: paintAll(shape, mm, [e]),
      pred: paintAll(shape, mm, [jitter(rand, e, 0.3)]),
      numClasses: 2,
    };
  },
  blobs: (rand, shape, mm) => {
    const es = Array.from({ length: 1 + Math.floor(rand() * 4) }, () =>
      randomEllipsoid(rand, shape, mm),
    );
    const fp = rand() < 0.5 ? [randomEllipsoid(rand, shape, mm)] : [];
    return {
      gt: paintAll(shape, mm, es),
      pred: paintAll(shape, mm, [...es.map((e) => jitter(rand, e, 0.4)), ...fp]),
      numClasses: 2,
    };
  },
  noise: (rand, shape) => ({
    gt: paintNoise(new Uint8Array(size(shape)), rand, 0.02 + 0.5 * rand()),
    pred: paintNoise(new Uint8Array(size(shape)), rand, 0.02 + 0.5 * rand()),
    numClasses: 2,
  }),
  'noisy ellipsoid': (rand, shape, mm) => {
    const gt = paintAll(shape, mm, [randomEllipsoid(rand, shape, mm)]);
    return { gt, pred: flipNoise(gt.slice(), rand, 0.05), numClasses: 2 };
  },
  'nested 3 classes': (rand, shape, mm) => {
    const outer = randomEllipsoid(rand, shape, mm);
    const shrink = (e: Ellipsoid, f: number): Ellipsoid => ({
      centre: e.centre,
      radii: e.radii.map((r) => r * f) as Spacing3,
    });
    const layers = [outer, shrink(outer, 0.7), shrink(outer, 0.4)];
    const paint = (es: Ellipsoid[]): Uint8Array => {
      const out = new Uint8Array(size(shape));
      es.forEach((e, k) => paintEllipsoid(out, shape, mm, e, k + 1));
      return out;
    };
    const guess = layers.map((e) => jitter(rand, e, 0.25));
    return {
      gt: paint(layers),
      pred: paint(rand() < 0.3 ? guess.slice(0, 2) : guess),
      numClasses: 4,
    };
  },
  'touching the border': (rand, shape, mm) => {
    const e = randomEllipsoid(rand, shape, mm);
    const big = { centre: e.centre, radii: e.radii.map((r) => r * 3) as Spacing3 };
    return {
      gt: paintAll(shape, mm, [big]),
      pred: rand() < 0.5 ? new Uint8Array(size(shape)).fill(1) : paintAll(shape, mm, [e]),
      numClasses: 2,
    };
  },
};

function randomCases(count: number): Case[] {
  const rand = rng(20240607);
  const kinds = Object.keys(GENERATORS);
  return Array.from({ length: count }, (_, i) => {
    const kind = kinds[i % kinds.length];
    const shape = SHAPES[i % SHAPES.length];
    const spacing = SPACINGS[i % SPACINGS.length];
    const made = GENERATORS[kind](rand, shape, spacing ?? [1, 1, 1]);
    return { name: `#${i} ${kind} ${shape.join('x')} spacing ${spacing}`, shape, spacing, ...made };
  });
}

/** Empty, single-voxel, full and identical masks. */
function edgeCases(): Case[] {
  const shape: Shape3 = [6, 40, 40];
  const n = size(shape);
  const blob = paintEllipsoid(new Uint8Array(n), shape, [10, 1.5, 1.5], {
    centre: [25, 30, 28],
    radii: [20, 12, 9],
  });
  const voxel = (i: number): Uint8Array => {
    const m = new Uint8Array(n);
    m[i] = 1;
    return m;
  };
  const edge = (
    name: string,
    pred: Uint8Array,
    gt: Uint8Array,
    spacing: Spacing3 | null,
  ): Case => ({
    name,
    shape,
    spacing,
    numClasses: 2,
    pred,
    gt,
  });
  const aniso: Spacing3 = [10, 1.5, 1.5];
  return [
    edge('empty pred', new Uint8Array(n), blob, aniso),
    edge('empty gt', blob, new Uint8Array(n), null),
    edge('both empty', new Uint8Array(n), new Uint8Array(n), aniso),
    edge(
      'single voxels apart',
      voxel(3 * 1600 + 20 * 40 + 7),
      voxel(1 * 1600 + 33 * 40 + 39),
      aniso,
    ),
    edge('same single voxel', voxel(777), voxel(777), [2.5, 0.7, 1.3]),
    edge('single voxel vs blob', voxel(2 * 1600 + 5 * 40 + 5), blob, aniso),
    edge('blob vs single voxel', blob, voxel(0), null),
    edge('full vs full', new Uint8Array(n).fill(1), new Uint8Array(n).fill(1), aniso),
    edge('identical blobs', blob, blob.slice(), [2.5, 0.7, 1.3]),
    edge('full vs blob', new Uint8Array(n).fill(1), blob, aniso),
  ];
}

const CASES = [...randomCases(60), ...edgeCases()];

function assertClose(actual: number, expected: number | null, what: string): void {
  if (expected === null) {
    assert.ok(Number.isNaN(actual), `${what}: expected NaN (medpy raises), got ${actual}`);
    return;
  }
  const tol = RTOL * Math.max(Math.abs(expected), Math.abs(actual)) + 1e-12;
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ours ${actual}, medpy ${expected}`);
}

describe(
  'evaluateVolume matches medpy dc/hd95/assd',
  {
    skip: existsSync(PYTHON) ? false : `${PYTHON} absent: skipped`,
  },
  () => {
    let dir = '';
    let reference: Reference[][] = [];

    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'contraseg-eval-parity-'));
      const manifest = CASES.map((c, i) => {
        const pred = join(dir, `${i}-pred.u8`);
        const gt = join(dir, `${i}-gt.u8`);
        writeFileSync(pred, c.pred);
        writeFileSync(gt, c.gt);
        return { pred, gt, shape: c.shape, spacing: c.spacing, numClasses: c.numClasses };
      });
      const path = join(dir, 'manifest.json');
      writeFileSync(path, JSON.stringify({ cases: manifest }));
      const r = spawnSync(PYTHON, [SCRIPT, path], { encoding: 'utf8', maxBuffer: 1 << 26 });
      assert.equal(r.status, 0, `reference_metrics.py failed: ${r.stderr}`);
      reference = (JSON.parse(r.stdout) as { cases: Reference[][] }).cases;
    });

    after(() => rmSync(dir, { recursive: true, force: true }));

    it('covers anisotropic spacing, empty, single-voxel and multi-class masks', () => {
      const classes = CASES.flatMap((c) =>
        Array.from({ length: c.numClasses - 1 }, (_, k) => {
          const count = (m: Uint8Array): number => m.filter((v) => v === k + 1).length;
          return { predVoxels: count(c.pred), gtVoxels: count(c.gt), spacing: c.spacing };
        }),
      );
      assert.ok(CASES.length >= 50);
      assert.ok(classes.filter((c) => c.spacing && c.spacing[0] !== c.spacing[1]).length >= 20);
      assert.ok(classes.filter((c) => c.predVoxels === 0 && c.gtVoxels > 0).length >= 2);
      assert.ok(classes.filter((c) => c.gtVoxels === 0 && c.predVoxels > 0).length >= 1);
      assert.ok(classes.filter((c) => c.predVoxels + c.gtVoxels === 0).length >= 1);
      assert.ok(classes.filter((c) => c.predVoxels === 1 || c.gtVoxels === 1).length >= 3);
      assert.ok(CASES.filter((c) => c.numClasses > 2).length >= 5);
    });

    CASES.forEach((c, i) => {
      it(c.name, () => {
        const ours = evaluateVolume(
          { shape: c.shape, data: c.pred },
          { shape: c.shape, data: c.gt },
          c.numClasses,
          c.spacing,
        );
        assert.equal(ours.unit, c.spacing ? 'mm' : 'voxel');
        assert.equal(ours.classes.length, reference[i].length);
        ours.classes.forEach((m, k) => {
          const ref = reference[i][k];
          assert.equal(m.label, ref.label);
          if (m.predVoxels + m.gtVoxels === 0) {
            // Documented difference: medpy's dc returns 0 when both are empty, ours 1 by default.
            assert.equal(ref.dc, 0);
            assert.equal(m.dice, 1);
          } else {
            assertClose(m.dice, ref.dc, `class ${m.label} dice`);
          }
          assertClose(m.hd95, ref.hd95, `class ${m.label} hd95`);
          assertClose(m.assd, ref.assd, `class ${m.label} assd`);
        });
      });
    });
  },
);
