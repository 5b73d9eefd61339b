import { InputError } from '../errors.js';
import type { NiftiHeader } from './nifti-header.js';

/**
 * Voxel size [D, H, W] = [pixdim[3], pixdim[2], pixdim[1]] in millimetres, or null when any of the
 * used pixdims is not a positive finite number. Axes beyond dim[0] count as 1 mm.
 */
export function niftiSpacing(header: NiftiHeader): [number, number, number] | null {
  const used = [1, 2, 3].map((i) => (i <= header.dim[0] ? header.pixdim[i] : 1));
  if (!used.every((p) => Number.isFinite(p) && p > 0)) return null;
  return [used[2], used[1], used[0]];
}

/**
 * The voxel-to-world affine (row-major 4x4) by the NIfTI-1 rules: the sform when sform_code > 0,
 * else the qform (quaternion, pixdim and qfac) when qform_code > 0, else diag(pixdim) ("method 1";
 * null when the spacing is unknown). Throws InputError on non-finite transform fields.
 */
export function niftiAffine(header: NiftiHeader, file: string): number[] | null {
  if (header.sformCode > 0) {
    const rows = header.srow.flat();
    if (!rows.every(Number.isFinite)) throw new InputError('non-finite sform (srow_*)', file);
    return [...rows, 0, 0, 0, 1];
  }
  if (header.qformCode > 0) return qformAffine(header, file);
  const spacing = niftiSpacing(header);
  if (!spacing) return null;
  const [dz, dy, dx] = spacing;
  return [dx, 0, 0, 0, 0, dy, 0, 0, 0, 0, dz, 0, 0, 0, 0, 1];
}

/**
 * The qform affine as in nifti1_io.c (nifti_quatern_to_mat44): a = sqrt(1 - b^2 - c^2 - d^2),
 * with (b, c, d) renormalised when that is not positive; non-positive pixdims count as 1; qfac =
 * sign of pixdim[0] (0 counts as +1) flips the third column.
 */
function qformAffine(header: NiftiHeader, file: string): number[] {
  let [b, c, d] = header.quatern;
  const [qx, qy, qz] = header.qoffset;
  const fields = [b, c, d, qx, qy, qz, ...header.pixdim.slice(0, 4)];
  if (!fields.every(Number.isFinite)) throw new InputError('non-finite qform parameters', file);
  let a = 1 - (b * b + c * c + d * d);
  if (a < 1e-7) {
    const norm = Math.sqrt(b * b + c * c + d * d);
    if (norm === 0) throw new InputError('invalid qform quaternion', file);
    [a, b, c, d] = [0, b / norm, c / norm, d / norm];
  } else {
    a = Math.sqrt(a);
  }
  const size = (p: number): number => (p > 0 ? p : 1);
  const dx = size(header.pixdim[1]);
  const dy = size(header.pixdim[2]);
  const dz = size(header.pixdim[3]) * (header.pixdim[0] < 0 ? -1 : 1);
  const r = [
    [a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)],
    [2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b)],
    [2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b],
  ];
  const offset = [qx, qy, qz];
  const out: number[] = [];
  for (let i = 0; i < 3; i++) out.push(r[i][0] * dx, r[i][1] * dy, r[i][2] * dz, offset[i]);
  return [...out, 0, 0, 0, 1];
}
