import { readFileSync } from 'node:fs';
import { InputError } from '../errors.js';
import type { Predictor } from '../eval/predictor.js';
import { onnxPredictor, readOnnxModelInfo } from './model-info.js';

export interface OnnxPredictorOptions {
  /** Intra-op threads of ONNX Runtime (default: ONNX Runtime decides). */
  threads?: number;
}

/**
 * Loads a contraseg ONNX model (`contraseg export --onnx`) into ONNX Runtime (onnxruntime-node,
 * CPU) with the preprocessing and class names of its metadata_props (checked by
 * readOnnxModelInfo). No LibTorch involved.
 */
export async function loadOnnxPredictor(
  path: string,
  o: OnnxPredictorOptions = {},
): Promise<Predictor> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new InputError(`cannot read (${(err as NodeJS.ErrnoException).code ?? err})`, path);
  }
  const info = readOnnxModelInfo(bytes, path);
  const ort = await import('onnxruntime-node');
  let session: Awaited<ReturnType<typeof ort.InferenceSession.create>>;
  try {
    session = await ort.InferenceSession.create(bytes, {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
      ...(o.threads !== undefined ? { intraOpNumThreads: o.threads } : {}),
    });
  } catch (err) {
    throw new InputError(`ONNX Runtime cannot load the model (${(err as Error).message})`, path);
  }
  return onnxPredictor(
    info,
    async (x, dims) => {
      const r = await session.run({ image: new ort.Tensor('float32', x, dims) });
      const logits = (r.logits.data as Float32Array).slice();
      r.logits.dispose();
      return logits;
    },
    () => session.release(),
  );
}
