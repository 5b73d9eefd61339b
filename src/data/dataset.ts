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
 * A segmentation data set split for semi-supervised training. Training items may be 2-D slices
 * (volumes with D = 1, as in the SSL4MIS ACDC layout) or whole volumes; validation and test items
 * are whole volumes at native geometry.
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
