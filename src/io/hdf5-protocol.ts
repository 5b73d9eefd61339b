/** Messages between hdf5.ts (main thread) and hdf5-worker.ts. */

/** Read datasets `names` (all must exist) and `optional` (those that exist) of file `path`. */
export interface Hdf5Request {
  id: number;
  path: string;
  names: string[];
  optional: string[];
}

/** One dataset as read: its shape in the file and its voxels, C order. */
export interface Hdf5Array {
  name: string;
  shape: number[];
  dtype: string;
  data: Uint8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

/** The answer to request `id`; `fatal` means the worker's WebAssembly instance is unusable. */
export type Hdf5Reply =
  | { id: number; ok: true; arrays: Hdf5Array[] }
  | { id: number; ok: false; message: string; fatal: boolean };
