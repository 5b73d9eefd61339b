/**
 * What a contraseg ONNX model (`contraseg export --onnx`) says about itself, checked: its
 * metadata_props (classes, preprocessing, UNet config) and the graph's input and output. Shared by
 * the ONNX Runtime predictor of the CLI (session.ts, onnxruntime-node) and the browser page of
 * `contraseg view` (onnxruntime-web): no node:* imports here.
 */
import { Preprocessor, type PreprocessConfig } from '../data/preprocess.js';
import { InputError } from '../errors.js';
import { keepLargestOf } from '../io/keep-largest-entry.js';
import type { Predictor } from '../eval/predictor.js';
import { softmaxClasses } from '../eval/predictor.js';
import type { UNetConfig } from '../nn/unet-config.js';
import { decodeModel } from './proto.js';

export interface OnnxModelInfo {
  unet: UNetConfig;
  preprocess: PreprocessConfig;
  classNames: string[];
  /** Network input sizes must be multiples of this (2^(levels-1)). */
  sizeMultiple: number;
  /** Every metadata_props entry. */
  metadata: Record<string, string>;
  /** Classes whose largest component predictions keep (metadata KEEP_LARGEST_KEY; maybe none). */
  keepLargest: number[];
}

interface ValueInfo {
  name?: string;
  type?: {
    tensor_type?: { shape?: { dim?: Array<{ dim_value?: number; dim_param?: string }> } };
  };
}

function metaJson<T>(md: Record<string, string>, key: string, source: string): T {
  const v = md[key];
  if (v === undefined)
    throw new InputError(`not a contraseg ONNX model (metadata_props '${key}' missing)`, source);
  try {
    return JSON.parse(v) as T;
  } catch {
    throw new InputError(`metadata_props '${key}' is not valid JSON`, source);
  }
}

/** Dimension `i` of a graph input or output: a number, a symbolic name, or undefined. */
function dim(v: ValueInfo, i: number): number | string | undefined {
  const d = v.type?.tensor_type?.shape?.dim?.[i];
  return d?.dim_value ?? d?.dim_param;
}

/** The metadata_props of an ONNX model as a map (decoded with the ONNX schema). */
export function metadataOf(model: Record<string, unknown>): Record<string, string> {
  const props = (model.metadata_props ?? []) as Array<{ key: string; value: string }>;
  const out: Record<string, string> = {};
  for (const { key, value } of props) out[key] = value;
  return out;
}

/** Decodes ONNX bytes; a truncated or corrupt file throws InputError naming `source`. */
export function decodeOnnx(bytes: Uint8Array, source: string): Record<string, unknown> {
  try {
    return decodeModel(bytes);
  } catch (err) {
    throw new InputError(
      `not a valid ONNX model, the file may be truncated or corrupt (${(err as Error).message})`,
      source,
    );
  }
}

/**
 * Reads and checks a contraseg ONNX model: the metadata must be present and valid, the graph
 * must take `image` (N, 1, H, W) and give `logits` (N, C, H, W) with C the number of classes, the
 * preprocessing must be one contraseg knows, and its network size a multiple of 2^(levels-1).
 * Every problem throws InputError naming `source`.
 */
export function readOnnxModelInfo(bytes: Uint8Array, source: string): OnnxModelInfo {
  const model = decodeOnnx(bytes, source);
  const graph = model.graph as { input?: ValueInfo[]; output?: ValueInfo[] } | undefined;
  if (!graph) throw new InputError('not a valid ONNX model (no graph)', source);
  const metadata = metadataOf(model);
  const unet = metaJson<UNetConfig>(metadata, 'contraseg.unet', source);
  const preprocess = metaJson<PreprocessConfig>(metadata, 'contraseg.preprocess', source);
  const classNames = metaJson<string[]>(metadata, 'contraseg.classes', source);
  if (!Array.isArray(classNames) || classNames.length < 2)
    throw new InputError('metadata_props contraseg.classes must list at least 2 classes', source);
  if (!unet || !Array.isArray(unet.filters) || unet.filters.length < 1)
    throw new InputError('metadata_props contraseg.unet has no filters', source);
  const input = (graph.input ?? []).find((v) => v.name === 'image');
  const output = (graph.output ?? []).find((v) => v.name === 'logits');
  if (!input || !output)
    throw new InputError("the graph has no input 'image' or no output 'logits'", source);
  const channels = dim(input, 1);
  if (unet.inChannels !== 1 || (channels !== undefined && channels !== 1)) {
    throw new InputError(
      `the model takes ${typeof channels === 'number' ? channels : unet.inChannels} input ` +
        'channels; contraseg segments single-channel scans (1 channel)',
      source,
    );
  }
  const outClasses = dim(output, 1);
  if (
    unet.numClasses !== classNames.length ||
    (outClasses !== undefined && outClasses !== unet.numClasses)
  ) {
    throw new InputError(
      `the model has ${String(outClasses ?? unet.numClasses)} output channels but ` +
        `${classNames.length} class names`,
      source,
    );
  }
  let preprocessor: Preprocessor;
  try {
    preprocessor = new Preprocessor(preprocess);
  } catch (err) {
    throw new InputError(
      `unsupported preprocessing in metadata (${(err as Error).message})`,
      source,
    );
  }
  const sizeMultiple = 2 ** (unet.filters.length - 1);
  const [sh, sw] = preprocessor.outputSize;
  if (sh % sizeMultiple !== 0 || sw % sizeMultiple !== 0)
    throw new InputError(`network input ${sh}x${sw} is not divisible by ${sizeMultiple}`, source);
  const keepLargest = keepLargestOf(metadata, unet.numClasses, source);
  return { unet, preprocess, classNames, sizeMultiple, metadata, keepLargest };
}

/** Runs the graph on an (n, 1, h, w) batch and returns its logits (n, C, h, w). */
export type RunLogits = (
  x: Float32Array,
  dims: [number, number, number, number],
) => Promise<Float32Array>;

/**
 * A Predictor over any ONNX Runtime (node or web): slices go through `run` in batches and the
 * logits become softmax probabilities, exactly as `contraseg predict --engine onnx` does.
 */
export function onnxPredictor(
  info: OnnxModelInfo,
  run: RunLogits,
  dispose: () => Promise<void>,
): Predictor {
  const classes = info.unet.numClasses;
  return {
    engine: 'onnx',
    preprocessor: new Preprocessor(info.preprocess),
    classNames: info.classNames,
    numClasses: classes,
    keepLargest: info.keepLargest,
    async probabilities(slices, depth, size, batchSize) {
      const [h, w] = size;
      const plane = h * w;
      const out = new Float32Array(depth * classes * plane);
      for (let start = 0; start < depth; start += batchSize) {
        const n = Math.min(batchSize, depth - start);
        const logits = await run(slices.subarray(start * plane, (start + n) * plane), [n, 1, h, w]);
        if (logits.length !== n * classes * plane)
          throw new Error(
            `the model gave ${logits.length} logits, expected ${n * classes * plane}`,
          );
        const part = out.subarray(start * classes * plane, (start + n) * classes * plane);
        part.set(logits);
        softmaxClasses(part, classes, plane);
      }
      return out;
    },
    dispose,
  };
}
