// `contraseg bench distributed`: one data-parallel training step of the paper's UNet, one
// process with 2 threads against 2 ranks with 1 thread each over Gloo on 127.0.0.1, same total
// batch; on CUDA, NCCL with one rank per GPU (2, or 1 on a single GPU: NCCL rejects two ranks on
// one GPU, so there the ranks side is a one-rank NCCL group, which still runs every collective
// through NCCL). Each side runs in its own processes (threads are per process); the ranks are
// this same command with --role rank and torchrun's variables.
import { spawn } from 'node:child_process';
import * as torch from '../src/torch/index.js';
import { Adam, UNet, averageGradients, setSyncBatchNorm } from '../src/nn/index.js';
import { launchEnv, joinWorld, type LaunchEnv } from '../src/method/distributed/join.js';
import { freePort } from '../src/util/free-port.js';

export interface DistributedBenchOptions {
  steps: number;
  warmup: number;
  /** Total batch over the ranks. */
  batch: number;
  size: number;
  device: string;
}

/** The processes of the two sides: 'single' alone; 'rank' and 'rank-local-bn' (without SyncBatchNorm) as ranks. */
export type BenchRole = 'single' | 'rank' | 'rank-local-bn';

/** Mean milliseconds of `o.steps` steps after `o.warmup`, on `batch` slices, this process alone or as a rank. */
export function timeSteps(
  o: DistributedBenchOptions,
  role: BenchRole,
): { ms: number; parameters: number } {
  torch.setNumThreads(role === 'single' ? 2 : 1);
  const syncBatchNorm = role !== 'rank-local-bn';
  // A rank alone in its group (one GPU) has WORLD_SIZE 1, which `launchEnv` reads as no group.
  const solo: LaunchEnv = {
    worldSize: 1,
    rank: 0,
    localRank: 0,
    masterAddr: '127.0.0.1',
    masterPort: Number(process.env.MASTER_PORT),
  };
  const env = role === 'single' ? null : (launchEnv() ?? solo);
  const joined = env
    ? joinWorld(env, { device: o.device, timeoutSeconds: 120, syncBatchNorm })
    : null;
  const world = joined?.world ?? null;
  const device = joined?.device ?? o.device;
  const batch = o.batch / (world?.size ?? 1);
  torch.manualSeed(1);
  let net = new UNet({
    inChannels: 1,
    numClasses: 4,
    filters: [16, 32, 64, 128, 128, 128],
    embeddingDim: 16,
  });
  if (device !== 'cpu') net = net.to(device);
  setSyncBatchNorm(net, syncBatchNorm);
  const optimizer = new Adam(net.parameters(), { lr: 1e-3 });
  const images = torch.randn([batch, 1, o.size, o.size], { device });
  const labels = torch.randint(0, 4, [batch, o.size, o.size], { device });
  const step = () =>
    torch.tidy(() => {
      optimizer.zeroGrad();
      torch.F.crossEntropy(net.forward(images), labels).backward();
      if (world) averageGradients(net.parameters());
      optimizer.step();
      if (device !== 'cpu') torch.cuda.synchronize();
    });
  for (let i = 0; i < o.warmup; i++) step();
  world?.all(true);
  const start = performance.now();
  for (let i = 0; i < o.steps; i++) step();
  const ms = (performance.now() - start) / o.steps;
  if (world) {
    torch.distributed.barrier();
    torch.distributed.destroyProcessGroup();
  }
  return { ms, parameters: net.numParameters() };
}

/** Runs `contraseg bench distributed --role ...` in `ranks` processes; rank 0's milliseconds. */
async function measure(
  o: DistributedBenchOptions,
  role: BenchRole,
  ranks: number,
): Promise<{ ms: number; parameters: number }> {
  const port = await freePort();
  const args = [
    process.argv[1],
    'bench',
    'distributed',
    '--role',
    role,
    '--steps',
    String(o.steps),
    '--warmup',
    String(o.warmup),
    '--batch',
    String(o.batch),
    '--size',
    String(o.size),
    '--device',
    o.device,
  ];
  const outputs = await Promise.all(
    Array.from({ length: ranks }, (_, rank) => {
      const env = {
        WORLD_SIZE: String(ranks),
        RANK: String(rank),
        LOCAL_RANK: String(rank),
        MASTER_ADDR: '127.0.0.1',
        MASTER_PORT: String(port),
      };
      const child = spawn(process.execPath, args, {
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
      return new Promise<string>((res, rej) =>
        child.on('exit', (code) =>
          code === 0 ? res(out) : rej(new Error(`bench ${role} rank ${rank} exited with ${code}`)),
        ),
      );
    }),
  );
  return JSON.parse(outputs[0]) as { ms: number; parameters: number };
}

/**
 * single_step_ms (1 process, 2 threads), ddp_step_ms (2 ranks, 1 thread each, SyncBatchNorm; on
 * CUDA one rank per GPU, at most 2), ratio.
 */
export async function benchDistributed(
  o: DistributedBenchOptions,
): Promise<Record<string, number | string>> {
  const ranks = o.device === 'cpu' ? 2 : Math.min(2, torch.cuda.deviceCount());
  const single = await measure(o, 'single', 1);
  const ddp = await measure(o, 'rank', ranks);
  const localBn = await measure(o, 'rank-local-bn', ranks);
  return {
    single_step_ms: round(single.ms),
    ddp_step_ms: round(ddp.ms),
    ratio: round(ddp.ms / single.ms, 3),
    ddp_local_bn_step_ms: round(localBn.ms),
    parameters: single.parameters,
    batch: o.batch,
    size: o.size,
    steps: o.steps,
    device: o.device,
    ranks,
    backend: o.device === 'cpu' ? 'gloo' : 'nccl',
  };
}

const round = (v: number, digits = 1) => Number(v.toFixed(digits));
