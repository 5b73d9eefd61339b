// Tiny contraseg model files for the prediction tests: a small UNet with random weights, saved as
// a checkpoint-like safetensors file and exported with exportModel.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { PNG } from 'pngjs';
import * as torch from '../../src/torch/index.js';
import { UNet, type UNetConfig } from '../../src/nn/index.js';
import { saveSafetensors } from '../../src/nn/safetensors.js';
import type { PreprocessConfig } from '../../src/data/preprocess.js';
import { exportModel } from '../../src/method/model-file.js';

export interface TinyModelOptions {
  preprocess: PreprocessConfig;
  classNames?: string[];
  filters?: number[];
  seed?: number;
}

/** Writes a model file at `path` (float32) and returns its UNet config. */
export function writeTinyModel(path: string, o: TinyModelOptions): UNetConfig {
  const classNames = o.classNames ?? ['background', 'a', 'b'];
  torch.manualSeed(o.seed ?? 1);
  const config: UNetConfig = {
    inChannels: 1,
    numClasses: classNames.length,
    filters: o.filters ?? [4, 8, 8],
    embeddingDim: 4,
    bnEps: 1e-3,
    bnMomentum: 0.01,
  };
  const net = new UNet(config);
  const checkpoint = `${path}.checkpoint.safetensors`;
  try {
    saveSafetensors(checkpoint, net.stateDict(), {
      format: 'contraseg-model-v1',
      'contraseg.unet': JSON.stringify(config),
      'contraseg.preprocess': JSON.stringify(o.preprocess),
      'contraseg.classes': JSON.stringify(classNames),
      'contraseg.trainer': JSON.stringify({ iteration: 0 }),
    });
    exportModel(checkpoint, path, { dtype: 'float32' });
  } finally {
    net.dispose();
    rmSync(checkpoint, { force: true });
  }
  return config;
}

/** A temporary folder removed by `cleanup`. */
export function tempFolder(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs Debian's python3 on `code` (argv after it: `args`); throws with stderr on failure. */
export function python(code: string, args: string[] = [], input?: string): string {
  const r = spawnSync('/usr/bin/python3', ['-c', code, ...args], { encoding: 'utf8', input });
  if (r.status !== 0) throw new Error(`python3 failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** Writes an SSL4MIS-style HDF5 file with float32 `image` and uint8 `label` of shape `shape`. */
export function writeH5(
  path: string,
  shape: number[],
  image: Float32Array,
  label: Uint8Array | null,
): void {
  const raw = `${path}.raw`;
  writeFileSync(`${raw}.image`, image);
  if (label) writeFileSync(`${raw}.label`, label);
  python(
    `import sys, json, numpy as np, h5py, os
path, raw, shape = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
with h5py.File(path, 'w') as f:
    f.create_dataset('image', data=np.fromfile(raw + '.image', dtype='<f4').reshape(shape), compression='gzip')
    if os.path.exists(raw + '.label'):
        f.create_dataset('label', data=np.fromfile(raw + '.label', dtype='u1').reshape(shape), compression='gzip')
`,
    [path, raw, JSON.stringify(shape)],
  );
  rmSync(`${raw}.image`, { force: true });
  rmSync(`${raw}.label`, { force: true });
}

/** Runs the compiled CLI; returns exit status, stdout and stderr. */
export function cli(
  args: string[],
  env: Record<string, string> = {},
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join('bin', 'contraseg.js'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Writes 8-bit gray `values` (H x W, row-major) as a grayscale PNG. */
export function writeGrayPng(path: string, width: number, values: Uint8Array): void {
  const png = new PNG({ width, height: values.length / width });
  png.data = Buffer.from(values);
  writeFileSync(
    path,
    PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false }),
  );
}

/** A smooth test image with a bright disc: D x H x W floats in [0, 1]. */
export function discImage(shape: [number, number, number], seed = 1): Float32Array {
  const [d, h, w] = shape;
  const out = new Float32Array(d * h * w);
  let s = seed;
  const rand = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let z = 0, i = 0; z < d; z++) {
    const cy = h * (0.4 + 0.2 * rand());
    const cx = w * (0.35 + 0.2 * rand());
    const r = Math.min(h, w) * (0.2 + 0.1 * rand());
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++, i++) {
        const inside = (y - cy) ** 2 + (x - cx) ** 2 < r * r;
        out[i] = (inside ? 0.8 : 0.2) + 0.05 * Math.sin(x * 0.7 + y * 0.3 + z) + 0.02 * rand();
      }
    }
  }
  return out;
}
