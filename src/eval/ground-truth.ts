import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { ACDC_CLASSES } from '../data/acdc-h5.js';
import { detectDataset } from '../data/index.js';
import { readListFile } from '../data/inputs.js';
import { NiftiFolderDataset } from '../data/nifti-folder.js';
import { PNG_SLICES_CLASSES } from '../data/png-slices.js';
import { type CaseFiles, isDirectory, scanCaseFolder } from './case-files.js';

/** Where the ground-truth label maps of cases come from. */
export interface GroundTruth {
  /** What it is, for messages: e.g. "ACDC h5 data set ../shared/data/ACDC". */
  readonly description: string;
  /** Class names when the source defines them (data sets), else null. */
  readonly classNames: readonly string[] | null;
  /** The cases evaluated when no list is given. */
  defaultCases(): string[];
  /** The label files of case `id` (read them with readCase(c, 'label')), or null. */
  find(id: string): CaseFiles | null;
}

/**
 * Ground truth from `path`, which is either a data set folder (recognised as by `detectDataset`)
 * or a folder of label maps:
 * - SSL4MIS ACDC layout: `data/<id>.h5` (or `data/slices/<id>.h5`), dataset `label`, for any
 *   patient present, trained on or not; default cases val.list and test.list (when present).
 * - PNG-slice layout (PROMISE12): `GT/<id>_<n>_<SS>.png` stacked per case, 255 -> 1; default cases
 *   val.list and test.list (when present).
 * - MSD / nnU-Net folder: `labelsTs/<id>.nii.gz` then `labelsTr/<id>.nii.gz`; default cases those
 *   of labelsTs/ (without labelsTs/ a list is required).
 * - any other folder: its NIfTI (label map), HDF5 (dataset `label`) and PNG files, by case id
 *   (see scanCaseFolder); default cases all of them.
 */
export function openGroundTruth(path: string): GroundTruth {
  if (!existsSync(path)) throw new InputError('no such folder', path);
  if (!isDirectory(path)) throw new InputError('ground truth must be a folder', path);
  const spec = detectDataset(path);
  switch (spec?.kind) {
    case 'acdc-h5':
      return acdcGroundTruth(path);
    case 'png-slices':
      return folderGroundTruth(
        join(path, 'GT'),
        `PNG-slice data set ${path}`,
        PNG_SLICES_CLASSES,
        () => splitLists(path),
      );
    case 'nifti':
      return msdGroundTruth(path);
    default: {
      const gt = folderGroundTruth(path, `label folder ${path}`, null, null);
      if (gt.defaultCases().length === 0) {
        throw new InputError(
          'no label maps (.nii, .nii.gz, .h5, .png) and not a known data set',
          path,
        );
      }
      return gt;
    }
  }
}

/** val.list followed by test.list (each when present) of a data set root. */
function splitLists(root: string): string[] {
  const ids: string[] = [];
  for (const name of ['val.list', 'test.list']) {
    const list = join(root, name);
    if (existsSync(list)) ids.push(...readListFile(list));
  }
  if (ids.length === 0)
    throw new InputError('has neither val.list nor test.list; pass --list', root);
  return ids;
}

function acdcGroundTruth(root: string): GroundTruth {
  return {
    description: `ACDC h5 data set ${root}`,
    classNames: ACDC_CLASSES,
    defaultCases: () => splitLists(root),
    find(id) {
      for (const path of [
        join(root, 'data', `${id}.h5`),
        join(root, 'data', 'slices', `${id}.h5`),
      ]) {
        if (existsSync(path)) return { id, format: 'hdf5', paths: [path] };
      }
      return null;
    },
  };
}

function folderGroundTruth(
  dir: string,
  description: string,
  classNames: readonly string[] | null,
  defaults: (() => string[]) | null,
): GroundTruth {
  const cases = new Map(scanCaseFolder(dir).map((c) => [c.id, c]));
  return {
    description,
    classNames,
    defaultCases: defaults ?? (() => [...cases.keys()]),
    find: (id) => cases.get(id) ?? null,
  };
}

function msdGroundTruth(root: string): GroundTruth {
  const classNames = NiftiFolderDataset.open({ root }).classNames;
  const test = isDirectory(join(root, 'labelsTs')) ? scanCaseFolder(join(root, 'labelsTs')) : [];
  const train = isDirectory(join(root, 'labelsTr')) ? scanCaseFolder(join(root, 'labelsTr')) : [];
  const cases = new Map([...train, ...test].map((c) => [c.id, c]));
  return {
    description: `NIfTI data set ${root}`,
    classNames,
    defaultCases() {
      if (test.length === 0) throw new InputError('has no labelsTs/; pass --list', root);
      return test.map((c) => c.id);
    },
    find: (id) => cases.get(id) ?? null,
  };
}
