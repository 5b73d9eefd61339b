import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { InputError } from '../errors.js';
import { readHdf5 } from '../io/hdf5.js';
import { readNifti } from '../io/nifti.js';
import { readPngStack } from '../io/png.js';
import { volumeFormat, type VolumeFormat } from '../io/read.js';
import type { Volume } from '../io/volume.js';

/**
 * The files of one case: a NIfTI or HDF5 file, or the PNG slices of a volume in slice order.
 * The case id is the file name without its extension; PNG slices named `<id>_<n>_<SS>.png`
 * (the PROMISE12 layout) form case `<id>`; a trailing nnU-Net channel suffix `_0000` is dropped
 * from NIfTI image names when `stripChannel` is set, so that predictions are named like labels.
 */
export interface CaseFiles {
  id: string;
  format: VolumeFormat;
  paths: string[];
}

/** PROMISE12 slice names: `<case>_<n>_<SS>.png`. */
const SLICE_PATTERN = /^(.+)_\d+_(\d+)\.png$/i;

/** The case id of a single file: its name without .nii, .nii.gz, .h5, .hdf5 or .png. */
export function caseIdOf(path: string, stripChannel = false): string {
  const name = basename(path);
  const id = name.replace(/(\.nii\.gz|\.nii|\.h5|\.hdf5|\.png)$/i, '');
  return stripChannel && volumeFormat(name) === 'nifti' ? id.replace(/_0000$/, '') : id;
}

/** A single volume file as a case (throws InputError for unknown extensions). */
export function caseOfFile(path: string, stripChannel = false): CaseFiles {
  const format = volumeFormat(path);
  if (!format) {
    throw new InputError('unknown file type (expected .nii, .nii.gz, .h5, .hdf5 or .png)', path);
  }
  return { id: caseIdOf(path, stripChannel), format, paths: [path] };
}

/**
 * The cases of a folder (not recursive): every NIfTI and HDF5 file, and its PNG files grouped by
 * case (`<case>_<n>_<SS>.png` stacked in SS order 0, 1, ... without gaps; any other PNG is a
 * one-slice case). Hidden files are ignored. Two files giving the same case id throw InputError.
 * Sorted by id.
 */
export function scanCaseFolder(dir: string, stripChannel = false): CaseFiles[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => !n.startsWith('.'));
  } catch (err) {
    throw new InputError(`cannot list: ${(err as NodeJS.ErrnoException).code ?? err}`, dir);
  }
  const cases = new Map<string, CaseFiles>();
  const add = (c: CaseFiles): void => {
    const other = cases.get(c.id);
    if (other) {
      throw new InputError(
        `case '${c.id}' comes from both ${basename(other.paths[0])} and ${basename(c.paths[0])}`,
        dir,
      );
    }
    cases.set(c.id, c);
  };
  const slices = new Map<string, Array<{ name: string; index: number }>>();
  for (const name of names.sort()) {
    const format = volumeFormat(name);
    if (!format || !isFile(join(dir, name))) continue;
    const match = format === 'png' ? SLICE_PATTERN.exec(name) : null;
    if (match) {
      const list = slices.get(match[1]) ?? [];
      list.push({ name, index: Number(match[2]) });
      slices.set(match[1], list);
    } else {
      add(caseOfFile(join(dir, name), stripChannel));
    }
  }
  for (const [id, list] of slices) {
    list.sort((a, b) => a.index - b.index);
    list.forEach(({ name, index }, k) => {
      if (index !== k) {
        throw new InputError(`case ${id} has no slice ${k} (next is ${name})`, dir);
      }
    });
    add({ id, format: 'png', paths: list.map((s) => join(dir, s.name)) });
  }
  return [...cases.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * Reads a case's image (`what` = 'image') or label map ('label'). HDF5 files give their dataset of
 * that name. PNG images become float32 value / 255 as in the PNG-slice data set; PNG labels that
 * only hold 0 and 255 (the PROMISE12 convention) become 0 and 1, other values are kept.
 */
export async function readCase(c: CaseFiles, what: 'image' | 'label'): Promise<Volume> {
  switch (c.format) {
    case 'nifti':
      return readNifti(c.paths[0]);
    case 'hdf5':
      return (await readHdf5(c.paths[0], [what])).get(what) as Volume;
    case 'png': {
      const raw = readPngStack(c.paths);
      if (what === 'image') {
        const data = new Float32Array(raw.data.length);
        for (let i = 0; i < data.length; i++) data[i] = raw.data[i] / 255;
        return { ...raw, data, datatype: 'float32' };
      }
      if (raw.data.every((v) => v === 0 || v === 255)) {
        return { ...raw, data: raw.data.map((v) => (v === 255 ? 1 : 0)) };
      }
      return raw;
    }
  }
}

/** A short description of where a case comes from, for messages. */
export function caseSource(c: CaseFiles): string {
  return c.paths.length === 1 ? c.paths[0] : `${c.paths[0]} (+${c.paths.length - 1} slices)`;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Whether `path` is an existing directory. */
export function isDirectory(path: string): boolean {
  try {
    return existsSync(path) && statSync(path).isDirectory();
  } catch {
    return false;
  }
}
