import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { readHdf5 } from '../io/hdf5.js';
import { assertSameShape, toLabelMap } from '../io/validate.js';
import type { Volume } from '../io/volume.js';
import type { Case, LabeledCase, SegmentationDataset } from './dataset.js';
import { assertFilesExist, checkCount, readListFile } from './inputs.js';

/** Options of the SSL4MIS ACDC layout. */
export interface AcdcH5Options {
  /** Folder with train.list, train_slices.list, val.list, data/slices/*.h5 and data/*.h5. */
  root: string;
  /** Patients whose slices (both frames) are labeled: the first N of train.list (default all). */
  labeledPatients?: number;
  /** List of validation volumes in data/ (default root/val.list). */
  valList?: string;
  /** List of test volumes in data/ (default root/test.list when it exists, else no test set). */
  testList?: string;
}

export const ACDC_CLASSES = ['background', 'RV', 'Myo', 'LV'] as const;

/**
 * ACDC as preprocessed by SSL4MIS: 2-D training slices data/slices/<volume>_slice_<k>.h5 listed in
 * train_slices.list, whole volumes data/<volume>.h5 for validation and test, volumes named
 * patientNNN_frameMM. "N labeled patients" are the first N distinct patients of train.list; their
 * slices are the labeled set (SSL4MIS's first 68 slices for 3 patients, 136 for 7); every other
 * training slice is unlabeled and its label is never read. Training slices are stacked back into
 * their volumes (slices in index order, volumes in order of first appearance in
 * train_slices.list), so that per-volume preprocessing (percentile normalisation) and per-volume
 * filters treat them exactly as the validation and test volumes.
 * Spacing was not kept by this preprocessing, so volumes have spacing null.
 */
export class AcdcH5Dataset implements SegmentationDataset {
  readonly name = 'acdc';
  readonly classNames = ACDC_CLASSES;
  private constructor(
    private readonly root: string,
    private readonly labeledSlices: string[],
    private readonly unlabeledSlices: string[],
    private readonly valVolumes: string[],
    private readonly testVolumes: string[],
  ) {}

  /** Reads and cross-checks the lists and checks that every listed file exists. */
  static open(options: AcdcH5Options): AcdcH5Dataset {
    const { root } = options;
    const trainList = join(root, 'train.list');
    const slicesList = join(root, 'train_slices.list');
    const volumes = readListFile(trainList);
    const slices = readListFile(slicesList);
    const patients = [...new Set(volumes.map(patientOf))];
    const n = checkCount(
      options.labeledPatients ?? patients.length,
      1,
      patients.length,
      'labeledPatients',
    );
    const labeledPatients = new Set(patients.slice(0, n));
    checkSlicesCoverVolumes(slices, volumes, slicesList);
    assertFilesExist(
      slices.map((s) => join(root, 'data', 'slices', `${s}.h5`)),
      slicesList,
    );
    const isLabeled = (s: string): boolean =>
      labeledPatients.has(patientOf(volumeOf(s, slicesList)));
    const val = volumeList(root, options.valList ?? join(root, 'val.list'));
    const defaultTest = join(root, 'test.list');
    const testList = options.testList ?? (existsSync(defaultTest) ? defaultTest : null);
    const test = testList ? volumeList(root, testList) : [];
    return new AcdcH5Dataset(
      root,
      slices.filter(isLabeled),
      slices.filter((s) => !isLabeled(s)),
      val,
      test,
    );
  }

  async labeledTrain(): Promise<LabeledCase[]> {
    return this.readStacked(this.labeledSlices, true);
  }

  async unlabeledTrain(): Promise<Case[]> {
    return this.readStacked(this.unlabeledSlices, false);
  }

  /** The labels of the unlabeled slices, for pseudo-label diagnosis only (dataset.ts). */
  async withheldLabels(): Promise<LabeledCase[]> {
    return this.readStacked(this.unlabeledSlices, true);
  }

  /** Reads slices and stacks them into their volumes (image, and label when `labeled`). */
  private async readStacked(slices: string[], labeled: true): Promise<LabeledCase[]>;
  private async readStacked(slices: string[], labeled: false): Promise<Case[]>;
  private async readStacked(slices: string[], labeled: boolean): Promise<Case[]> {
    return Promise.all(
      [...groupByVolume(slices)].map(async ([volume, members]) => {
        const parts = await Promise.all(
          members.map(async (s) => {
            const path = this.slicePath(s);
            if (labeled) return { path, ...(await this.readLabeled(path, s)) };
            return { path, image: (await readHdf5(path, ['image'])).get('image')!, label: null };
          }),
        );
        const image = stack(parts.map((p) => ({ volume: p.image, path: p.path })));
        if (!labeled) return { id: volume, image };
        return {
          id: volume,
          image,
          label: stack(parts.map((p) => ({ volume: p.label!, path: p.path }))),
        };
      }),
    );
  }

  async validation(): Promise<LabeledCase[]> {
    return Promise.all(this.valVolumes.map((v) => this.readLabeled(this.volumePath(v), v)));
  }

  async test(): Promise<LabeledCase[]> {
    return Promise.all(this.testVolumes.map((v) => this.readLabeled(this.volumePath(v), v)));
  }

  private slicePath(slice: string): string {
    return join(this.root, 'data', 'slices', `${slice}.h5`);
  }

  private volumePath(volume: string): string {
    return join(this.root, 'data', `${volume}.h5`);
  }

  private async readLabeled(path: string, id: string): Promise<LabeledCase> {
    const arrays = await readHdf5(path, ['image', 'label']);
    const image = arrays.get('image')!;
    const label = arrays.get('label')!;
    assertSameShape(image, label, path);
    return { id, image, label: toLabelMap(label, ACDC_CLASSES.length, path) };
  }
}

/** 'patient001' from 'patient001_frame01' (names without a frame suffix are their own patient). */
function patientOf(volume: string): string {
  return volume.replace(/_frame\d+$/, '');
}

/** 'patient001_frame01' from 'patient001_frame01_slice_3'. */
function volumeOf(slice: string, list: string): string {
  const match = /^(.+)_slice_\d+$/.exec(slice);
  if (!match) throw new InputError(`slice name ${slice} does not end in _slice_<k>`, list);
  return match[1];
}

/** Every slice must belong to a volume of train.list and every such volume must have slices. */
function checkSlicesCoverVolumes(slices: string[], volumes: string[], list: string): void {
  const known = new Set(volumes);
  const withSlices = new Set<string>();
  for (const slice of slices) {
    const volume = volumeOf(slice, list);
    if (!known.has(volume)) {
      throw new InputError(
        `slice ${slice} belongs to ${volume}, which train.list does not list`,
        list,
      );
    }
    withSlices.add(volume);
  }
  const empty = volumes.find((v) => !withSlices.has(v));
  if (empty) throw new InputError(`volume ${empty} of train.list has no slices`, list);
}

/** The volumes named by `list`, each of which must exist as root/data/<volume>.h5. */
function volumeList(root: string, list: string): string[] {
  const volumes = readListFile(list);
  assertFilesExist(
    volumes.map((v) => join(root, 'data', `${v}.h5`)),
    list,
  );
  return volumes;
}

/** Slices grouped by volume: volumes in order of first appearance, slices by index. */
function groupByVolume(slices: string[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const s of slices) {
    const volume = volumeOf(s, 'train_slices.list');
    groups.set(volume, [...(groups.get(volume) ?? []), s]);
  }
  const index = (s: string) => Number(/_slice_(\d+)$/.exec(s)![1]);
  for (const members of groups.values()) members.sort((a, b) => index(a) - index(b));
  return groups;
}

/** Stacks 2-D slices of one size into a volume; a slice of another size is an InputError. */
function stack(slices: Array<{ volume: Volume; path: string }>): Volume {
  const [first] = slices;
  const [, h, w] = first.volume.shape;
  for (const { volume, path } of slices) {
    if (volume.shape[0] !== 1 || volume.shape[1] !== h || volume.shape[2] !== w) {
      throw new InputError(
        `slice of shape [${volume.shape}] does not stack with [1,${h},${w}] of ${first.path}`,
        path,
      );
    }
  }
  const Ctor = first.volume.data.constructor as new (n: number) => Volume['data'];
  const data = new Ctor(slices.length * h * w);
  slices.forEach(({ volume }, k) => data.set(volume.data as never, k * h * w));
  return { ...first.volume, shape: [slices.length, h, w], data };
}
