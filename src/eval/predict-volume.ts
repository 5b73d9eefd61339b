import type { Geometry } from '../data/preprocess.js';
import type { Volume } from '../io/volume.js';
import type { LoadedModel } from '../method/model-file.js';
import { predictProbabilities } from '../method/predict.js';
import {
  averageFlipped,
  checkBatchSize,
  checkTta,
  flipColumns,
  labelVolume,
  type PredictVolumeOptions,
  type Predictor,
} from './predictor.js';

export { flipColumns, type PredictVolumeOptions, type TestTimeAugmentation } from './predictor.js';

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
  const { slices, geometry } = preprocessor.forwardImage(image, o.source ?? 'image');
  const depth = image.shape[0];
  const size = preprocessor.outputSize;
  const batch = checkBatchSize(o.batchSize ?? 20);
  const probs = predictProbabilities(net, slices, depth, size, batch);
  if (checkTta(o.tta ?? 'none') === 'flip') {
    const flipped = predictProbabilities(net, flipColumns(slices, size[1]), depth, size, batch);
    averageFlipped(probs, flipped, size[1]);
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
  return labelVolume(image, labels, o.keepLargest ?? model.keepLargest);
}

/** A LibTorch model as a {@link Predictor} (disposing it disposes the network). */
export function torchPredictor(model: LoadedModel): Predictor {
  return {
    engine: 'torch',
    preprocessor: model.preprocessor,
    classNames: model.classNames,
    numClasses: model.net.config.numClasses,
    keepLargest: model.keepLargest,
    probabilities: (slices, depth, size, batch) =>
      Promise.resolve(predictProbabilities(model.net, slices, depth, size, batch)),
    dispose: () => {
      model.net.dispose();
      return Promise.resolve();
    },
  };
}
