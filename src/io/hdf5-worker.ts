/**
 * Worker thread that reads HDF5 datasets with h5wasm (libhdf5 compiled to WebAssembly). It runs
 * apart from the main thread because libhdf5 can trap, abort or loop on corrupt files; the main
 * side (hdf5.ts) times requests out and replaces a worker that failed. libhdf5 errors are thrown
 * (not printed) by h5wasm's throwing error handler and come back as messages.
 */
import { parentPort } from 'node:worker_threads';
import type { Dataset } from 'h5wasm/node';
import { hdf5SuperblockProblem } from './hdf5-check.js';
import type { Hdf5Array, Hdf5Reply, Hdf5Request } from './hdf5-protocol.js';

/** Largest dataset read, in bytes: WebAssembly memory is limited to 2 GiB. */
const MAX_DATASET_BYTES = 512 * 1024 * 1024;

const port = parentPort;
if (!port) throw new Error('hdf5-worker.js must run as a worker thread');
/**
 * Emscripten reports through console.error (e.g. a failed allocation for a corrupt size); keep
 * those lines for the failing request's message instead of printing them. Patched before h5wasm
 * loads because the module binds console.error when it is evaluated.
 */
const diagnostics: string[] = [];
console.error = (...args: unknown[]) => void diagnostics.push(args.map(String).join(' '));
const { default: h5wasm } = await import('h5wasm/node');
const module = await h5wasm.ready;
module.activate_throwing_error_handler();

port.on('message', (request: Hdf5Request) => {
  diagnostics.length = 0;
  let reply: Hdf5Reply;
  try {
    const arrays = readDatasets(request);
    reply = { id: request.id, ok: true, arrays };
  } catch (err) {
    // A WebAssembly.RuntimeError (trap or abort) leaves the instance unusable.
    const fatal = err instanceof Error && err.name === 'RuntimeError';
    const note = diagnostics.length > 0 ? `; ${diagnostics[diagnostics.length - 1]}` : '';
    reply = { id: request.id, ok: false, message: describeError(err) + note, fatal };
  }
  port.postMessage(reply, reply.ok ? reply.arrays.map((a) => a.data.buffer as ArrayBuffer) : []);
});

function readDatasets({ path, names, optional }: Hdf5Request): Hdf5Array[] {
  const problem = hdf5SuperblockProblem(path);
  if (problem) throw new Error(problem);
  const file = new h5wasm.File(path, 'r');
  try {
    const present = optional.filter((name) => file.get(name) !== null);
    return [...names, ...present].map((name) => readDataset(file.get(name), name));
  } finally {
    file.close();
  }
}

function readDataset(entity: unknown, name: string): Hdf5Array {
  if (!(entity instanceof h5wasm.Dataset)) throw new Error(`no dataset '${name}'`);
  const meta = (entity as Dataset).metadata;
  const dtype = datatypeName(meta.type, meta.size, meta.signed);
  if (!dtype) throw new Error(`dataset '${name}' has an unsupported datatype (${entity.dtype})`);
  const shape = meta.shape ?? [];
  if (shape.length < 2 || shape.length > 3 || shape.some((n) => !(n >= 1))) {
    throw new Error(`dataset '${name}' has shape [${shape}], expected (H, W) or (D, H, W)`);
  }
  if (meta.total_size * meta.size > MAX_DATASET_BYTES) {
    throw new Error(`dataset '${name}' of shape [${shape}] is too large to read`);
  }
  const data = entity.value;
  if (!ArrayBuffer.isView(data) || (data as { length: number }).length !== meta.total_size) {
    throw new Error(`dataset '${name}' could not be read`);
  }
  return { name, shape, dtype, data: data as Hdf5Array['data'] };
}

/** HDF5 type class (0 integer, 1 float), size and sign to a Volume datatype name, or null. */
function datatypeName(typeClass: number, size: number, signed: boolean): string | null {
  if (typeClass === 1) return size === 4 ? 'float32' : size === 8 ? 'float64' : null;
  if (typeClass !== 0) return null;
  if (size === 1 && !signed) return 'uint8';
  if (size === 2 && signed) return 'int16';
  if (size === 4 && signed) return 'int32';
  return null;
}

/**
 * One line from an error: for libhdf5's error stack (one "#NNN: file line N in func(): text"
 * entry per level, then "major:"/"minor:" lines) the innermost entry's text and its classes.
 */
function describeError(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const entries = [...text.matchAll(/#\d+: .* in (\w+\(\)): (.*)/g)];
  if (entries.length === 0) return text.split('\n')[0];
  const last = entries[entries.length - 1];
  const major = [...text.matchAll(/major: (.*)/g)].pop()?.[1];
  const minor = [...text.matchAll(/minor: (.*)/g)].pop()?.[1];
  return `HDF5 error in ${last[1]}: ${last[2]}${major ? ` (${major}: ${minor})` : ''}`;
}
