import type { Geometry } from '../data/preprocess.js';
import { InputError } from '../errors.js';
import type { Volume } from '../io/volume.js';
import type { LoadedModel } from '../method/model-file.js';
import { predictProbabilities } from '../method/predict.js';

/** Test-time augmentation of `predictVolume`. */
export type TestTimeAugmentation = 'none' | 'flip';

export interface PredictVolumeOptions {
  /** Slices per forward pass (default 20). */
  batchSize?: number;
  /**
   * 'flip': the softmax of the network-space slices and of their left-right mirror images
   * (mirrored back) are averaged before the inverse mapping. Default 'none'.
   */
  tta?: TestTimeAugmentation;
  /** Name of the input in error messages. */
  source?: string;
}

/**
 * Softmax probabilities of a model for one image volume in network space (D x C x S_h x S_w), with
 * the geometry that maps them back: the model's preprocessing, batched prediction and optional
 * flip test-time augmentation.
 */
export function predictNetworkProbabilities(
  model: LoadedModel,
  image: Volume,
  o: PredictVolumeOptions = {},
): { probs: Float32Array; geometry: Geometry } {
  const { net, preprocessor } = model;
  const source = o.source ?? 'image';
  const { slices, geometry } = preprocessor.forwardImage(image, source);
  const depth = image.shape[0];
  const size = preprocessor.outputSize;
  const batch = o.batchSize ?? 20;
  if (!Number.isInteger(batch) || batch < 1) {
    throw new InputError(`must be a positive integer, got ${batch}`, 'batch size');
  }
  const probs = predictProbabilities(net, slices, depth, size, batch);
  const tta = o.tta ?? 'none';
  if (tta === 'flip') {
    const flipped = predictProbabilities(net, flipColumns(slices, size[1]), depth, size, batch);
    const back = flipColumns(flipped, size[1]);
    for (let i = 0; i < probs.length; i++) probs[i] = 0.5 * (probs[i] + back[i]);
  } else if (tta !== 'none') {
    throw new InputError(`unknown test-time augmentation '${String(tta)}' (use flip)`, 'tta');
  }
  return { probs, geometry };
}

/**
 * Predicts the label map of one image volume: preprocess with the model's preprocessing, predict
 * in network space, map back to the native [D, H, W] grid (the preprocessor's inverse mode). The
 * result is a uint8 volume with the input's shape, spacing and affine.
 */
export function predictVolume(
  model: LoadedModel,
  image: Volume,
  o: PredictVolumeOptions = {},
): Volume {
  const { probs, geometry } = predictNetworkProbabilities(model, image, o);
  const labels = model.preprocessor.inverseProbabilities(probs, geometry);
  return {
    shape: [image.shape[0], image.shape[1], image.shape[2]],
    data: labels,
    spacing: image.spacing ? [...image.spacing] : null,
    affine: image.affine ? [...image.affine] : null,
    datatype: 'uint8',
  };
}

/** Every row of `values` (rows of `width` floats, C order) reversed: a left-right mirror image. */
export function flipColumns(values: Float32Array, width: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let row = 0; row < values.length; row += width) {
    for (let x = 0; x < width; x++) out[row + x] = values[row + width - 1 - x];
  }
  return out;
}
