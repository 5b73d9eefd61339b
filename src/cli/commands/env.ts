import type { Command } from 'commander';
import { arch, cpus, platform, release } from 'node:os';
import { join } from 'node:path';
import { EngineUnavailableError } from '../../errors.js';
import { addonPath, packageVersion } from '../../util/package-info.js';

/** What `contraseg env` reports: what a bug report or a deployment check needs to know. */
export interface EnvironmentReport {
  contraseg: string | null;
  node: string;
  os: string;
  cpu: { model: string; cores: number };
  libtorch:
    | {
        version: string;
        addon: string;
        threads: number;
        cuda: { available: boolean; devices: number };
        distributedBackends: string[];
      }
    | { unavailable: string };
  onnxruntimeNode: string | null;
}

/** The environment, with LibTorch's part replaced by the reason when the addon does not load. */
export async function environmentReport(): Promise<EnvironmentReport> {
  let libtorch: EnvironmentReport['libtorch'];
  try {
    const torch = await import('../../torch/index.js');
    libtorch = {
      version: torch.libtorchVersion(),
      addon: addonPath,
      threads: torch.getNumThreads(),
      cuda: { available: torch.cuda.isAvailable(), devices: torch.cuda.deviceCount() },
      distributedBackends: torch.distributed.availableBackends(),
    };
  } catch (err) {
    if (!(err instanceof EngineUnavailableError)) throw err;
    libtorch = { unavailable: err.reason };
  }
  const cores = cpus();
  return {
    contraseg: packageVersion(),
    node: process.version,
    os: `${platform()} ${release()} ${arch()}`,
    cpu: { model: cores[0]?.model.trim() ?? 'unknown', cores: cores.length },
    libtorch,
    onnxruntimeNode: packageVersion(join('node_modules', 'onnxruntime-node', 'package.json')),
  };
}

/** `contraseg env`: versions and capabilities, as PyTorch's `python -m torch.utils.collect_env`. */
export function register(program: Command): void {
  program
    .command('env')
    .description(
      'print the versions and capabilities a bug report needs: contraseg, Node, OS, CPU, LibTorch (CUDA, threads, distributed backends), ONNX Runtime',
    )
    .option('--json', 'print the report as JSON')
    .action(async (o: { json?: boolean }) => {
      const r = await environmentReport();
      if (o.json) {
        process.stdout.write(`${JSON.stringify(r)}\n`);
        return;
      }
      const t = r.libtorch;
      const lines = [
        `contraseg: ${r.contraseg ?? 'unknown'}`,
        `node: ${r.node}`,
        `os: ${r.os}`,
        `cpu: ${r.cpu.model} (${r.cpu.cores} logical cores)`,
        ...('unavailable' in t
          ? [`libtorch: not loaded (${t.unavailable})`]
          : [
              `libtorch: ${t.version} (addon ${t.addon})`,
              `threads: ${t.threads}`,
              `cuda: ${t.cuda.available ? `available, ${t.cuda.devices} device(s)` : 'not available'}`,
              `torch.distributed backends: ${t.distributedBackends.join(', ') || 'none (rebuild with libgloo-dev for gloo)'}`,
            ]),
        `onnxruntime-node: ${r.onnxruntimeNode ?? 'not installed'}`,
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
