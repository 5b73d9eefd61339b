import type { Case, LabeledCase } from '../data/dataset.js';
import type { Geometry, Preprocessor } from '../data/preprocess.js';
import type { Volume } from '../io/volume.js';
import { InputError } from '../errors.js';

/** Training slices in network space: `count` images of size×size (C order) and, if labeled, labels. */
export interface SlicePool {
  readonly count: number;
  readonly size: [number, number];
  readonly images: Float32Array;
  /** Integer labels per pixel (GT or pseudo-labels); null for a pool without labels yet. */
  labels: Uint8Array | null;
  /** Where each slice came from: case id and slice index. */
  readonly sources: Array<{ caseId: string; slice: number }>;
}

/** A validation or test volume: network-space slices plus what is needed to score at native geometry. */
export interface EvalVolume {
  id: string;
  slices: Float32Array;
  depth: number;
  geometry: Geometry;
  label: Volume;
  /** The label in network space (depth × output size), for validation at training resolution. */
  networkLabel: Uint8Array;
}

/** The slice pool of labeled cases (every slice of every case, method.md A.1). */
export function labeledPool(
  cases: LabeledCase[],
  pre: Preprocessor,
  numClasses: number,
): SlicePool {
  const parts = cases.map((c) => {
    const img = pre.forwardImage(c.image, c.id);
    const lab = pre.forwardLabel(c.label, img.geometry, c.id);
    checkClasses(lab, numClasses, c.id);
    return { id: c.id, depth: c.image.shape[0], images: img.slices, labels: lab };
  });
  return concat(parts, pre, true);
}

/** The slice pool of unlabeled cases (no labels until pseudo-labels are assigned). */
export function unlabeledPool(cases: Case[], pre: Preprocessor): SlicePool {
  const parts = cases.map((c) => {
    const img = pre.forwardImage(c.image, c.id);
    return { id: c.id, depth: c.image.shape[0], images: img.slices, labels: null };
  });
  return concat(parts, pre, false);
}

/** Preprocesses validation/test volumes once, keeping the native labels for scoring. */
export function evalVolumes(
  cases: LabeledCase[],
  pre: Preprocessor,
  numClasses: number,
): EvalVolume[] {
  return cases.map((c) => {
    const img = pre.forwardImage(c.image, c.id);
    checkClasses(c.label.data, numClasses, c.id);
    return {
      id: c.id,
      slices: img.slices,
      depth: c.image.shape[0],
      geometry: img.geometry,
      label: c.label,
      networkLabel: pre.forwardLabel(c.label, img.geometry, c.id),
    };
  });
}

function checkClasses(labels: ArrayLike<number>, numClasses: number, id: string): void {
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] >= numClasses) {
      throw new InputError(
        `label value ${labels[i]} is outside the class range 0..${numClasses - 1}`,
        id,
      );
    }
  }
}

function concat(
  parts: Array<{ id: string; depth: number; images: Float32Array; labels: Uint8Array | null }>,
  pre: Preprocessor,
  labeled: boolean,
): SlicePool {
  const [h, w] = pre.outputSize;
  const plane = h * w;
  const count = parts.reduce((s, p) => s + p.depth, 0);
  const images = new Float32Array(count * plane);
  const labels = labeled ? new Uint8Array(count * plane) : null;
  const sources: SlicePool['sources'] = [];
  let off = 0;
  for (const p of parts) {
    images.set(p.images, off * plane);
    if (labels && p.labels) labels.set(p.labels, off * plane);
    for (let s = 0; s < p.depth; s++) sources.push({ caseId: p.id, slice: s });
    off += p.depth;
  }
  return { count, size: [h, w], images, labels, sources };
}

/**
 * The label of a pseudo-labeled pixel that no loss reads (config `pseudo.minConfidence`): its
 * one-hot target is all zero, and the contrastive loss samples no class there.
 */
export const IGNORE_LABEL = 255;

/** Bitmask of the classes present in each slice (bit c set when class c occurs; IGNORE_LABEL is none). */
export function classPresence(pool: SlicePool): Uint32Array {
  if (!pool.labels) throw new Error('classPresence: the pool has no labels');
  const plane = pool.size[0] * pool.size[1];
  const out = new Uint32Array(pool.count);
  for (let i = 0; i < pool.count; i++) {
    let bits = 0;
    const base = i * plane;
    for (let p = 0; p < plane; p++) {
      const label = pool.labels[base + p];
      if (label !== IGNORE_LABEL) bits |= 1 << label;
    }
    out[i] = bits;
  }
  return out;
}

/** Number of set bits (distinct classes) in a presence mask. */
export function classCount(bits: number): number {
  let n = 0;
  for (let b = bits; b; b &= b - 1) n++;
  return n;
}
