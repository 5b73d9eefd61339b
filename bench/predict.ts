/**
 * `contraseg bench predict`: one volume end to end (read, preprocess, forward, inverse, write a
 * NIfTI) with LibTorch and with ONNX Runtime, same model, same threads, interleaved runs, medians.
 * The volume is the first ACDC validation volume when the shared data exist, else a phantom volume
 * written as NIfTI (the result says which).
 */
import { availableParallelism } from 'node:os';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { caseOfFile } from '../src/eval/case-files.js';
import { predictCase } from '../src/eval/predict-files.js';
import { torchPredictor } from '../src/eval/predict-volume.js';
import type { Predictor } from '../src/eval/predictor.js';
import { generatePhantomVolume } from '../src/data/phantom.js';
import { writeNifti } from '../src/io/nifti.js';
import { loadModel } from '../src/method/model-file.js';
import { exportOnnx } from '../src/onnx/export.js';
import { loadOnnxPredictor } from '../src/onnx/session.js';
import * as torch from '../src/torch/index.js';

export interface PredictBenchOptions {
  model: string;
  repeats: number;
  warmup: number;
  threads?: number;
  /** Scratch folder (the ONNX model, the phantom input, the outputs). */
  dir: string;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
};

export async function benchPredict(o: PredictBenchOptions) {
  const threads = o.threads ?? Math.min(2, availableParallelism());
  let input: string;
  let source: string;
  // The shared data as in test/helpers/shared-data.ts: $CONTRASEG_DATA, else ../shared/data.
  const acdc = join(process.env.CONTRASEG_DATA ?? resolve('..', 'shared', 'data'), 'ACDC');
  const id = existsSync(join(acdc, 'val.list'))
    ? readFileSync(join(acdc, 'val.list'), 'utf8').split('\n')[0].trim()
    : '';
  if (id && existsSync(join(acdc, 'data', `${id}.h5`))) {
    input = join(acdc, 'data', `${id}.h5`);
    source = `ACDC validation volume ${id}`;
  } else {
    input = join(o.dir, 'phantom.nii.gz');
    writeNifti(input, generatePhantomVolume(1, 10, 224).image);
    source = 'phantom volume [10, 224, 224] (ACDC data absent)';
  }
  const onnxPath = join(o.dir, 'model.onnx');
  exportOnnx(o.model, onnxPath);
  torch.setNumThreads(threads);
  const engines: Array<[string, Predictor]> = [
    ['torch', torchPredictor(loadModel(o.model))],
    ['onnx', await loadOnnxPredictor(onnxPath, { threads })],
  ];
  const c = caseOfFile(input, true);
  const times: Record<string, number[]> = { torch: [], onnx: [] };
  try {
    for (let r = 0; r < o.warmup + o.repeats; r++) {
      for (const [name, p] of engines) {
        const t = await predictCase(p, c, join(o.dir, name));
        if (r >= o.warmup) times[name].push(t.seconds * 1000);
      }
    }
  } finally {
    for (const [, p] of engines) await p.dispose();
  }
  const torchMs = median(times.torch);
  const onnxMs = median(times.onnx);
  return {
    input: source,
    model: o.model,
    threads,
    repeats: o.repeats,
    torch_volume_ms: Math.round(torchMs * 10) / 10,
    onnx_volume_ms: Math.round(onnxMs * 10) / 10,
    ratio: Math.round((onnxMs / torchMs) * 1000) / 1000,
    torch_runs_ms: times.torch.map((x) => Math.round(x)),
    onnx_runs_ms: times.onnx.map((x) => Math.round(x)),
  };
}
