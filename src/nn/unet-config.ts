// The UNet configuration on its own (no tensor engine): model metadata readers and the browser
// page of `contraseg view` import it without loading LibTorch.

/** Configuration of the paper's UNet (method.md B). */
export interface UNetConfig {
  inChannels: number;
  numClasses: number;
  /** Filters per encoder level; the last is the bottleneck. The paper: 16/32/64/128/128/128. */
  filters: number[];
  /** Width of the per-pixel embedding of the contrastive head. */
  embeddingDim: number;
  bnEps: number;
  /** PyTorch momentum; TF's EMA decay 0.99 is 0.01. */
  bnMomentum: number;
}

export const paperUNetConfig: UNetConfig = {
  inChannels: 1,
  numClasses: 4,
  filters: [16, 32, 64, 128, 128, 128],
  embeddingDim: 16,
  bnEps: 1e-3,
  bnMomentum: 0.01,
};
