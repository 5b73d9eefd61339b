import { type Parameter, type Tensor, keep, zerosLike } from '../../torch/index.js';

/** Serializable optimiser state: scalars plus named state tensors (e.g. `3.exp_avg`). */
export interface OptimizerState {
  scalars: Record<string, number>;
  tensors: Record<string, Tensor>;
}

/** Shared bookkeeping of torch.optim optimisers: parameters, learning rate, per-parameter state. */
export abstract class Optimizer {
  lr: number;
  protected readonly params: Parameter[];
  /** Per-parameter state tensors by slot name, created lazily on the first step. */
  protected readonly slots = new Map<string, Tensor[]>();

  constructor(params: Parameter[], lr: number) {
    if (!(lr >= 0)) throw new Error(`optimizer: invalid learning rate ${lr}`);
    this.params = params;
    this.lr = lr;
  }

  abstract step(): void;
  protected abstract scalars(): Record<string, number>;
  protected abstract loadScalars(s: Record<string, number>): void;

  zeroGrad(): void {
    for (const p of this.params) p.grad = null;
  }

  /** The slot tensors of a state name, zero-initialised for every parameter on first use. */
  protected slot(name: string): Tensor[] {
    let s = this.slots.get(name);
    if (!s) {
      s = this.params.map((p) => keep(zerosLike(p)));
      this.slots.set(name, s);
    }
    return s;
  }

  /** Parameters that have a gradient, with their indices (others are skipped, as in PyTorch). */
  protected withGrads(): { idx: number[]; params: Parameter[]; grads: Tensor[] } {
    const idx: number[] = [];
    const params: Parameter[] = [];
    const grads: Tensor[] = [];
    this.params.forEach((p, i) => {
      const g = p.grad;
      if (g) {
        idx.push(i);
        params.push(p);
        grads.push(g);
      }
    });
    return { idx, params, grads };
  }

  stateDict(): OptimizerState {
    const tensors: Record<string, Tensor> = {};
    for (const [name, ts] of this.slots) ts.forEach((t, i) => (tensors[`${i}.${name}`] = t));
    return { scalars: { lr: this.lr, ...this.scalars() }, tensors };
  }

  loadStateDict(state: OptimizerState): void {
    this.lr = state.scalars.lr ?? this.lr;
    this.loadScalars(state.scalars);
    const names = new Set(Object.keys(state.tensors).map((k) => k.slice(k.indexOf('.') + 1)));
    for (const name of names) {
      const s = this.slot(name);
      s.forEach((t, i) => {
        const src = state.tensors[`${i}.${name}`];
        if (!src) throw new Error(`optimizer state: missing ${i}.${name}`);
        if (src.shape.join() !== t.shape.join()) {
          throw new Error(
            `optimizer state: ${i}.${name} has shape [${src.shape}], expected [${t.shape}]`,
          );
        }
        t.copy_(src);
      });
    }
  }

  dispose(): void {
    for (const ts of this.slots.values()) for (const t of ts) t.dispose();
    this.slots.clear();
  }
}
