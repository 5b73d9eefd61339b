import { InputError } from '../errors.js';

/** Header fields of a NIfTI-1 or NIfTI-2 file that this project uses, in file units. */
export interface NiftiHeader {
  version: 1 | 2;
  littleEndian: boolean;
  /** dim[0..7]: dim[0] is the number of dimensions, dim[1..3] are (x, y, z) sizes. */
  dim: number[];
  datatypeCode: number;
  /** pixdim[0..7]: pixdim[0] is qfac, pixdim[1..3] the voxel size along (x, y, z). */
  pixdim: number[];
  voxOffset: number;
  sclSlope: number;
  sclInter: number;
  qformCode: number;
  sformCode: number;
  /** Quaternion (b, c, d) and offset (x, y, z) of the qform. */
  quatern: [number, number, number];
  qoffset: [number, number, number];
  /** The three sform rows srow_x, srow_y, srow_z, 4 values each. */
  srow: number[][];
}

/** Names of the voxel types this project reads and writes. */
export type NiftiTypeName = 'uint8' | 'int16' | 'int32' | 'float32' | 'float64';

/** NIfTI datatype codes this project reads and writes, with their element sizes in bytes. */
export const NIFTI_DATATYPES: ReadonlyMap<number, { name: NiftiTypeName; bytes: number }> = new Map(
  [
    [2, { name: 'uint8', bytes: 1 }],
    [4, { name: 'int16', bytes: 2 }],
    [8, { name: 'int32', bytes: 4 }],
    [16, { name: 'float32', bytes: 4 }],
    [64, { name: 'float64', bytes: 8 }],
  ],
);

/** Names of the datatype codes we do not read, so that the error can say what the file holds. */
const OTHER_DATATYPES: Record<number, string> = {
  1: 'binary',
  32: 'complex64',
  128: 'rgb24',
  256: 'int8',
  512: 'uint16',
  768: 'uint32',
  1024: 'int64',
  1280: 'uint64',
  1536: 'float128',
  1792: 'complex128',
  2048: 'complex256',
  2304: 'rgba32',
};

/** Size of the NIfTI-1 header, of the NIfTI-2 header, and of the extension flag that follows. */
export const NIFTI1_HEADER_BYTES = 348;
export const NIFTI2_HEADER_BYTES = 540;
const EXTENSION_FLAG_BYTES = 4;

/**
 * Parses the header at the start of `bytes` (already decompressed). Detects the version and the
 * byte order from sizeof_hdr, checks the magic string and the datatype. `file` names the source in
 * errors.
 */
export function parseNiftiHeader(bytes: Uint8Array, file: string): NiftiHeader {
  if (bytes.length < 4) throw new InputError('too short for a NIfTI header', file);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const littleEndian of [true, false]) {
    const size = view.getInt32(0, littleEndian);
    if (size === NIFTI1_HEADER_BYTES) return parseNifti1(view, littleEndian, file);
    if (size === NIFTI2_HEADER_BYTES) return parseNifti2(view, littleEndian, file);
  }
  throw new InputError(
    `not a NIfTI file: header size field is ${view.getInt32(0, true)}, expected 348 or 540`,
    file,
  );
}

function range<T>(n: number, f: (i: number) => T): T[] {
  return Array.from({ length: n }, (_, i) => f(i));
}

function requireLength(view: DataView, need: number, file: string): void {
  if (view.byteLength < need) {
    throw new InputError(`truncated NIfTI header: ${view.byteLength} bytes, need ${need}`, file);
  }
}

function checkMagic(view: DataView, offset: number, expected: string, file: string): void {
  let magic = '';
  for (let i = 0; i < expected.length; i++) magic += String.fromCharCode(view.getUint8(offset + i));
  if (magic === expected) return;
  if (magic.startsWith('ni')) {
    throw new InputError('separate header/image pairs (.hdr/.img) are not supported', file);
  }
  throw new InputError(`bad NIfTI magic ${JSON.stringify(magic)}`, file);
}

function parseNifti1(view: DataView, le: boolean, file: string): NiftiHeader {
  requireLength(view, NIFTI1_HEADER_BYTES, file);
  checkMagic(view, 344, 'n+1\0', file);
  const i16 = (o: number): number => view.getInt16(o, le);
  const f32 = (o: number): number => view.getFloat32(o, le);
  return {
    version: 1,
    littleEndian: le,
    dim: range(8, (i) => i16(40 + 2 * i)),
    datatypeCode: i16(70),
    pixdim: range(8, (i) => f32(76 + 4 * i)),
    voxOffset: f32(108),
    sclSlope: f32(112),
    sclInter: f32(116),
    qformCode: i16(252),
    sformCode: i16(254),
    quatern: [f32(256), f32(260), f32(264)],
    qoffset: [f32(268), f32(272), f32(276)],
    srow: range(3, (r) => range(4, (c) => f32(280 + 16 * r + 4 * c))),
  };
}

function parseNifti2(view: DataView, le: boolean, file: string): NiftiHeader {
  requireLength(view, NIFTI2_HEADER_BYTES, file);
  checkMagic(view, 4, 'n+2\0\r\n\x1a\n', file);
  const i64 = (o: number): number => Number(view.getBigInt64(o, le));
  const f64 = (o: number): number => view.getFloat64(o, le);
  return {
    version: 2,
    littleEndian: le,
    dim: range(8, (i) => i64(16 + 8 * i)),
    datatypeCode: view.getInt16(12, le),
    pixdim: range(8, (i) => f64(104 + 8 * i)),
    voxOffset: i64(168),
    sclSlope: f64(176),
    sclInter: f64(184),
    qformCode: view.getInt32(344, le),
    sformCode: view.getInt32(348, le),
    quatern: [f64(352), f64(360), f64(368)],
    qoffset: [f64(376), f64(384), f64(392)],
    srow: range(3, (r) => range(4, (c) => f64(400 + 32 * r + 8 * c))),
  };
}

/** The datatype's name and element size, or an InputError naming an unsupported code. */
export function niftiDatatype(code: number, file: string): { name: NiftiTypeName; bytes: number } {
  const type = NIFTI_DATATYPES.get(code);
  if (type) return type;
  const name = OTHER_DATATYPES[code];
  throw new InputError(
    `unsupported NIfTI datatype ${name ? `${name} (code ${code})` : `code ${code}`}; ` +
      'supported: uint8, int16, int32, float32, float64',
    file,
  );
}

/**
 * Encodes a little-endian NIfTI-1 single-file header plus an empty extension flag: 352 bytes, to
 * be followed by the voxel data (vox_offset 352). `header.version` must be 1.
 */
export function encodeNifti1Header(header: NiftiHeader): Uint8Array {
  const bytes = new Uint8Array(NIFTI1_HEADER_BYTES + EXTENSION_FLAG_BYTES);
  const view = new DataView(bytes.buffer);
  const type = NIFTI_DATATYPES.get(header.datatypeCode);
  if (header.version !== 1 || !type) throw new Error('encodeNifti1Header: not a NIfTI-1 header');
  view.setInt32(0, NIFTI1_HEADER_BYTES, true);
  header.dim.forEach((d, i) => view.setInt16(40 + 2 * i, d, true));
  view.setInt16(70, header.datatypeCode, true);
  view.setInt16(72, type.bytes * 8, true);
  header.pixdim.forEach((p, i) => view.setFloat32(76 + 4 * i, p, true));
  view.setFloat32(108, header.voxOffset, true);
  view.setFloat32(112, header.sclSlope, true);
  view.setFloat32(116, header.sclInter, true);
  view.setUint8(123, 2); // xyzt_units: millimetres
  view.setInt16(252, header.qformCode, true);
  view.setInt16(254, header.sformCode, true);
  header.quatern.forEach((q, i) => view.setFloat32(256 + 4 * i, q, true));
  header.qoffset.forEach((q, i) => view.setFloat32(268 + 4 * i, q, true));
  header.srow.forEach((row, r) =>
    row.forEach((v, c) => view.setFloat32(280 + 16 * r + 4 * c, v, true)),
  );
  bytes.set([0x6e, 0x2b, 0x31, 0x00], 344); // 'n+1\0'
  return bytes;
}
