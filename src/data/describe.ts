import { statSync } from 'node:fs';
import { InputError } from '../errors.js';
import { readHdf5 } from '../io/hdf5.js';
import { readVolume, volumeFormat } from '../io/read.js';
import { IntensityStats, countValues } from '../io/stats.js';
import type { Volume } from '../io/volume.js';
import type { Case, LabeledCase } from './dataset.js';
import { detectDataset, loadDataset, type DatasetSpec } from './index.js';

/** Shape, spacing, type, intensity range and (for label maps) value counts of one volume. */
export interface VolumeSummary {
  shape: [number, number, number];
  spacing: [number, number, number] | null;
  datatype: string;
  intensity: IntensityStats;
  /** Voxels per value when the volume holds at most 32 distinct integers, else null. */
  valueCounts: Map<number, number> | null;
}

/** A file: its volumes by name ('image' and, in SSL4MIS HDF5 files, 'label'). */
export interface FileDescription {
  type: 'file';
  path: string;
  volumes: Map<string, VolumeSummary>;
}

/** Aggregates over the cases of one split. */
export interface SplitSummary {
  cases: number;
  /** Smallest and largest extent along each axis [D, H, W]. */
  shapeMin: number[];
  shapeMax: number[];
  /** Smallest and largest spacing along each axis, or null when some case has none. */
  spacingMin: number[] | null;
  spacingMax: number[] | null;
  datatypes: string[];
  intensity: IntensityStats;
  /** Voxels per class over the split's labels (null for the unlabeled split). */
  classCounts: number[] | null;
}

/** A data set folder, with every split as loaded with the layout's default options. */
export interface DatasetDescription {
  type: 'dataset';
  path: string;
  spec: DatasetSpec;
  name: string;
  classNames: readonly string[];
  splits: Map<string, SplitSummary>;
}

/**
 * Describes a volume file (.nii, .nii.gz, .h5, .hdf5, .png) or a data set folder (see
 * detectDataset). Reads everything, so every corrupt file surfaces as an InputError.
 */
export async function describePath(path: string): Promise<FileDescription | DatasetDescription> {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (err) {
    throw new InputError(`cannot read: ${(err as NodeJS.ErrnoException).code ?? err}`, path);
  }
  return isDir ? describeDataset(path) : describeFile(path);
}

/** Summary of one volume. */
export function summarizeVolume(volume: Volume): VolumeSummary {
  const { shape, spacing, datatype, data } = volume;
  return {
    shape,
    spacing,
    datatype,
    intensity: new IntensityStats().add(data),
    valueCounts: countValues(data),
  };
}

async function describeFile(path: string): Promise<FileDescription> {
  const volumes =
    volumeFormat(path) === 'hdf5'
      ? await readHdf5(path, ['image'], { optional: ['label'] })
      : new Map([['image', await readVolume(path)]]);
  const summaries = new Map([...volumes].map(([name, v]) => [name, summarizeVolume(v)]));
  return { type: 'file', path, volumes: summaries };
}

async function describeDataset(path: string): Promise<DatasetDescription> {
  const spec = detectDataset(path);
  if (!spec) {
    throw new InputError(
      'not a known data set folder (expected train_slices.list, Img/ and GT/, or dataset.json)',
      path,
    );
  }
  const dataset = await loadDataset(spec);
  const classes = dataset.classNames.length;
  const splits = new Map<string, SplitSummary>([
    ['labeled training', summarizeSplit(await dataset.labeledTrain(), classes)],
    ['unlabeled training', summarizeSplit(await dataset.unlabeledTrain(), classes)],
    ['validation', summarizeSplit(await dataset.validation(), classes)],
    ['test', summarizeSplit(await dataset.test(), classes)],
  ]);
  return {
    type: 'dataset',
    path,
    spec,
    name: dataset.name,
    classNames: dataset.classNames,
    splits,
  };
}

function summarizeSplit(cases: Array<Case | LabeledCase>, classes: number): SplitSummary {
  const intensity = new IntensityStats();
  const shapes = cases.map((c) => c.image.shape as number[]);
  const spacings = cases.map((c) => c.image.spacing);
  const known = spacings.every((s) => s !== null) && spacings.length > 0;
  const labeled = cases.length > 0 && cases.every((c) => 'label' in c);
  const classCounts = labeled ? new Array<number>(classes).fill(0) : null;
  for (const c of cases) {
    intensity.add(c.image.data);
    if (classCounts && 'label' in c) {
      for (const v of c.label.data) classCounts[v]++;
    }
  }
  const axis = (values: number[][], f: (...xs: number[]) => number): number[] =>
    [0, 1, 2].map((a) => (values.length ? f(...values.map((v) => v[a])) : 0));
  return {
    cases: cases.length,
    shapeMin: axis(shapes, Math.min),
    shapeMax: axis(shapes, Math.max),
    spacingMin: known ? axis(spacings as number[][], Math.min) : null,
    spacingMax: known ? axis(spacings as number[][], Math.max) : null,
    datatypes: [...new Set(cases.map((c) => c.image.datatype))],
    intensity,
    classCounts,
  };
}
