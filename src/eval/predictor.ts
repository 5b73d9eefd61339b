/**
 * Prediction of volumes by any engine (LibTorch through src/torch, or ONNX Runtime through
 * src/onnx): the engine gives softmax probabilities of network-space slices; preprocessing, batches,
 * flip test-time augmentation and the inverse mapping are shared. Nothing here loads the addon.
 */
import type { Geometry, Preprocessor } from '../data/preprocess.js';
import { InputError } from '../errors.js';
import type { Volume } from '../io/volume.js';
import { keepLargestComponent } from '../metrics/largest-component.js';

/** Test-time augmentation of volume prediction. */
export type TestTimeAugmentation = 'none' | 'flip';

export interface PredictVolumeOptions {
  /** Slices per forward pass (default 20). */
  batchSize?: number;
  /**
   * 'flip': the softmax of the network-space slices and of their left-right mirror images
   * (mirrored back) are averaged before the inverse mapping. Default 'none'.
   */
  tta?: TestTimeAugmentation;
  /**
   * Classes reduced to their largest connected component in the native label map, the rest of
   * them set to background (nnU-Net's post-processing; src/metrics/largest-component.ts). Default:
   * those the model file names (a Predictor's `keepLargest`), else none.
   */
  keepLargest?: readonly number[];
  /** Name of the input in error messages. */
  source?: string;
}

/** A model ready to predict, whatever runs it. */
export interface Predictor {
  readonly engine: 'torch' | 'onnx';
  readonly preprocessor: Preprocessor;
  readonly classNames: string[];
  readonly numClasses: number;
  /** Classes whose largest component the model file asks to keep (its KEEP_LARGEST_KEY entry). */
  readonly keepLargest: readonly number[];
  /**
   * Softmax probabilities of `depth` slices of size h×w (C order) in batches of `batchSize`:
   * depth × C × h × w floats.
   */
  probabilities(
    slices: Float32Array,
    depth: number,
    size: readonly [number, number],
    batchSize: number,
  ): Promise<Float32Array>;
  /** Releases the network (native memory or the ONNX Runtime session). */
  dispose(): Promise<void>;
}

/** Every row of `values` (rows of `width` floats, C order) reversed: a left-right mirror image. */
export function flipColumns(values: Float32Array, width: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let row = 0; row < values.length; row += width) {
    for (let x = 0; x < width; x++) out[row + x] = values[row + width - 1 - x];
  }
  return out;
}

/** Softmax over the class axis of N × C × plane logits, in place. */
export function softmaxClasses(values: Float32Array, classes: number, plane: number): Float32Array {
  const n = values.length / (classes * plane);
  for (let s = 0; s < n; s++) {
    const base = s * classes * plane;
    for (let p = 0; p < plane; p++) {
      let max = -Infinity;
      for (let c = 0; c < classes; c++) max = Math.max(max, values[base + c * plane + p]);
      let sum = 0;
      for (let c = 0; c < classes; c++) {
        const e = Math.exp(values[base + c * plane + p] - max);
        values[base + c * plane + p] = e;
        sum += e;
      }
      for (let c = 0; c < classes; c++) values[base + c * plane + p] /= sum;
    }
  }
  return values;
}

export function checkBatchSize(batch: number): number {
  if (!Number.isInteger(batch) || batch < 1) {
    throw new InputError(`must be a positive integer, got ${batch}`, 'batch size');
  }
  return batch;
}

export function checkTta(tta: TestTimeAugmentation): TestTimeAugmentation {
  if (tta !== 'none' && tta !== 'flip') {
    throw new InputError(`unknown test-time augmentation '${String(tta)}' (use flip)`, 'tta');
  }
  return tta;
}

/** Averages the probabilities with the mirrored-back ones of the mirrored slices, in place. */
export function averageFlipped(probs: Float32Array, flipped: Float32Array, width: number): void {
  const back = flipColumns(flipped, width);
  for (let i = 0; i < probs.length; i++) probs[i] = 0.5 * (probs[i] + back[i]);
}

/**
 * The label volume of `labels` (native D × H × W) in the geometry of `image`, with the
 * largest-component post-processing of `keepLargest`'s classes.
 */
export function labelVolume(
  image: Volume,
  labels: Uint8Array,
  keepLargest: readonly number[] = [],
): Volume {
  const shape: [number, number, number] = [image.shape[0], image.shape[1], image.shape[2]];
  return {
    shape,
    data: keepLargest.length > 0 ? keepLargestComponent(labels, shape, keepLargest) : labels,
    spacing: image.spacing ? [...image.spacing] : null,
    affine: image.affine ? [...image.affine] : null,
    datatype: 'uint8',
  };
}

/** Network-space probabilities of one volume with any engine (see predictNetworkProbabilities). */
export async function predictorProbabilities(
  predictor: Predictor,
  image: Volume,
  o: PredictVolumeOptions = {},
): Promise<{ probs: Float32Array; geometry: Geometry }> {
  const { preprocessor } = predictor;
  const { slices, geometry } = preprocessor.forwardImage(image, o.source ?? 'image');
  const depth = image.shape[0];
  const size = preprocessor.outputSize;
  const batch = checkBatchSize(o.batchSize ?? 20);
  const tta = checkTta(o.tta ?? 'none');
  const probs = await predictor.probabilities(slices, depth, size, batch);
  if (tta === 'flip') {
    const flipped = await predictor.probabilities(flipColumns(slices, size[1]), depth, size, batch);
    averageFlipped(probs, flipped, size[1]);
  }
  return { probs, geometry };
}

/** The label map of one image volume with any engine, in the input's geometry (uint8). */
export async function predictVolumeWith(
  predictor: Predictor,
  image: Volume,
  o: PredictVolumeOptions = {},
): Promise<Volume> {
  const { probs, geometry } = await predictorProbabilities(predictor, image, o);
  const labels = predictor.preprocessor.inverseProbabilities(probs, geometry);
  return labelVolume(image, labels, o.keepLargest ?? predictor.keepLargest);
}
