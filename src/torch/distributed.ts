/**
 * torch.distributed on LibTorch's c10d (native/src/dist.cc): one default process group per
 * process, joined through a TCPStore served by rank 0, Gloo on CPU and NCCL on CUDA. Collectives
 * block until every rank took part or the group's timeout passed; a dead or hung peer throws.
 */
import { native } from './native.js';
import { type Tensor, wrap } from './tensor.js';
import { tensor, zeros } from './creation.js';

export type Backend = 'gloo' | 'nccl';

export interface ProcessGroupOptions {
  backend: Backend;
  /** Host of rank 0's TCPStore (MASTER_ADDR) and its port (MASTER_PORT). */
  masterAddr: string;
  masterPort: number;
  rank: number;
  worldSize: number;
  /** How long a rendezvous or a collective may wait for the other ranks. */
  timeoutMs: number;
  /** NCCL: this rank's GPU ('cuda:N'), where object collectives stage their bytes. */
  device?: string;
}

let current: { rank: number; worldSize: number; backend: Backend; device?: string } | null = null;

const hs = (ts: Tensor[]) => ts.map((t) => t.handle);

/** Joins the default process group (torch.distributed.init_process_group with env:// values). */
export function initProcessGroup(o: ProcessGroupOptions): void {
  native.dist_initProcessGroup(
    o.backend,
    o.masterAddr,
    o.masterPort,
    o.rank,
    o.worldSize,
    o.timeoutMs,
  );
  current = { rank: o.rank, worldSize: o.worldSize, backend: o.backend, device: o.device };
}

export function destroyProcessGroup(): void {
  native.dist_destroyProcessGroup();
  current = null;
}

export function isInitialized(): boolean {
  return current !== null;
}

/** This process's rank, 0 without a process group. */
export function getRank(): number {
  return current?.rank ?? 0;
}

/** Ranks in the default group, 1 without a process group. */
export function getWorldSize(): number {
  return current?.worldSize ?? 1;
}

/** The backends this build of the addon has ('gloo' with Gloo's headers, 'nccl' on CUDA). */
export function availableBackends(): Backend[] {
  return native.dist_backends();
}

/** Reduces contiguous tensors over the ranks in place (torch.distributed.all_reduce). */
export function allReduce_(tensors: Tensor[], op: 'sum' | 'max' | 'min' = 'sum'): void {
  native.dist_allReduce_(hs(tensors), op);
}

/**
 * Averages tensors over the ranks in place, packed into flat buckets of at most `bucketBytes`
 * (DistributedDataParallel's gradient buckets; PyTorch's bucket_cap_mb is 25).
 */
export function allReduceMeanBucketed_(tensors: Tensor[], bucketBytes = 25 * 2 ** 20): void {
  if (tensors.length > 0) native.dist_allReduceMeanBucketed_(hs(tensors), bucketBytes);
}

/** Σ of `t` over the ranks as a new tensor; differentiable (the gradient is summed too). */
export function allReduceSum(t: Tensor): Tensor {
  return wrap(native.dist_allReduceSum(t.handle));
}

/** Every rank's tensors become rank `src`'s, in place (torch.distributed.broadcast). */
export function broadcast_(tensors: Tensor[], src = 0): void {
  native.dist_broadcast_(hs(tensors), src);
}

/** Every rank's `t` (same shape and dtype everywhere), in rank order. */
export function allGather(t: Tensor): Tensor[] {
  return native.dist_allGather(t.handle).map(wrap);
}

/** Waits until every rank arrives (torch.distributed.barrier). */
export function barrier(): void {
  native.dist_barrier();
}

/**
 * Where object collectives stage their bytes: the CPU for Gloo, the rank's GPU for NCCL (which
 * moves CUDA tensors only).
 */
export function stagingDevice(): string {
  return current?.backend === 'nccl' ? (current.device ?? 'cuda') : 'cpu';
}

/** The bytes of a uint8 tensor of any device, copied to the host. */
function hostBytes(t: Tensor): Uint8Array {
  const host = t.to(null, 'cpu');
  const out = (host.data() as Uint8Array).slice();
  host.dispose();
  return out;
}

/** One number per rank, in rank order. */
function allGatherNumber(value: number): number[] {
  const t = tensor(new Float64Array([value]), [1], { device: stagingDevice() });
  const all = allGather(t);
  t.dispose();
  return all.map((x) => {
    const n = x.item();
    x.dispose();
    return n;
  });
}

/** Rank `src`'s bytes on every rank; other ranks' `bytes` are ignored. */
export function broadcastBytes(bytes: Uint8Array | null, src = 0): Uint8Array {
  const mine = getRank() === src ? (bytes ?? new Uint8Array(0)) : null;
  const length = tensor(new Float64Array([mine?.length ?? 0]), [1], { device: stagingDevice() });
  broadcast_([length], src);
  const n = length.item();
  length.dispose();
  const t = tensor(mine ?? new Uint8Array(n), [n], { device: stagingDevice() });
  broadcast_([t], src);
  const out = hostBytes(t);
  t.dispose();
  return out;
}

// JSON with the non-finite numbers that metrics hold (NaN Dice of an absent class, infinite HD95).
const encode = (value: unknown) =>
  new TextEncoder().encode(
    JSON.stringify(value ?? null, (_k, v) =>
      typeof v === 'number' && !Number.isFinite(v) ? { $number: String(v) } : v,
    ),
  );
const decode = <T>(bytes: Uint8Array) =>
  JSON.parse(new TextDecoder().decode(bytes), (_k, v) =>
    v !== null && typeof v === 'object' && '$number' in v ? Number(v.$number) : v,
  ) as T;

/**
 * Rank `src`'s JSON-serialisable value on every rank (torch.distributed.broadcast_object_list);
 * other ranks' `value` is ignored.
 */
export function broadcastObject<T>(value: T, src = 0): T {
  return decode<T>(broadcastBytes(getRank() === src ? encode(value) : null, src));
}

/** Every rank's bytes, in rank order (lengths may differ). */
export function allGatherBytes(bytes: Uint8Array): Uint8Array[] {
  const lengths = allGatherNumber(bytes.length);
  const padded = new Uint8Array(Math.max(1, ...lengths));
  padded.set(bytes);
  const t = tensor(padded, [padded.length], { device: stagingDevice() });
  const all = allGather(t);
  t.dispose();
  return all.map((x, r) => {
    const out = hostBytes(x).slice(0, lengths[r]);
    x.dispose();
    return out;
  });
}

/** Every rank's JSON-serialisable value, in rank order (torch.distributed.all_gather_object). */
export function allGatherObject<T>(value: T): T[] {
  return allGatherBytes(encode(value)).map((b) => decode<T>(b));
}
