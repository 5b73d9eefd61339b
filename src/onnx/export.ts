import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { InputError } from '../errors.js';
import { KEEP_LARGEST_KEY, keepLargestOf } from '../io/keep-largest-entry.js';
import type { PreprocessConfig } from '../data/preprocess.js';
import { metadataJson, readSafetensorsFloat32 } from '../io/safetensors-format.js';
import type { UNetConfig } from '../nn/unet.js';
import { writeFileAtomic } from '../util/atomic.js';
import { metadataOf } from './model-info.js';
import { decodeModel, encodeModel } from './proto.js';
import { IR_VERSION, OPSET, unetGraph } from './unet-graph.js';

/** The version of contraseg (package.json). */
export function contrasegVersion(): string {
  // dist/src/onnx -> repo root
  const url = new URL('../../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
}

/** The preprocessing with every default spelled out (src/data/preprocess.ts). */
export function resolvedPreprocess(p: PreprocessConfig): Record<string, unknown> {
  if (p.mode === 'spacing') {
    return {
      mode: 'spacing',
      targetSpacing: p.targetSpacing,
      cropSize: p.cropSize,
      imageOrder: 1,
      percentiles: p.percentiles === undefined ? [1, 99] : p.percentiles,
      inverse: p.inverse ?? 'linear',
    };
  }
  return {
    mode: 'resize',
    size: p.size,
    imageOrder: p.imageOrder ?? 0,
    percentiles: p.percentiles ?? null,
    inverse: p.inverse ?? 'nearest',
  };
}

const USAGE =
  'Input image (N,1,H,W) float32: slices of one volume after contraseg.preprocess (per-volume ' +
  'percentile window to [0,1] when percentiles is not null; mode resize: every slice zoomed to ' +
  'size; mode spacing: rescaled to targetSpacing then centre crop/zero-pad to cropSize). H and W ' +
  'must be divisible by contraseg.size_multiple. Output logits (N,C,H,W): softmax over axis 1 ' +
  'gives class probabilities, argmax over axis 1 the labels (contraseg.classes). contraseg ' +
  'maps probabilities back to the native grid per contraseg.preprocess.inverse.';

/**
 * Writes the inference network of a contraseg checkpoint or exported model (safetensors) as an
 * ONNX model (see src/onnx/unet-graph.ts), with everything needed to use it in metadata_props:
 * classes, preprocessing, UNet config, provenance. Reads the weights without LibTorch.
 */
export function exportOnnx(
  source: string,
  out: string,
  o: { extra?: Record<string, string> } = {},
): { bytes: number; nodes: number } {
  const { bytes, nodes } = onnxModelBytes(source, o);
  writeFileAtomic(out, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return { bytes: bytes.byteLength, nodes };
}

/** The ONNX model of exportOnnx as bytes, written nowhere (`contraseg view` serves them). */
export function onnxModelBytes(
  source: string,
  o: { extra?: Record<string, string> } = {},
): { bytes: Uint8Array; nodes: number } {
  const raw = readFileSync(source);
  const { tensors, metadata } = readSafetensorsFloat32(source);
  const unet = metadataJson<UNetConfig>(metadata, 'contraseg.unet', source);
  const pre = metadataJson<PreprocessConfig>(metadata, 'contraseg.preprocess', source);
  const classes = metadataJson<string[]>(metadata, 'contraseg.classes', source);
  let graph: Record<string, unknown>;
  try {
    graph = unetGraph(tensors, unet, basename(source).replace(/\.safetensors$/, ''));
  } catch (err) {
    throw new InputError((err as Error).message, source);
  }
  const version = contrasegVersion();
  const props: Record<string, string> = {};
  // Model-card entries of an exported model and --meta entries; not a checkpoint's trainer state.
  for (const [k, v] of Object.entries(metadata))
    if (k.startsWith('card.') || k === KEEP_LARGEST_KEY) props[k] = v;
  Object.assign(props, o.extra);
  keepLargestOf(props, unet.numClasses, source);
  Object.assign(props, {
    format: 'contraseg-onnx-v1',
    'contraseg.unet': JSON.stringify(unet),
    'contraseg.preprocess': JSON.stringify(pre),
    'contraseg.preprocess.resolved': JSON.stringify(resolvedPreprocess(pre)),
    'contraseg.classes': JSON.stringify(classes),
    'contraseg.output': 'logits',
    'contraseg.size_multiple': String(2 ** (unet.filters.length - 1)),
    'contraseg.usage': USAGE,
    'contraseg.source': source,
    'contraseg.source_sha256': createHash('sha256').update(raw).digest('hex'),
    'contraseg.version': version,
  });
  const model = {
    ir_version: IR_VERSION,
    producer_name: 'contraseg',
    producer_version: version,
    domain: 'contraseg',
    model_version: 1,
    doc_string: USAGE,
    opset_import: [{ domain: '', version: OPSET }],
    graph,
    metadata_props: Object.entries(props).map(([key, value]) => ({ key, value })),
  };
  return { bytes: encodeModel(model), nodes: (graph.node as unknown[]).length };
}

/** The metadata_props of an ONNX file as a map. */
export function readOnnxMetadata(bytes: Uint8Array): Record<string, string> {
  return metadataOf(decodeModel(bytes));
}
