import * as torch from '../../torch/index.js';
import { InputError } from '../../errors.js';
import { processGroupWorld, type World } from './world.js';

/** What torchrun tells each process (and `contraseg run --nproc` sets likewise). */
export interface LaunchEnv {
  worldSize: number;
  rank: number;
  /** Rank on this machine: picks the GPU with NCCL. */
  localRank: number;
  masterAddr: string;
  masterPort: number;
}

function intVar(env: NodeJS.ProcessEnv, name: string, fallback?: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') {
    if (fallback !== undefined) return fallback;
    throw new InputError(
      `${name} is not set (a data-parallel rank needs WORLD_SIZE, RANK, MASTER_ADDR, MASTER_PORT)`,
      name,
    );
  }
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0)
    throw new InputError(`'${raw}' is not a non-negative integer`, name);
  return n;
}

/** The launch variables of a data-parallel rank, or null outside one (WORLD_SIZE unset or 1). */
export function launchEnv(env: NodeJS.ProcessEnv = process.env): LaunchEnv | null {
  const worldSize = intVar(env, 'WORLD_SIZE', 1);
  if (worldSize <= 1) return null;
  const rank = intVar(env, 'RANK');
  if (rank >= worldSize)
    throw new InputError(`RANK ${rank} is not below WORLD_SIZE ${worldSize}`, 'RANK');
  const masterPort = intVar(env, 'MASTER_PORT');
  if (masterPort < 1 || masterPort > 65535)
    throw new InputError(`port ${masterPort} out of range`, 'MASTER_PORT');
  return {
    worldSize,
    rank,
    localRank: intVar(env, 'LOCAL_RANK', rank),
    masterAddr: env.MASTER_ADDR || '127.0.0.1',
    masterPort,
  };
}

/**
 * The device a rank trains on: 'cuda' means GPU LOCAL_RANK, as torchrun scripts pick it with
 * `torch.cuda.set_device(local_rank)`; an explicit device ('cpu', 'cuda:N') is kept. NCCL rejects
 * two ranks of one job on one GPU ("Duplicate GPU detected"), so a local rank without a GPU of its
 * own is an input error here rather than a wrap-around onto a GPU another rank holds.
 */
export function rankDevice(device: string, localRank: number, gpus: number): string {
  if (device !== 'cuda') return device;
  if (localRank >= gpus)
    throw new InputError(
      `local rank ${localRank} has no GPU of its own (${gpus} visible) and NCCL cannot put two ranks on one GPU: start at most ${gpus} process(es) per machine, give each process its own GPU (CUDA_VISIBLE_DEVICES) with LOCAL_RANK=0, or train on the CPU over Gloo`,
      'LOCAL_RANK',
    );
  return `cuda:${localRank}`;
}

/**
 * Joins the process group of a data-parallel run: Gloo when training on the CPU, NCCL on CUDA
 * (each rank on its own GPU, `rankDevice`). Returns the World and the device this rank trains on.
 */
export function joinWorld(
  env: LaunchEnv,
  o: { device: string; timeoutSeconds: number; syncBatchNorm: boolean },
): { world: World; device: string } {
  const cuda = o.device.startsWith('cuda');
  const device = rankDevice(o.device, env.localRank, cuda ? torch.cuda.deviceCount() : 0);
  const backend = cuda ? 'nccl' : 'gloo';
  if (!torch.distributed.availableBackends().includes(backend))
    throw new InputError(
      `this build of the addon has no ${backend} (${cuda ? 'needs a CUDA LibTorch with NCCL' : 'install libgloo-dev and rebuild with node native/build.mjs'})`,
      'device',
    );
  torch.distributed.initProcessGroup({
    backend,
    masterAddr: env.masterAddr,
    masterPort: env.masterPort,
    rank: env.rank,
    worldSize: env.worldSize,
    timeoutMs: Math.round(o.timeoutSeconds * 1000),
    device,
  });
  return { world: processGroupWorld({ syncBatchNorm: o.syncBatchNorm }), device };
}
