import { readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { InputError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic.js';
import { decodeNifti, encodeNifti, isGzip } from './nifti-codec.js';
import type { Volume } from './volume.js';

export { decodeNifti, encodeNifti, isGzip } from './nifti-codec.js';
/** Reads a NIfTI-1 or NIfTI-2 file (.nii or .nii.gz, detected by content). See parseNifti. */
export function readNifti(path: string): Volume {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new InputError(`cannot read: ${(err as NodeJS.ErrnoException).code ?? err}`, path);
  }
  return parseNifti(bytes, path);
}

/**
 * Decodes a single-file NIfTI image, gzip-compressed or not (see decodeNifti in nifti-codec.ts:
 * shape [nz, ny, nx], spacing, affine, datatype, scaling). Every inconsistency throws InputError
 * naming `file`.
 */
export function parseNifti(raw: Uint8Array, file: string): Volume {
  return decodeNifti(isGzip(raw) ? gunzip(raw, file) : raw, file);
}

function gunzip(bytes: Uint8Array, file: string): Uint8Array {
  try {
    return gunzipSync(bytes);
  } catch (err) {
    throw new InputError(`corrupt or truncated gzip data (${(err as Error).message})`, file);
  }
}

/**
 * Writes `volume` as NIfTI-1 (encodeNifti), gzip-compressed when `path` ends in .gz, atomically.
 *
 * Reading the file back gives an identical volume, except that a null affine with a known
 * spacing reads back as diag(spacing) (NIfTI method 1). Spacing and affine are stored as
 * float32, so values that are not float32-representable come back rounded.
 */
export function writeNifti(path: string, volume: Volume): void {
  const file = encodeNifti(volume, path);
  writeFileAtomic(path, path.endsWith('.gz') ? gzipSync(file) : file);
}
