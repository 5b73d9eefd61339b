/**
 * NIfTI-1/2 encoding and decoding on bytes, without node:fs or node:zlib: shared by src/io/nifti.ts
 * (files, gzip by node:zlib) and the browser page of `contraseg view` (gzip by the Compression
 * Streams API).
 */
import { InputError } from '../errors.js';
import { niftiAffine, niftiSpacing } from './nifti-affine.js';
import {
  NIFTI1_HEADER_BYTES,
  NIFTI2_HEADER_BYTES,
  encodeNifti1Header,
  niftiDatatype,
  parseNiftiHeader,
  type NiftiHeader,
  type NiftiTypeName,
} from './nifti-header.js';
import { assertFinite } from './validate.js';
import type { Volume, VoxelArray } from './volume.js';

interface TypedArrayConstructor {
  new (buffer: ArrayBuffer): VoxelArray;
  readonly BYTES_PER_ELEMENT: number;
}

/** Whether `bytes` start with the gzip magic number. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Decodes an uncompressed single-file NIfTI image (see parseNifti in nifti.ts for gzip). The result has shape [nz, ny, nx]
 * (dim[0] <= 3, or higher with unit extra dims), spacing from pixdim, the affine by the NIfTI
 * rules (niftiAffine) and the file's datatype name. When scl_slope is set (non-zero, finite) and
 * not the identity, voxels are scaled to float32 value * slope + inter. Float voxels must be
 * finite. Every inconsistency throws InputError naming `file`.
 */
export function decodeNifti(bytes: Uint8Array, file: string): Volume {
  const header = parseNiftiHeader(bytes, file);
  const type = niftiDatatype(header.datatypeCode, file);
  const shape = niftiShape(header, file);
  const count = shape[0] * shape[1] * shape[2];
  const minOffset = header.version === 1 ? NIFTI1_HEADER_BYTES : NIFTI2_HEADER_BYTES;
  const offset = header.voxOffset;
  if (!Number.isInteger(offset) || offset < minOffset || offset > bytes.length) {
    throw new InputError(`bad vox_offset ${offset} for a file of ${bytes.length} bytes`, file);
  }
  const dataBytes = bytes.length - offset;
  if (dataBytes !== count * type.bytes) {
    throw new InputError(
      `dimensions ${shape.slice().reverse().join('x')} of ${type.name} need ` +
        `${count * type.bytes} bytes of data, file has ${dataBytes}`,
      file,
    );
  }
  let data = decodeVoxels(bytes.subarray(offset), type.name, header.littleEndian);
  data = applyScaling(data, header, file);
  assertFinite(data, file);
  return {
    shape,
    data,
    spacing: niftiSpacing(header),
    affine: niftiAffine(header, file),
    datatype: type.name,
  };
}

/** [nz, ny, nx] from dim[], which must be positive integers with any axes past z of size 1. */
function niftiShape(header: NiftiHeader, file: string): [number, number, number] {
  const { dim } = header;
  const ndim = dim[0];
  if (!Number.isInteger(ndim) || ndim < 1 || ndim > 7) {
    throw new InputError(`dim[0] = ${ndim} is not a dimension count in 1..7`, file);
  }
  for (let i = 1; i <= ndim; i++) {
    if (!Number.isSafeInteger(dim[i]) || dim[i] < 1) {
      throw new InputError(`dim[${i}] = ${dim[i]} is not a positive size`, file);
    }
    if (i > 3 && dim[i] !== 1) {
      throw new InputError(
        `${ndim}-D image (dim[${i}] = ${dim[i]}): only 3-D volumes are supported`,
        file,
      );
    }
  }
  const size = (i: number): number => (i <= ndim ? dim[i] : 1);
  return [size(3), size(2), size(1)];
}

const ARRAYS: Record<NiftiTypeName, TypedArrayConstructor> = {
  uint8: Uint8Array,
  int16: Int16Array,
  int32: Int32Array,
  float32: Float32Array,
  float64: Float64Array,
};

/**
 * Copies the voxels out of `bytes` (exactly the data section) into a typed array of `type`,
 * swapping big-endian data to the host order (little-endian on every platform we run on).
 */
function decodeVoxels(bytes: Uint8Array, type: NiftiTypeName, littleEndian: boolean): VoxelArray {
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  const size = ARRAYS[type].BYTES_PER_ELEMENT;
  if (!littleEndian && size > 1) {
    for (let i = 0; i < copy.length; i += size) {
      for (let a = i, b = i + size - 1; a < b; a++, b--) [copy[a], copy[b]] = [copy[b], copy[a]];
    }
  }
  return new ARRAYS[type](copy.buffer);
}

/**
 * nibabel's rule: a zero or non-finite scl_slope means "no scaling"; otherwise scl_inter must be
 * finite. Identity scaling (1, 0) keeps the stored type; anything else gives float32.
 */
function applyScaling(data: VoxelArray, header: NiftiHeader, file: string): VoxelArray {
  const slope = header.sclSlope;
  const inter = header.sclInter;
  if (slope === 0 || !Number.isFinite(slope)) return data;
  if (!Number.isFinite(inter)) throw new InputError(`non-finite scl_inter ${inter}`, file);
  if (slope === 1 && inter === 0) return data;
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i] * slope + inter;
  return out;
}

const DATATYPE_CODES: ReadonlyMap<string, number> = new Map([
  ['Uint8Array', 2],
  ['Int16Array', 4],
  ['Int32Array', 8],
  ['Float32Array', 16],
  ['Float64Array', 64],
]);

/**
 * Encodes `volume` as an uncompressed little-endian NIfTI-1 file (348-byte header, empty
 * extension flag, data at vox_offset 352); `file` names it in error messages. The stored type follows
 * the data array; the affine goes to the sform (sform_code 1, qform_code 0), the spacing to
 * pixdim (0 when unknown), scl_slope/scl_inter are 1/0.
 *
 * Reading the file back gives an identical volume, except that a null affine with a known
 * spacing reads back as diag(spacing) (NIfTI method 1). Spacing and affine are stored as
 * float32, so values that are not float32-representable come back rounded.
 */
export function encodeNifti(volume: Volume, file: string): Uint8Array {
  const { shape, data } = volume;
  const code = DATATYPE_CODES.get(data.constructor.name);
  if (code === undefined)
    throw new Error(`encodeNifti: unsupported array ${data.constructor.name}`);
  if (shape[0] * shape[1] * shape[2] !== data.length) {
    throw new Error(`encodeNifti: shape ${shape.join('x')} does not match ${data.length} voxels`);
  }
  if (shape.some((n) => !Number.isInteger(n) || n < 1 || n > 32767)) {
    throw new InputError(`NIfTI-1 cannot store shape ${shape.join('x')}`, file);
  }
  const [sd, sh, sw] = volume.spacing ?? [0, 0, 0];
  const affine = volume.affine;
  const header: NiftiHeader = {
    version: 1,
    littleEndian: true,
    dim: [3, shape[2], shape[1], shape[0], 1, 1, 1, 1],
    datatypeCode: code,
    pixdim: [1, sw, sh, sd, 0, 0, 0, 0],
    voxOffset: NIFTI1_HEADER_BYTES + 4,
    sclSlope: 1,
    sclInter: 0,
    qformCode: 0,
    sformCode: affine ? 1 : 0,
    quatern: [0, 0, 0],
    qoffset: [0, 0, 0],
    srow: affine
      ? [affine.slice(0, 4), affine.slice(4, 8), affine.slice(8, 12)]
      : [
          [0, 0, 0, 0],
          [0, 0, 0, 0],
          [0, 0, 0, 0],
        ],
  };
  const head = encodeNifti1Header(header);
  const body = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  return out;
}
