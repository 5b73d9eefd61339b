import { readFileSync } from 'node:fs';
import { Preprocessor, type PreprocessConfig } from '../data/preprocess.js';
import { InputError } from '../errors.js';
import type { Predictor } from '../eval/predictor.js';
import { softmaxClasses } from '../eval/predictor.js';
import type { UNetConfig } from '../nn/unet.js';
import { readOnnxMetadata } from './export.js';

export interface OnnxPredictorOptions {
  /** Intra-op threads of ONNX Runtime (default: ONNX Runtime decides). */
  threads?: number;
}

function meta<T>(md: Record<string, string>, key: string, path: string): T {
  const v = md[key];
  if (v === undefined)
    throw new InputError(`not a contraseg ONNX model (metadata_props '${key}' missing)`, path);
  try {
    return JSON.parse(v) as T;
  } catch {
    throw new InputError(`metadata_props '${key}' is not valid JSON`, path);
  }
}

/**
 * Loads a contraseg ONNX model (`contraseg export --onnx`) into ONNX Runtime (onnxruntime-node,
 * CPU) with the preprocessing and class names of its metadata_props. No LibTorch involved.
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
  let md: Record<string, string>;
  try {
    md = readOnnxMetadata(bytes);
  } catch (err) {
    throw new InputError(`not an ONNX model (${(err as Error).message})`, path);
  }
  const unet = meta<UNetConfig>(md, 'contraseg.unet', path);
  const preprocessor = new Preprocessor(meta<PreprocessConfig>(md, 'contraseg.preprocess', path));
  const classNames = meta<string[]>(md, 'contraseg.classes', path);
  const multiple = 2 ** (unet.filters.length - 1);
  const [sh, sw] = preprocessor.outputSize;
  if (sh % multiple !== 0 || sw % multiple !== 0)
    throw new InputError(`network input ${sh}x${sw} is not divisible by ${multiple}`, path);
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(bytes, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    ...(o.threads !== undefined ? { intraOpNumThreads: o.threads } : {}),
  });
  const classes = unet.numClasses;
  return {
    engine: 'onnx',
    preprocessor,
    classNames,
    numClasses: classes,
    async probabilities(slices, depth, size, batchSize) {
      const [h, w] = size;
      const plane = h * w;
      const out = new Float32Array(depth * classes * plane);
      for (let start = 0; start < depth; start += batchSize) {
        const n = Math.min(batchSize, depth - start);
        const x = new ort.Tensor('float32', slices.subarray(start * plane, (start + n) * plane), [
          n,
          1,
          h,
          w,
        ]);
        const r = await session.run({ image: x });
        const logits = r.logits.data as Float32Array;
        const part = out.subarray(start * classes * plane, (start + n) * classes * plane);
        part.set(logits);
        softmaxClasses(part, classes, plane);
        r.logits.dispose();
      }
      return out;
    },
    dispose: () => session.release(),
  };
}
