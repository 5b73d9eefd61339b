// Timing guard: a 16x256x256 volume with 3 foreground classes must evaluate well under a second.
// The bound is loose (shared CI cores); the measured time is printed as a test diagnostic.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Shape3, Spacing3 } from '../../src/metrics/edt.js';
import { evaluateVolume } from '../../src/metrics/evaluate.js';
import { jitter, paintEllipsoid, rng, type Ellipsoid } from './synthetic.js';

const shape: Shape3 = [16, 256, 256];
const spacing: Spacing3 = [10, 1.5, 1.5];

/** Nested ellipsoids labelled 1, 2, 3 (outer to inner) with in-plane semi-axis `r` mm. */
function nested(rand: () => number, r: number, jitterFrac: number): Uint8Array {
  const out = new Uint8Array(shape[0] * shape[1] * shape[2]);
  const outer: Ellipsoid = { centre: [80, 190, 195], radii: [70, r, r * 0.9] };
  [1, 0.7, 0.45].forEach((f, k) => {
    const e = { centre: outer.centre, radii: outer.radii.map((x) => x * f) as Spacing3 };
    paintEllipsoid(out, shape, spacing, jitterFrac ? jitter(rand, e, jitterFrac) : e, k + 1);
  });
  return out;
}

function medianMs(run: () => void, repeats: number): number {
  run();
  const times = Array.from({ length: repeats }, () => {
    const t0 = performance.now();
    run();
    return performance.now() - t0;
  });
  return times.sort((a, b) => a - b)[Math.floor(repeats / 2)];
}

for (const [name, r] of [
  ['cardiac-sized structures (r = 45 mm)', 45],
  ['structures filling most of the slice (r = 180 mm)', 180],
] as const) {
  it(`evaluates 16x256x256 with 3 classes quickly: ${name}`, (t) => {
    const rand = rng(3);
    const gt = { shape, data: nested(rand, r, 0) };
    const pred = { shape, data: nested(rand, r, 0.15) };
    const ms = medianMs(() => evaluateVolume(pred, gt, 4, spacing), 3);
    t.diagnostic(
      `evaluateVolume 16x256x256, 3 classes, ${name}: ${ms.toFixed(1)} ms (median of 3)`,
    );
    assert.ok(ms < 2000, `took ${ms} ms`);
  });
}
