import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { writeNifti } from '../io/nifti.js';
import {
  type CaseFiles,
  caseOfFile,
  caseSource,
  isDirectory,
  readCase,
  scanCaseFolder,
} from './case-files.js';
import { predictVolumeWith, type PredictVolumeOptions, type Predictor } from './predictor.js';

/**
 * The cases to predict from `input`: one NIfTI (.nii, .nii.gz), SSL4MIS HDF5 (.h5 volume or
 * slice, dataset `image`) or PNG file; or every such case in a folder (PNG slices
 * `<case>_<n>_<SS>.png` grouped into one volume per case, as in a PROMISE12 Img/ folder). A folder
 * without volume files but with an Img/ subfolder (a PNG-slice data set root) uses Img/. nnU-Net
 * channel suffixes (`_0000`) are dropped from the case ids. Throws InputError when there is
 * nothing to predict.
 */
export function listPredictInputs(input: string): CaseFiles[] {
  if (!existsSync(input)) throw new InputError('no such file or folder', input);
  if (!isDirectory(input)) return [caseOfFile(input, true)];
  let cases = scanCaseFolder(input, true);
  if (cases.length === 0 && isDirectory(join(input, 'Img'))) {
    cases = scanCaseFolder(join(input, 'Img'), true);
  }
  if (cases.length === 0) {
    throw new InputError('no .nii, .nii.gz, .h5, .hdf5 or .png files to predict', input);
  }
  return cases;
}

/** Where the label map of case `id` goes: `<outDir>/<id>.nii.gz`. */
export function predictionPath(outDir: string, id: string): string {
  return join(outDir, `${id}.nii.gz`);
}

/** What `predictCase` did for one case. */
export interface PredictedCase {
  id: string;
  output: string;
  shape: [number, number, number];
  slices: number;
  /** Seconds spent reading, predicting and writing. */
  seconds: number;
}

/**
 * Reads one case, predicts its label map in the input's own geometry with either engine and writes
 * it atomically as a uint8 NIfTI (`<outDir>/<id>.nii.gz`) with the input's shape and affine. HDF5
 * and PNG inputs carry no spacing or affine: their label maps get unit pixel sizes (pixdim 1)
 * and no affine.
 */
export async function predictCase(
  predictor: Predictor,
  c: CaseFiles,
  outDir: string,
  o: PredictVolumeOptions = {},
): Promise<PredictedCase> {
  const started = performance.now();
  const image = await readCase(c, 'image');
  const label = await predictVolumeWith(predictor, image, {
    ...o,
    source: o.source ?? caseSource(c),
  });
  const output = predictionPath(outDir, c.id);
  writeNifti(output, { ...label, spacing: label.spacing ?? [1, 1, 1] });
  return {
    id: c.id,
    output,
    shape: label.shape,
    slices: label.shape[0],
    seconds: (performance.now() - started) / 1000,
  };
}

/** Creates the output folder (InputError when it is a file or cannot be created). */
export function prepareOutputFolder(outDir: string): void {
  if (existsSync(outDir) && !statSync(outDir).isDirectory()) {
    throw new InputError('exists and is not a folder', outDir);
  }
  try {
    mkdirSync(outDir, { recursive: true });
  } catch (err) {
    throw new InputError(`cannot create: ${(err as NodeJS.ErrnoException).code ?? err}`, outDir);
  }
}
