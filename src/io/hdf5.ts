import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { InputError } from '../errors.js';
import type { Hdf5Array, Hdf5Reply, Hdf5Request } from './hdf5-protocol.js';
import { assertFinite } from './validate.js';
import type { Volume } from './volume.js';

/** Options of readHdf5. */
export interface Hdf5ReadOptions {
  /** Datasets to read when present (missing ones are left out of the result). */
  optional?: string[];
  /** Time allowed for one file, from the request's dispatch (default 60 s). */
  timeoutMs?: number;
}

/**
 * Reads datasets `names` of an HDF5 file as volumes: an (H, W) dataset becomes [1, H, W], a
 * (D, H, W) one keeps its shape; spacing and affine are null. Supported types: uint8, int16,
 * int32, float32, float64; float voxels must be finite. Every problem (missing file or dataset,
 * corrupt or truncated file, a libhdf5 failure, a timeout) is an InputError naming the file.
 *
 * The reading happens in a worker thread, one file at a time (see hdf5-worker.ts).
 */
export async function readHdf5(
  path: string,
  names: string[],
  options: Hdf5ReadOptions = {},
): Promise<Map<string, Volume>> {
  const absolute = resolve(path);
  let isFile = false;
  try {
    isFile = statSync(absolute).isFile();
  } catch (err) {
    throw new InputError(`cannot read: ${(err as NodeJS.ErrnoException).code ?? err}`, path);
  }
  if (!isFile) throw new InputError('not a file', path);
  const arrays = await reader.read(absolute, names, options.optional ?? [], options.timeoutMs);
  const out = new Map<string, Volume>();
  for (const { name, shape, dtype, data } of arrays) {
    assertFinite(data, `${path}:${name}`);
    const full: [number, number, number] =
      shape.length === 2 ? [1, shape[0], shape[1]] : [shape[0], shape[1], shape[2]];
    out.set(name, { shape: full, data, spacing: null, affine: null, datatype: dtype });
  }
  return out;
}

const DEFAULT_TIMEOUT_MS = 60_000;
/**
 * Failed reads after which a worker is replaced: h5wasm leaks libhdf5 handles when an error is
 * thrown, and in measurements a worker's instance trapped after a few thousand failures.
 */
const ERRORS_PER_WORKER = 64;

interface Job {
  request: Hdf5Request;
  timeoutMs: number;
  resolve: (arrays: Hdf5Array[]) => void;
  reject: (err: Error) => void;
}

/**
 * Runs HDF5 reads on one worker thread, one request at a time so that a request's timeout counts
 * from its dispatch. A worker that times out, traps, dies or has failed ERRORS_PER_WORKER times is
 * terminated and the next request starts a fresh one; events of terminated workers are ignored.
 * The worker is unref'd while idle so that it never keeps the process alive.
 */
class Hdf5Reader {
  private worker: Worker | null = null;
  private errors = 0;
  private nextId = 1;
  private readonly queue: Job[] = [];
  private current: { job: Job; timer: NodeJS.Timeout; started: number } | null = null;

  read(path: string, names: string[], optional: string[], timeoutMs = DEFAULT_TIMEOUT_MS) {
    return new Promise<Hdf5Array[]>((resolve, reject) => {
      const request = { id: this.nextId++, path, names, optional };
      this.queue.push({ request, timeoutMs, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    if (this.current) return;
    const job = this.queue.shift();
    if (!job) {
      this.worker?.unref();
      return;
    }
    const worker = this.worker ?? this.spawn();
    worker.ref();
    const timer = setTimeout(
      () => this.fail(worker, `timed out after ${job.timeoutMs} ms (reader restarted)`),
      job.timeoutMs,
    );
    this.current = { job, timer, started: performance.now() };
    worker.postMessage(job.request);
  }

  private spawn(): Worker {
    const worker = new Worker(new URL('./hdf5-worker.js', import.meta.url));
    worker.on('message', (reply: Hdf5Reply) => this.onReply(worker, reply));
    worker.on('error', (err) => this.fail(worker, `HDF5 reader failed: ${err.message}`));
    worker.on('exit', (code) => this.fail(worker, `HDF5 reader stopped (exit code ${code})`));
    this.worker = worker;
    this.errors = 0;
    return worker;
  }

  private onReply(worker: Worker, reply: Hdf5Reply): void {
    if (worker !== this.worker || this.current?.job.request.id !== reply.id) return;
    const { job, timer, started } = this.current;
    // A reply that comes after the deadline (the timer not having run yet) is a timeout too.
    if (performance.now() - started > job.timeoutMs) {
      this.fail(worker, `timed out after ${job.timeoutMs} ms (reader restarted)`);
      return;
    }
    clearTimeout(timer);
    this.current = null;
    if (reply.ok) {
      job.resolve(reply.arrays);
    } else {
      if (reply.fatal || ++this.errors >= ERRORS_PER_WORKER) this.retire(worker);
      job.reject(new InputError(reply.message, job.request.path));
    }
    this.pump();
  }

  /** Ends `worker` and fails the request in flight with `message`. */
  private fail(worker: Worker, message: string): void {
    if (worker !== this.worker) return;
    this.retire(worker);
    const current = this.current;
    this.current = null;
    if (current) {
      clearTimeout(current.timer);
      current.job.reject(new InputError(message, current.job.request.path));
    }
    this.pump();
  }

  private retire(worker: Worker): void {
    if (this.worker === worker) this.worker = null;
    void worker.terminate();
  }
}

const reader = new Hdf5Reader();
