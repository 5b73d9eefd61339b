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
 * As in PyTorch, t counts the steps of each parameter: one without a gradient is not updated
 * and its t does not advance, so a parameter that starts training late (e.g. a head unused until
 * a later stage, with the optimiser state carried over) gets its own bias correction. The update
 * runs in one native call per distinct t (one call in the usual case).
 */
export class Adam extends Optimizer {
  readonly betas: [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  /** Steps taken by each parameter (PyTorch's state[p]['step']). */
  readonly steps: number[];

  constructor(params: Parameter[], o: AdamOptions = {}) {
    super(params, o.lr ?? 1e-3);
    this.betas = o.betas ?? [0.9, 0.999];
    this.eps = o.eps ?? 1e-8;
    this.weightDecay = o.weightDecay ?? 0;
    this.steps = params.map(() => 0);
  }

  /** The largest step count of any parameter. */
  get stepCount(): number {
    return this.steps.reduce((a, b) => Math.max(a, b), 0);
  }

  step(): void {
    const { idx, params, grads } = this.withGrads();
    const m = this.slot('exp_avg');
    const v = this.slot('exp_avg_sq');
    const groups = new Map<number, number[]>();
    idx.forEach((i, k) => {
      const t = ++this.steps[i];
      groups.set(t, [...(groups.get(t) ?? []), k]);
    });
    for (const [t, ks] of groups) {
      adamStep_(
        ks.map((k) => params[k]),
        ks.map((k) => grads[k]),
        ks.map((k) => m[idx[k]]),
        ks.map((k) => v[idx[k]]),
        {
          step: t,
          lr: this.lr,
          beta1: this.betas[0],
          beta2: this.betas[1],
          eps: this.eps,
          weightDecay: this.weightDecay,
        },
      );
    }
    dispose(grads);
  }

  /** `step` (the largest, as older checkpoints stored it) and `step.<i>` per parameter. */
  protected scalars(): Record<string, number> {
    const s: Record<string, number> = { step: this.stepCount };
    this.steps.forEach((t, i) => (s[`step.${i}`] = t));
    return s;
  }
  protected loadScalars(s: Record<string, number>): void {
    this.steps.forEach((_, i) => (this.steps[i] = s[`step.${i}`] ?? s.step ?? 0));
  }
}
