import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { readPngStack } from '../io/png.js';
import type { Volume } from '../io/volume.js';
import type { Case, LabeledCase, SegmentationDataset } from './dataset.js';
import { checkCount, readListFile } from './inputs.js';

/** Options of the PROMISE12 PNG slice layout. */
export interface PngSlicesOptions {
  /** Folder with Img/, GT/, train.list and val.list. */
  root: string;
  /** Labeled training cases: the first N of train.list (default all); the rest are unlabeled. */
  labeledCases?: number;
  /** List of test case ids (default root/test.list when it exists, else no test set). */
  testList?: string;
}

export const PNG_SLICES_CLASSES = ['background', 'prostate'] as const;

/**
 * Volumes stored as 8-bit grayscale PNG slices, as in the PROMISE12 preprocessing:
 * Img/<case>_<n>_<SS>.png images and GT/<case>_<n>_<SS>.png labels (0 background, 255 prostate)
 * with the same names. A case's slices stack in SS order (0, 1, ... without gaps) into a
 * [S, H, W] volume; images become float32 value/255, labels 0/1. Lists hold case ids. Spacing
 * was not kept, so volumes have spacing null.
 */
export class PngSlicesDataset implements SegmentationDataset {
  readonly name = 'promise12';
  readonly classNames = PNG_SLICES_CLASSES;
  private constructor(
    private readonly root: string,
    private readonly slices: ReadonlyMap<string, string[]>,
    private readonly splits: Record<'labeled' | 'unlabeled' | 'val' | 'test', string[]>,
  ) {}

  /** Reads the lists and finds every listed case's slices in Img/ and GT/. */
  static open(options: PngSlicesOptions): PngSlicesDataset {
    const { root } = options;
    const train = readListFile(join(root, 'train.list'));
    const n = checkCount(options.labeledCases ?? train.length, 1, train.length, 'labeledCases');
    const defaultTest = join(root, 'test.list');
    const testList = options.testList ?? (existsSync(defaultTest) ? defaultTest : null);
    const lists: Array<[string, string[]]> = [
      [join(root, 'train.list'), train],
      [join(root, 'val.list'), readListFile(join(root, 'val.list'))],
    ];
    if (testList) lists.push([testList, readListFile(testList)]);
    const images = listPngs(join(root, 'Img'));
    const labels = new Set(listPngs(join(root, 'GT')));
    const slices = new Map<string, string[]>();
    for (const [list, ids] of lists) {
      for (const id of ids) slices.set(id, caseSlices(images, labels, id, list, root));
    }
    return new PngSlicesDataset(root, slices, {
      labeled: train.slice(0, n),
      unlabeled: train.slice(n),
      val: lists[1][1],
      test: testList ? lists[2][1] : [],
    });
  }

  async labeledTrain(): Promise<LabeledCase[]> {
    return this.splits.labeled.map((id) => this.readLabeled(id));
  }

  async unlabeledTrain(): Promise<Case[]> {
    return this.splits.unlabeled.map((id) => ({ id, image: this.readImage(id) }));
  }

  /** The labels of the unlabeled cases, for pseudo-label diagnosis only (dataset.ts). */
  async withheldLabels(): Promise<LabeledCase[]> {
    return this.splits.unlabeled.map((id) => this.readLabeled(id));
  }

  async validation(): Promise<LabeledCase[]> {
    return this.splits.val.map((id) => this.readLabeled(id));
  }

  async test(): Promise<LabeledCase[]> {
    return this.splits.test.map((id) => this.readLabeled(id));
  }

  private readImage(id: string): Volume {
    const raw = readPngStack(this.paths('Img', id));
    const data = new Float32Array(raw.data.length);
    for (let i = 0; i < data.length; i++) data[i] = raw.data[i] / 255;
    return { ...raw, data };
  }

  private readLabeled(id: string): LabeledCase {
    const paths = this.paths('GT', id);
    const raw = readPngStack(paths);
    const data = new Uint8Array(raw.data.length);
    const plane = raw.shape[1] * raw.shape[2];
    for (let i = 0; i < data.length; i++) {
      const v = raw.data[i];
      if (v !== 0 && v !== 255) {
        throw new InputError(`label value ${v} is neither 0 nor 255`, paths[Math.floor(i / plane)]);
      }
      data[i] = v === 255 ? 1 : 0;
    }
    const image = this.readImage(id);
    if (image.shape.some((d, i) => d !== raw.shape[i])) {
      throw new InputError(
        `image/label shape mismatch: Img ${image.shape.join('x')}, GT ${raw.shape.join('x')}`,
        paths[0],
      );
    }
    return { id, image, label: { ...raw, data } };
  }

  private paths(folder: 'Img' | 'GT', id: string): string[] {
    return this.slices.get(id)!.map((name) => join(this.root, folder, name));
  }
}

function listPngs(dir: string): string[] {
  try {
    return readdirSync(dir).filter((name) => name.endsWith('.png'));
  } catch (err) {
    throw new InputError(`cannot list: ${(err as NodeJS.ErrnoException).code ?? err}`, dir);
  }
}

/**
 * File names of case `id`'s slices in SS order: Img/ names `<id>_<n>_<SS>.png`, each with a GT/
 * file of the same name, SS running 0, 1, ... without gaps.
 */
function caseSlices(
  images: string[],
  labels: ReadonlySet<string>,
  id: string,
  list: string,
  root: string,
): string[] {
  const pattern = new RegExp(`^${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}_\\d+_(\\d+)\\.png$`);
  const found = images
    .map((name) => ({ name, match: pattern.exec(name) }))
    .filter((x) => x.match !== null)
    .map((x) => ({ name: x.name, index: Number(x.match![1]) }))
    .sort((a, b) => a.index - b.index);
  if (found.length === 0) {
    throw new InputError(`names case ${id}, which has no slices in ${join(root, 'Img')}`, list);
  }
  found.forEach(({ name, index }, k) => {
    if (index !== k) throw new InputError(`case ${id} has no slice ${k}`, join(root, 'Img', name));
    if (!labels.has(name)) throw new InputError(`no label for image ${name}`, join(root, 'GT'));
  });
  return found.map((x) => x.name);
}
