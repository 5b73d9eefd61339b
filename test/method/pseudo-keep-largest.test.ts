import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../src/method/config.js';
import { estimatePseudoLabels, keepLargestPerCase } from '../../src/method/pseudo-labels.js';
import type { SlicePool } from '../../src/method/pools.js';
import { keepLargestComponent } from '../../src/metrics/largest-component.js';
import { UNet } from '../../src/nn/index.js';
import { unetConfig } from '../../src/method/setup.js';
import * as torch from '../../src/torch/index.js';
import { Rng } from '../../src/util/rng.js';
import { tinyConfig } from './tiny-config.js';

/** A pool of `cases` volumes of `depth` slices of 4×4, interleaved in pool order (slice-major). */
function pool(cases: number, depth: number, labels: Uint8Array | null = null): SlicePool {
  const sources = Array.from({ length: cases * depth }, (_, i) => ({
    caseId: `case${i % cases}`,
    slice: Math.floor(i / cases),
  }));
  const count = sources.length;
  const images = Float32Array.from({ length: count * 16 }, (_, i) => Math.sin(i * 0.7) ** 2);
  return { count, size: [4, 4], images, labels, sources };
}

test('keepLargestPerCase: the largest 3-D component per class within each case, in slice order', () => {
  // Two cases of three slices, interleaved in the pool. In case0, class 1 fills one pixel of
  // every slice (a column through the volume) and has a stray pixel in slice 0; in case1, class 2
  // has two blobs of one and two pixels in different slices.
  const p = pool(2, 3);
  const labels = new Uint8Array(p.count * 16);
  const at = (caseIndex: number, slice: number, pixel: number, label: number) => {
    labels[(slice * 2 + caseIndex) * 16 + pixel] = label;
  };
  for (let s = 0; s < 3; s++) at(0, s, 5, 1);
  at(0, 0, 15, 1);
  at(1, 0, 0, 2);
  at(1, 2, 10, 2);
  at(1, 2, 11, 2);
  const expected = Uint8Array.from(labels);
  expected[(0 * 2 + 0) * 16 + 15] = 0;
  expected[(0 * 2 + 1) * 16 + 0] = 0;
  keepLargestPerCase(labels, p, [0, 1, 2, 3, 4, 5], 3);
  assert.deepEqual(labels, expected);
});

test("pseudo.keepLargest: estimatePseudoLabels keeps each volume's largest component per class", () => {
  const cfg = (keepLargest: boolean) =>
    parseConfig({ ...tinyConfig, pseudo: { ...tinyConfig.pseudo, crf: null, keepLargest } });
  const big = (cases: number, depth: number) => {
    const p = pool(cases, depth);
    const size = 32;
    const count = p.count;
    const images = Float32Array.from({ length: count * size * size }, (_, i) =>
      Math.abs(Math.sin(i * 0.37) + Math.cos(i * 0.011)),
    );
    return { ...p, size: [size, size] as [number, number], images };
  };
  const p = big(2, 4);
  torch.manualSeed(3);
  const net = new UNet(unetConfig(cfg(false), 4));
  try {
    const plain = estimatePseudoLabels(net, p, cfg(false), new Rng(1)).labels;
    const kept = estimatePseudoLabels(net, p, cfg(true), new Rng(1)).labels;
    // The untrained network's argmax is scattered: the option changes it, to exactly what keeping
    // each case's largest components gives.
    const expected = Uint8Array.from(plain);
    keepLargestPerCase(expected, p, [...Array(p.count).keys()], 4);
    assert.notDeepEqual(expected, plain);
    assert.deepEqual(kept, expected);
    // And a case's volume then has at most one component per class.
    const plane = 32 * 32;
    const case0 = new Uint8Array(4 * plane);
    [0, 2, 4, 6].forEach((i, k) => case0.set(kept.subarray(i * plane, (i + 1) * plane), k * plane));
    assert.deepEqual(keepLargestComponent(case0, [4, 32, 32], [1, 2, 3]), case0);
  } finally {
    net.dispose();
  }
});
