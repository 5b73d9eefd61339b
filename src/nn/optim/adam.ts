import { type Parameter, adamStep_, dispose } from '../../torch/index.js';
import { Optimizer } from './optimizer.js';

export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
}

/**
 * torch.optim.Adam (L2 weight decay added to the gradient, no amsgrad):
 *   m ← β1·m + (1−β1)·g,  v ← β2·v + (1−β2)·g²,
 *   θ ← θ − lr/(1−β1^t) · m / (√v/√(1−β2^t) + ε).
 * The update runs in one native call over all parameters.
 */
export class Adam extends Optimizer {
  readonly betas: [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  stepCount = 0;

  constructor(params: Parameter[], o: AdamOptions = {}) {
    super(params, o.lr ?? 1e-3);
    this.betas = o.betas ?? [0.9, 0.999];
    this.eps = o.eps ?? 1e-8;
    this.weightDecay = o.weightDecay ?? 0;
  }

  step(): void {
    const { idx, params, grads } = this.withGrads();
    const m = this.slot('exp_avg');
    const v = this.slot('exp_avg_sq');
    this.stepCount++;
    adamStep_(
      params,
      grads,
      idx.map((i) => m[i]),
      idx.map((i) => v[i]),
      {
        step: this.stepCount,
        lr: this.lr,
        beta1: this.betas[0],
        beta2: this.betas[1],
        eps: this.eps,
        weightDecay: this.weightDecay,
      },
    );
    dispose(grads);
  }

  protected scalars(): Record<string, number> {
    return { step: this.stepCount };
  }
  protected loadScalars(s: Record<string, number>): void {
    this.stepCount = s.step ?? 0;
  }
}
