import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AcdcH5Dataset, type AcdcH5Options } from './acdc-h5.js';
import type { SegmentationDataset } from './dataset.js';
import { NiftiFolderDataset, type NiftiFolderOptions } from './nifti-folder.js';
import { PhantomDataset, type PhantomOptions } from './phantom.js';
import { PngSlicesDataset, type PngSlicesOptions } from './png-slices.js';

/** Which data set to load and its options; `kind` selects the reader. */
export type DatasetSpec =
  | ({ kind: 'acdc-h5' } & AcdcH5Options)
  | ({ kind: 'png-slices' } & PngSlicesOptions)
  | ({ kind: 'nifti' } & NiftiFolderOptions)
  | ({ kind: 'phantom' } & PhantomOptions);

/**
 * Opens the data set described by `spec`: lists are read and cross-checked and listed files must
 * exist (InputError otherwise); volumes are read when a split is requested. A new kind needs its
 * spec in DatasetSpec and a case here.
 */
export async function loadDataset(spec: DatasetSpec): Promise<SegmentationDataset> {
  switch (spec.kind) {
    case 'acdc-h5':
      return AcdcH5Dataset.open(spec);
    case 'png-slices':
      return PngSlicesDataset.open(spec);
    case 'nifti':
      return NiftiFolderDataset.open(spec);
    case 'phantom': {
      const { kind: _, ...options } = spec;
      return new PhantomDataset(options);
    }
  }
}

/**
 * The spec of the data set folder `dir`, recognised by its layout (train_slices.list: acdc-h5;
 * Img/ and GT/: png-slices; dataset.json: nifti) with default options, or null.
 */
export function detectDataset(dir: string): DatasetSpec | null {
  if (existsSync(join(dir, 'train_slices.list'))) return { kind: 'acdc-h5', root: dir };
  if (existsSync(join(dir, 'Img')) && existsSync(join(dir, 'GT'))) {
    return { kind: 'png-slices', root: dir };
  }
  if (existsSync(join(dir, 'dataset.json'))) return { kind: 'nifti', root: dir };
  return null;
}
