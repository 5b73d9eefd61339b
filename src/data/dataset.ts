import type { Volume } from '../io/volume.js';

/** An unlabeled case: an image only. There is deliberately no way to reach a label from it. */
export interface Case {
  id: string;
  image: Volume;
}

/** A labeled case: image and integer label map of the same shape (values 0..C-1). */
export interface LabeledCase extends Case {
  label: Volume;
}

/**
 * A segmentation data set split for semi-supervised training. Every item is a whole volume at
 * native geometry: sources that store 2-D slices (the SSL4MIS ACDC layout, PNG slices) stack them
 * back into their volumes, so that per-volume preprocessing (percentile normalisation) treats
 * training, validation and test volumes alike. Trainers pool the slices of the training volumes.
 */
export interface SegmentationDataset {
  readonly name: string;
  /** Class names, background first; the number of classes C is their count. */
  readonly classNames: readonly string[];
  labeledTrain(): Promise<LabeledCase[]>;
  unlabeledTrain(): Promise<Case[]>;
  validation(): Promise<LabeledCase[]>;
  test(): Promise<LabeledCase[]>;
  /**
   * The withheld labels of the unlabeled training cases, in unlabeledTrain() order, where the
   * source has them (phantom, ACDC, PROMISE12 PNG slices). For diagnosing pseudo-label quality only: no
   * trainer calls it.
   */
  withheldLabels?(): Promise<LabeledCase[]>;
}
