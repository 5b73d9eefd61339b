import { InputError } from '../errors.js';
import type { Volume } from '../io/volume.js';
import { Rng, deriveSeed } from '../util/rng.js';
import type { Case, LabeledCase, SegmentationDataset } from './dataset.js';
import { acquire, sampleAcquisition } from './phantom-acquisition.js';
import { paintSlice, sampleAnatomy } from './phantom-anatomy.js';

/**
 * The built-in synthetic data set: short-axis cine-MRI-like cardiac volumes (ACDC classes 0 bg,
 * 1 RV, 2 Myo, 3 LV), see phantom-anatomy.ts for the geometry and phantom-acquisition.ts for the
 * image formation. Slice 0 is the base, the last slice the apex.
 */
export interface PhantomOptions {
  /** Seed of the whole data set (default 0). */
  seed?: number;
  /** Labeled training volumes (default 1). */
  labeledVolumes?: number;
  /** Unlabeled training volumes (default 16). */
  unlabeledVolumes?: number;
  /** Validation volumes (default 2). */
  validationVolumes?: number;
  /** Test volumes (default 10). */
  testVolumes?: number;
  /** Slices per volume (default 8). */
  slices?: number;
  /** In-plane size in pixels (default 128); the field of view is 192 mm whatever the size. */
  size?: number;
}

export const PHANTOM_CLASSES = ['background', 'RV', 'Myo', 'LV'] as const;

/** Field of view in mm and slice thickness in mm. */
const FOV_MM = 192;
const SLICE_MM = 8;

const DEFAULTS: Required<PhantomOptions> = {
  seed: 0,
  labeledVolumes: 1,
  unlabeledVolumes: 16,
  validationVolumes: 2,
  testVolumes: 10,
  slices: 8,
  size: 128,
};

const MINIMUM: Record<keyof PhantomOptions, number> = {
  seed: -Infinity,
  labeledVolumes: 0,
  unlabeledVolumes: 0,
  validationVolumes: 0,
  testVolumes: 0,
  slices: 1,
  size: 32,
};

/** Stream numbers of the splits: each split draws from its own seeds, so split sizes are independent. */
const SPLITS = { labeled: 0, unlabeled: 1, validation: 2, test: 3 } as const;
type Split = keyof typeof SPLITS;

/**
 * One phantom volume, fully determined by (seed, slices, size): image float32 in about [0, 1]
 * and label uint8, shape [slices, size, size], spacing [8, 192 / size, 192 / size] mm.
 */
export function generatePhantomVolume(
  seed: number,
  slices: number,
  size: number,
): { image: Volume; label: Volume } {
  const rng = new Rng(seed);
  const anatomy = sampleAnatomy(rng, size);
  const acquisition = sampleAcquisition(rng);
  const plane = size * size;
  const image = new Float32Array(slices * plane);
  const label = new Uint8Array(slices * plane);
  for (let d = 0; d < slices; d++) {
    paintSlice(anatomy, slices > 1 ? d / (slices - 1) : 0.5, image, label, d * plane);
  }
  acquire(image, slices, size, acquisition, rng);
  const pixel = FOV_MM / size;
  const spacing: [number, number, number] = [SLICE_MM, pixel, pixel];
  const affine = [pixel, 0, 0, 0, 0, pixel, 0, 0, 0, 0, SLICE_MM, 0, 0, 0, 0, 1];
  const shape: [number, number, number] = [slices, size, size];
  return {
    image: { shape, data: image, spacing, affine, datatype: 'float32' },
    label: { shape, data: label, spacing, affine: [...affine], datatype: 'uint8' },
  };
}

/**
 * The phantom as a {@link SegmentationDataset}. Training items are whole volumes; the split is by
 * volume. Volume i of split s is generated from deriveSeed(seed, s, i), so changing one split's
 * size leaves the others unchanged. Every call regenerates its volumes (no caching).
 */
export class PhantomDataset implements SegmentationDataset {
  readonly name = 'phantom';
  readonly classNames = PHANTOM_CLASSES;
  readonly options: Readonly<Required<PhantomOptions>>;

  constructor(options: PhantomOptions = {}) {
    const o = { ...DEFAULTS, ...options };
    for (const [key, value] of Object.entries(o)) {
      const min = MINIMUM[key as keyof PhantomOptions];
      if (!Number.isInteger(value) || value < min) {
        throw new InputError(`must be an integer >= ${min}, got ${value}`, `phantom.${key}`);
      }
    }
    this.options = o;
  }

  async labeledTrain(): Promise<LabeledCase[]> {
    return this.labeled('labeled', this.options.labeledVolumes);
  }

  async unlabeledTrain(): Promise<Case[]> {
    return Array.from({ length: this.options.unlabeledVolumes }, (_, i) => {
      const { image } = this.volume('unlabeled', i);
      return { id: caseId('unlabeled', i), image };
    });
  }

  async withheldLabels(): Promise<LabeledCase[]> {
    return this.labeled('unlabeled', this.options.unlabeledVolumes);
  }

  async validation(): Promise<LabeledCase[]> {
    return this.labeled('validation', this.options.validationVolumes);
  }

  async test(): Promise<LabeledCase[]> {
    return this.labeled('test', this.options.testVolumes);
  }

  private labeled(split: Split, count: number): LabeledCase[] {
    return Array.from({ length: count }, (_, i) => ({
      id: caseId(split, i),
      ...this.volume(split, i),
    }));
  }

  private volume(split: Split, index: number): { image: Volume; label: Volume } {
    const { seed, slices, size } = this.options;
    return generatePhantomVolume(deriveSeed(seed, SPLITS[split], index), slices, size);
  }
}

function caseId(split: Split, index: number): string {
  return `phantom-${split}-${String(index).padStart(3, '0')}`;
}
