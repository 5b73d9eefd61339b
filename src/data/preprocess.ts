import { InputError } from '../errors.js';
import type { Volume } from '../io/volume.js';
import { type AxisWindow, centreWindow, cropOrPadSlice, uncropSlice } from './crop-pad.js';
import { type IntensityWindow, applyWindow, percentileWindow } from './intensity.js';
import {
  type AxisTaps,
  type InterpolationOrder,
  alignedTaps,
  gridTaps,
  rescaledSize,
  resampleSlice,
} from './resample.js';

/**
 * The paper's offline preprocessing (method.md E.1 steps 2-4): percentile normalisation of the
 * native volume, in-plane rescaling of every slice to a target pixel size (skimage rescale: order 1
 * for images, 0 for labels, mode 'constant', no anti-aliasing), then centre crop or zero-pad.
 * Without spacing in the volume the rescaling is skipped (scale 1).
 */
export interface SpacingConfig {
  mode: 'spacing';
  /** Target in-plane pixel size [row, column] in mm, e.g. ACDC [1.36719, 1.36719]. */
  targetSpacing: readonly [number, number];
  /** Output in-plane size [rows, columns] after crop/pad, e.g. ACDC [192, 192]. */
  cropSize: readonly [number, number];
  /** Percentiles [lower, upper] of the intensity window; null: no normalisation. Default [1, 99]. */
  percentiles?: readonly [number, number] | null;
  /** How probabilities return to native geometry (see {@link InverseMode}). Default 'linear'. */
  inverse?: InverseMode;
}

/**
 * The SSL4MIS 2-D protocol: every slice is zoomed to a fixed size with scipy.ndimage.zoom
 * (corner-aligned, order 0 for images and labels in SSL4MIS's RandomGenerator and
 * test_single_volume), whatever its spacing.
 */
export interface ResizeConfig {
  mode: 'resize';
  /** Output in-plane size [rows, columns], e.g. SSL4MIS ACDC [256, 256]. */
  size: readonly [number, number];
  /** Image interpolation order; labels always use 0. Default 0 (SSL4MIS). */
  imageOrder?: InterpolationOrder;
  /** Percentiles of the intensity window; default null (SSL4MIS data are already normalised). */
  percentiles?: readonly [number, number] | null;
  /** How probabilities return to native geometry. Default 'nearest' (SSL4MIS). */
  inverse?: InverseMode;
}

export type PreprocessConfig = SpacingConfig | ResizeConfig;

/**
 * - 'linear': undo the crop/pad (zero probability outside), resample every class's probabilities
 *   with order 1 to the native size, then argmax (method.md G step 2).
 * - 'nearest': argmax at network resolution, undo the crop/pad (background outside), resample the
 *   label map with order 0 (SSL4MIS test_single_volume).
 * Ties in the argmax go to the lowest class index, like numpy.argmax.
 */
export type InverseMode = 'linear' | 'nearest';

/** Everything needed to map network-space slices of one volume back to its native geometry. */
export interface Geometry {
  /** Native shape [D, H, W]. */
  readonly nativeShape: readonly [number, number, number];
  /** In-plane size after resampling, before crop/pad. */
  readonly resampledSize: readonly [number, number];
  /** Crop/pad windows of the row and column axes (identity in resize mode). */
  readonly rows: AxisWindow;
  readonly cols: AxisWindow;
  /** Intensity window applied to the image, or null when normalisation is off. */
  readonly window: IntensityWindow | null;
}

/** Network-space slices of one volume: D x S_h x S_w floats, C order. */
export interface PreprocessedImage {
  slices: Float32Array;
  geometry: Geometry;
}

/** Maps volumes into network space and predictions back; built once from a config. */
export class Preprocessor {
  /** Output in-plane size [S_h, S_w]. */
  readonly outputSize: readonly [number, number];
  readonly config: Readonly<PreprocessConfig>;
  private readonly imageOrder: InterpolationOrder;
  private readonly inverse: InverseMode;
  private readonly percentiles: readonly [number, number] | null;

  constructor(config: PreprocessConfig) {
    this.config = config;
    if (config.mode === 'spacing') {
      checkSize(config.cropSize, 'preprocess.cropSize');
      if (!config.targetSpacing.every((s) => Number.isFinite(s) && s > 0)) {
        throw new InputError('must be two positive numbers', 'preprocess.targetSpacing');
      }
      this.outputSize = [config.cropSize[0], config.cropSize[1]];
      this.imageOrder = 1;
      this.inverse = config.inverse ?? 'linear';
      this.percentiles = config.percentiles === undefined ? [1, 99] : config.percentiles;
    } else if (config.mode === 'resize') {
      checkSize(config.size, 'preprocess.size');
      this.outputSize = [config.size[0], config.size[1]];
      this.imageOrder = config.imageOrder ?? 0;
      this.inverse = config.inverse ?? 'nearest';
      this.percentiles = config.percentiles ?? null;
    } else {
      throw new InputError(`unknown mode ${(config as { mode: unknown }).mode}`, 'preprocess.mode');
    }
    const p = this.percentiles;
    if (p && !(p.length === 2 && p[0] >= 0 && p[0] < p[1] && p[1] <= 100)) {
      throw new InputError('must satisfy 0 <= lower < upper <= 100', 'preprocess.percentiles');
    }
    if (this.imageOrder !== 0 && this.imageOrder !== 1) {
      throw new InputError(`must be 0 or 1, got ${this.imageOrder}`, 'preprocess.imageOrder');
    }
    if (this.inverse !== 'linear' && this.inverse !== 'nearest') {
      throw new InputError(
        `must be 'linear' or 'nearest', got ${this.inverse}`,
        'preprocess.inverse',
      );
    }
  }

  /** Normalises, resamples and crops an image volume; returns the slices and their geometry. */
  forwardImage(volume: Volume, source = 'image'): PreprocessedImage {
    const [depth, height, width] = checkVolume(volume, source);
    for (let i = 0; i < volume.data.length; i++) {
      if (!Number.isFinite(volume.data[i])) throw new InputError('non-finite voxel value', source);
    }
    const window = this.percentiles
      ? percentileWindow(volume.data, this.percentiles[0], this.percentiles[1])
      : null;
    const values = window ? applyWindow(volume.data, window) : volume.data;
    const resampledSize = this.resampledSize(volume);
    const geometry: Geometry = {
      nativeShape: [depth, height, width],
      resampledSize,
      rows: centreWindow(resampledSize[0], this.outputSize[0]),
      cols: centreWindow(resampledSize[1], this.outputSize[1]),
      window,
    };
    const slices = new Float32Array(depth * this.outputSize[0] * this.outputSize[1]);
    this.forwardSlices(values, geometry, this.imageOrder, slices);
    return { slices, geometry };
  }

  /** Resamples (order 0) and crops a label volume with the geometry of its image. */
  forwardLabel(volume: Volume, geometry: Geometry, source = 'label'): Uint8Array {
    const shape = checkVolume(volume, source);
    if (shape.some((n, i) => n !== geometry.nativeShape[i])) {
      throw new InputError(
        `label shape [${shape}] differs from image shape [${geometry.nativeShape}]`,
        source,
      );
    }
    for (let i = 0; i < volume.data.length; i++) {
      const v = volume.data[i];
      if (!(Number.isInteger(v) && v >= 0 && v <= 255)) {
        throw new InputError(`label value ${v} is not an integer in 0..255`, source);
      }
    }
    const out = new Uint8Array(geometry.nativeShape[0] * this.outputSize[0] * this.outputSize[1]);
    this.forwardSlices(volume.data, geometry, 0, out);
    return out;
  }

  /**
   * Maps per-class probabilities (D x C x S_h x S_w, C order) back to a native [D, H, W] label map
   * with this preprocessor's inverse mode.
   */
  inverseProbabilities(probs: Float32Array, geometry: Geometry): Uint8Array {
    const [depth] = geometry.nativeShape;
    const plane = this.outputSize[0] * this.outputSize[1];
    const classes = probs.length / (depth * plane);
    if (!Number.isInteger(classes) || classes < 1 || classes > 256) {
      throw new InputError(
        `probabilities of length ${probs.length} are not D x C x ${this.outputSize.join(' x ')}` +
          ` with D = ${depth} and 1 <= C <= 256`,
        'predictions',
      );
    }
    return this.inverse === 'linear'
      ? this.inverseLinear(probs, classes, geometry)
      : this.inverseNearest(probs, classes, geometry);
  }

  private resampledSize(volume: Volume): [number, number] {
    const [, height, width] = volume.shape;
    if (this.config.mode === 'resize') return [this.outputSize[0], this.outputSize[1]];
    if (!volume.spacing) return [height, width];
    const [, sy, sx] = volume.spacing;
    const [ty, tx] = this.config.targetSpacing;
    return [rescaledSize(height, sy / ty), rescaledSize(width, sx / tx)];
  }

  /** Interpolation taps of one axis in this mode's coordinate convention. */
  private taps(inSize: number, outSize: number, order: InterpolationOrder): AxisTaps {
    return this.config.mode === 'spacing'
      ? gridTaps(inSize, outSize, order)
      : alignedTaps(inSize, outSize, order);
  }

  private forwardSlices(
    values: ArrayLike<number>,
    geometry: Geometry,
    order: InterpolationOrder,
    out: Float32Array | Uint8Array,
  ): void {
    const [depth, height, width] = geometry.nativeShape;
    const [rh, rw] = geometry.resampledSize;
    const rowTaps = this.taps(height, rh, order);
    const colTaps = this.taps(width, rw, order);
    const resampled =
      out instanceof Uint8Array ? new Uint8Array(rh * rw) : new Float32Array(rh * rw);
    const plane = this.outputSize[0] * this.outputSize[1];
    for (let d = 0; d < depth; d++) {
      resampleSlice(values, d * height * width, rowTaps, colTaps, resampled, 0);
      cropOrPadSlice(resampled, 0, geometry.rows, geometry.cols, out, d * plane);
    }
  }

  private inverseLinear(probs: Float32Array, classes: number, geometry: Geometry): Uint8Array {
    const [depth, height, width] = geometry.nativeShape;
    const [rh, rw] = geometry.resampledSize;
    const rowTaps = this.taps(rh, height, 1);
    const colTaps = this.taps(rw, width, 1);
    const plane = this.outputSize[0] * this.outputSize[1];
    const nativePlane = height * width;
    const canvas = new Float64Array(rh * rw);
    const native = new Float64Array(classes * nativePlane);
    const out = new Uint8Array(depth * nativePlane);
    for (let d = 0; d < depth; d++) {
      for (let c = 0; c < classes; c++) {
        uncropSlice(probs, (d * classes + c) * plane, geometry.rows, geometry.cols, canvas, 0);
        resampleSlice(canvas, 0, rowTaps, colTaps, native, c * nativePlane);
      }
      argmaxInto(native, classes, nativePlane, out, d * nativePlane);
    }
    return out;
  }

  private inverseNearest(probs: Float32Array, classes: number, geometry: Geometry): Uint8Array {
    const [depth, height, width] = geometry.nativeShape;
    const [rh, rw] = geometry.resampledSize;
    const rowTaps = this.taps(rh, height, 0);
    const colTaps = this.taps(rw, width, 0);
    const plane = this.outputSize[0] * this.outputSize[1];
    const labels = new Uint8Array(plane);
    const canvas = new Uint8Array(rh * rw);
    const out = new Uint8Array(depth * height * width);
    for (let d = 0; d < depth; d++) {
      argmaxInto(
        probs.subarray(d * classes * plane, (d + 1) * classes * plane),
        classes,
        plane,
        labels,
        0,
      );
      uncropSlice(labels, 0, geometry.rows, geometry.cols, canvas, 0);
      resampleSlice(canvas, 0, rowTaps, colTaps, out, d * height * width);
    }
    return out;
  }
}

/** out[offset + p] = argmax_c scores[c * plane + p], the first maximum on ties. */
function argmaxInto(
  scores: ArrayLike<number>,
  classes: number,
  plane: number,
  out: Uint8Array,
  offset: number,
): void {
  for (let p = 0; p < plane; p++) {
    let best = 0;
    let bestScore = scores[p];
    for (let c = 1; c < classes; c++) {
      const s = scores[c * plane + p];
      if (s > bestScore) {
        bestScore = s;
        best = c;
      }
    }
    out[offset + p] = best;
  }
}

function checkSize(size: readonly number[], field: string): void {
  if (size.length !== 2 || !size.every((n) => Number.isInteger(n) && n >= 1)) {
    throw new InputError(`must be two positive integers, got [${size}]`, field);
  }
}

function checkVolume(volume: Volume, source: string): [number, number, number] {
  const [d, h, w] = volume.shape;
  if (![d, h, w].every((n) => Number.isInteger(n) && n >= 1) || volume.data.length !== d * h * w) {
    throw new InputError(
      `shape [${volume.shape}] does not match ${volume.data.length} voxels`,
      source,
    );
  }
  if (volume.spacing && !volume.spacing.every((s) => Number.isFinite(s) && s > 0)) {
    throw new InputError(`invalid spacing [${volume.spacing}]`, source);
  }
  return [d, h, w];
}
