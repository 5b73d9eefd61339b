import { type Parameter, dispose, sgdStep_ } from '../../torch/index.js';
import { Optimizer } from './optimizer.js';

export interface SGDOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
}

/**
 * torch.optim.SGD: d = g + wd·θ; b ← μ·b + (1−dampening)·d (b = d on the first step);
 * θ ← θ − lr·(nesterov ? d + μ·b : b). SSL4MIS uses lr 0.01, momentum 0.9, weight decay 1e-4.
 */
export class SGD extends Optimizer {
  readonly momentum: number;
  readonly dampening: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;
  private started = false;

  constructor(params: Parameter[], o: SGDOptions) {
    super(params, o.lr);
    this.momentum = o.momentum ?? 0;
    this.dampening = o.dampening ?? 0;
    this.weightDecay = o.weightDecay ?? 0;
    this.nesterov = o.nesterov ?? false;
  }

  step(): void {
    const { idx, params, grads } = this.withGrads();
    const buf = this.slot('momentum_buffer');
    sgdStep_(
      params,
      grads,
      idx.map((i) => buf[i]),
      {
        first: !this.started,
        lr: this.lr,
        momentum: this.momentum,
        dampening: this.dampening,
        weightDecay: this.weightDecay,
        nesterov: this.nesterov,
      },
    );
    this.started = true;
    dispose(grads);
  }

  protected scalars(): Record<string, number> {
    return { started: this.started ? 1 : 0 };
  }
  protected loadScalars(s: Record<string, number>): void {
    this.started = s.started === 1;
  }
}
