import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { InputError } from '../errors.js';
import { readNifti } from '../io/nifti.js';
import { assertSameShape, toLabelMap } from '../io/validate.js';
import type { Case, LabeledCase, SegmentationDataset } from './dataset.js';
import { assertFilesExist, checkCount } from './inputs.js';

/** Options of the MSD / nnU-Net folder layout. */
export interface NiftiFolderOptions {
  /** Folder with dataset.json, imagesTr/, labelsTr/ and optionally imagesTs/, labelsTs/. */
  root: string;
  /**
   * Labeled training cases: the first N training cases with a label (default all); the rest of
   * them are used unlabeled, as is every image of imagesTr/ that has no label.
   */
  labeledCount?: number;
  /** Share of the cases with a label held out for validation, taken from the end (default 0.2). */
  valFraction?: number;
  /** Validation case ids; when given, valFraction is ignored. */
  valCases?: string[];
  /** Test case ids, each with a label in labelsTs/ (default every case there). */
  testCases?: string[];
}

/** An image file and its case id. */
interface ImageFile {
  id: string;
  image: string;
}

/** One labeled case's files. */
interface CaseFiles extends ImageFile {
  label: string;
}

const DatasetJson = z.object({
  name: z.string().optional(),
  labels: z.record(z.string(), z.union([z.string(), z.number()])),
  training: z.array(z.object({ image: z.string(), label: z.string() })).optional(),
  modality: z.record(z.string(), z.string()).optional(),
  channel_names: z.record(z.string(), z.string()).optional(),
  file_ending: z.string().optional(),
});
type DatasetJson = z.infer<typeof DatasetJson>;

/**
 * A Medical Segmentation Decathlon or nnU-Net folder of single-channel NIfTI volumes. The cases
 * are the "training" entries of dataset.json (MSD, nnU-Net v1; an image path that does not exist
 * is also tried with nnU-Net's _0000 channel suffix), or else every labelsTr/<id><file_ending>
 * with its imagesTr/<id>_0000<file_ending> (nnU-Net v2). Class names come from "labels" in
 * either form ({"0": "background"} or {"background": 0}).
 *
 * Images of imagesTr/ that no case's label belongs to (<id>.nii.gz or <id>_0000.nii.gz; hidden
 * files such as macOS's ._ copies skipped) are unlabeled scans: a clinician labels a few cases and
 * leaves the others' images beside them.
 *
 * Split rule: the cases with labels are ordered by id; validation is `valCases` when given, else
 * the last max(1, round(valFraction x n)) of them (none when valFraction is 0); the remaining ones,
 * in order, are training, of which the first `labeledCount` are labeled and the rest unlabeled,
 * followed by the images without labels. Test cases are those with labels in labelsTs/ (images in
 * imagesTs/, with or without _0000).
 */
export class NiftiFolderDataset implements SegmentationDataset {
  private constructor(
    readonly name: string,
    readonly classNames: readonly string[],
    private readonly splits: Record<'labeled' | 'val' | 'test', CaseFiles[]> & {
      unlabeled: ImageFile[];
    },
  ) {}

  /** Reads dataset.json, finds every case's files and splits the cases. */
  static open(options: NiftiFolderOptions): NiftiFolderDataset {
    const { root } = options;
    const jsonPath = join(root, 'dataset.json');
    const json = readDatasetJson(jsonPath);
    const single = (channels?: Record<string, string>): boolean =>
      !channels || Object.keys(channels).length <= 1;
    if (!single(json.modality) || !single(json.channel_names)) {
      throw new InputError('multi-channel data sets are not supported', jsonPath);
    }
    const ending = json.file_ending ?? '.nii.gz';
    if (ending !== '.nii.gz' && ending !== '.nii') {
      throw new InputError(`file_ending ${ending} is not NIfTI`, jsonPath);
    }
    const names = classNames(json, jsonPath);
    const source = json.training ? jsonPath : join(root, 'labelsTr');
    const cases = json.training
      ? json.training.map((entry) => msdCase(root, entry))
      : scanCases(root, 'imagesTr', 'labelsTr', ending);
    if (cases.length === 0) throw new InputError('no training cases', source);
    cases.sort(byId);
    assertFilesExist(
      cases.flatMap((c) => [c.image, c.label]),
      source,
    );
    const { train, val } = splitCases(cases, options);
    const labeled = checkCount(
      options.labeledCount ?? train.length,
      1,
      train.length,
      'labeledCount',
    );
    return new NiftiFolderDataset(json.name ?? basename(root), names, {
      labeled: train.slice(0, labeled),
      unlabeled: [...train.slice(labeled), ...unlabeledImages(root, ending, cases)],
      val,
      test: testCases(root, ending, options.testCases),
    });
  }

  async labeledTrain(): Promise<LabeledCase[]> {
    return this.splits.labeled.map((c) => this.readLabeled(c));
  }

  async unlabeledTrain(): Promise<Case[]> {
    return this.splits.unlabeled.map(({ id, image }) => ({ id, image: readNifti(image) }));
  }

  async validation(): Promise<LabeledCase[]> {
    return this.splits.val.map((c) => this.readLabeled(c));
  }

  async test(): Promise<LabeledCase[]> {
    return this.splits.test.map((c) => this.readLabeled(c));
  }

  private readLabeled({ id, image, label }: CaseFiles): LabeledCase {
    const img = readNifti(image);
    const lab = readNifti(label);
    assertSameShape(img, lab, label);
    return { id, image: img, label: toLabelMap(lab, this.classNames.length, label) };
  }
}

function readDatasetJson(path: string): DatasetJson {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new InputError(`cannot read dataset.json: ${(err as Error).message}`, path);
  }
  const parsed = DatasetJson.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(`${issue.path.join('.') || 'dataset.json'}: ${issue.message}`, path);
  }
  return parsed.data;
}

/** Class names indexed 0..C-1 from {"0": "background", ...} or {"background": 0, ...}. */
function classNames(json: DatasetJson, path: string): string[] {
  const pairs = Object.entries(json.labels).map(([key, value]): [number, string] =>
    typeof value === 'string' ? [Number(key), value] : [value, key],
  );
  const names: string[] = [];
  for (const [index, name] of pairs) names[index] = name;
  if (
    names.length < 2 ||
    names.length !== pairs.length ||
    pairs.some(([i]) => !Number.isInteger(i))
  ) {
    throw new InputError('labels must number the classes 0..C-1 (C >= 2)', path);
  }
  return names;
}

/** An MSD / nnU-Net v1 "training" entry; paths are relative to the root. */
function msdCase(root: string, entry: { image: string; label: string }): CaseFiles {
  const label = join(root, entry.label);
  const image = join(root, entry.image);
  const id = stripNifti(basename(label));
  const channel0 = image.replace(/(\.nii(\.gz)?)$/, '_0000$1');
  return { id, image: !existsSync(image) && existsSync(channel0) ? channel0 : image, label };
}

/** Cases of an nnU-Net v2 folder pair: every label file with its channel-0 image. */
function scanCases(root: string, images: string, labels: string, ending: string): CaseFiles[] {
  let names: string[];
  try {
    names = readdirSync(join(root, labels));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? err;
    throw new InputError(`cannot list: ${code}`, join(root, labels));
  }
  return names
    .filter((name) => name.endsWith(ending))
    .map((name) => {
      const id = name.slice(0, -ending.length);
      return {
        id,
        image: join(root, images, `${id}_0000${ending}`),
        label: join(root, labels, name),
      };
    });
}

/** Images of imagesTr/ that are not the image of a labeled case, by id. */
function unlabeledImages(root: string, ending: string, labeled: CaseFiles[]): ImageFile[] {
  const dir = join(root, 'imagesTr');
  if (!existsSync(dir)) return [];
  const used = new Set(labeled.map((c) => c.image));
  return readdirSync(dir)
    .filter((name) => name.endsWith(ending) && !name.startsWith('.'))
    .map((name) => ({
      id: name.slice(0, -ending.length).replace(/_0000$/, ''),
      image: join(dir, name),
    }))
    .filter((f) => !used.has(f.image))
    .sort(byId);
}

function byId(a: ImageFile, b: ImageFile): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function stripNifti(name: string): string {
  return name.replace(/\.nii(\.gz)?$/, '');
}

function splitCases(
  cases: CaseFiles[],
  options: NiftiFolderOptions,
): { train: CaseFiles[]; val: CaseFiles[] } {
  if (options.valCases) {
    const wanted = new Set(options.valCases);
    for (const id of wanted) {
      if (!cases.some((c) => c.id === id)) throw new InputError(`unknown case ${id}`, 'valCases');
    }
    return {
      train: cases.filter((c) => !wanted.has(c.id)),
      val: cases.filter((c) => wanted.has(c.id)),
    };
  }
  const fraction = options.valFraction ?? 0.2;
  if (!(fraction >= 0 && fraction < 1)) {
    throw new InputError(`must be in [0, 1), got ${fraction}`, 'valFraction');
  }
  const k = fraction === 0 ? 0 : Math.max(1, Math.round(fraction * cases.length));
  if (k >= cases.length) {
    throw new InputError(
      `${cases.length} case(s) leave none for training after validation`,
      'valFraction',
    );
  }
  return { train: cases.slice(0, cases.length - k), val: cases.slice(cases.length - k) };
}

/** Test cases: labelsTs/<id><ending> with imagesTs/<id>_0000<ending> or imagesTs/<id><ending>. */
function testCases(root: string, ending: string, ids?: string[]): CaseFiles[] {
  if (!existsSync(join(root, 'labelsTs'))) {
    if (ids && ids.length > 0) throw new InputError('there is no labelsTs/ folder', 'testCases');
    return [];
  }
  const all = scanCases(root, 'imagesTs', 'labelsTs', ending).map((c) => {
    const plain = join(root, 'imagesTs', `${c.id}${ending}`);
    return existsSync(c.image) || !existsSync(plain) ? c : { ...c, image: plain };
  });
  const chosen = ids
    ? ids.map((id) => {
        const found = all.find((c) => c.id === id);
        if (!found) throw new InputError(`no labelsTs/ file for case ${id}`, 'testCases');
        return found;
      })
    : all;
  assertFilesExist(
    chosen.map((c) => c.image),
    join(root, 'labelsTs'),
  );
  return chosen.sort(byId);
}
