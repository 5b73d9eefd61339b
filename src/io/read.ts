import { InputError } from '../errors.js';
import { readHdf5 } from './hdf5.js';
import { readNifti } from './nifti.js';
import { readPng } from './png.js';
import type { Volume } from './volume.js';

/** File kinds readVolume understands, by name ending. */
export type VolumeFormat = 'nifti' | 'hdf5' | 'png';

/** The format of `path` from its name (.nii, .nii.gz, .h5, .hdf5, .png), or null. */
export function volumeFormat(path: string): VolumeFormat | null {
  const lower = path.toLowerCase();
  if (lower.endsWith('.nii') || lower.endsWith('.nii.gz')) return 'nifti';
  if (lower.endsWith('.h5') || lower.endsWith('.hdf5')) return 'hdf5';
  if (lower.endsWith('.png')) return 'png';
  return null;
}

/**
 * Reads one volume from a NIfTI, HDF5 (dataset `dataset`, default 'image') or grayscale PNG file,
 * choosing the reader from the file name. Unknown extensions throw InputError.
 */
export async function readVolume(path: string, dataset = 'image'): Promise<Volume> {
  switch (volumeFormat(path)) {
    case 'nifti':
      return readNifti(path);
    case 'hdf5':
      return (await readHdf5(path, [dataset])).get(dataset) as Volume;
    case 'png':
      return readPng(path);
    default:
      throw new InputError('unknown file type (expected .nii, .nii.gz, .h5, .hdf5 or .png)', path);
  }
}
