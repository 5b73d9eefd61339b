/** Typed arrays a volume's voxels may be stored in. */
export type VoxelArray = Uint8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/**
 * A 3-D image or label map in C order: shape [D, H, W] (slices, rows, columns), W varying fastest.
 * A 2-D slice is a volume with D = 1. For NIfTI, array index (i, j, k) = (column, row, slice), so
 * shape is [nz, ny, nx] and `affine` maps (i, j, k, 1) to scanner millimetres.
 */
export interface Volume {
  shape: [number, number, number];
  data: VoxelArray;
  /** Voxel size along [D, H, W] in millimetres, or null when the source did not keep it. */
  spacing: [number, number, number] | null;
  /** Row-major 4x4 voxel-to-world matrix (NIfTI sform/qform), or null when unknown. */
  affine: number[] | null;
  /** Storage type in the source file, e.g. 'uint8', 'int16', 'float32'. */
  datatype: string;
}
