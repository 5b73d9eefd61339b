import { type DType, Parameter, Tensor, keep, noGrad } from '../torch/index.js';

/**
 * Base class of every layer and network (torch.nn.Module): owns parameters, buffers and
 * submodules by name, switches between training and evaluation, and saves/loads state dicts.
 * Names follow PyTorch (`conv.weight`, `bn.running_mean`) so state dicts interoperate.
 */
export abstract class Module {
  training = true;
  private readonly params = new Map<string, Parameter>();
  private readonly buffers = new Map<string, Tensor>();
  private readonly children = new Map<string, Module>();

  protected registerParameter(name: string, value: Tensor, requiresGrad = true): Parameter {
    const p = new Parameter(value, requiresGrad);
    value.dispose();
    this.params.set(name, p);
    return p;
  }

  protected registerBuffer(name: string, value: Tensor): Tensor {
    this.buffers.set(name, keep(value));
    return value;
  }

  protected registerModule<M extends Module>(name: string, module: M): M {
    this.children.set(name, module);
    return module;
  }

  namedChildren(): Array<[string, Module]> {
    return [...this.children.entries()];
  }

  /** This module and every submodule, depth first (torch.nn.Module.modules). */
  modules(): Module[] {
    return [this, ...[...this.children.values()].flatMap((m) => m.modules())];
  }

  /** Every parameter with its dotted name, in registration order (depth first). */
  namedParameters(prefix = ''): Array<[string, Parameter]> {
    const out: Array<[string, Parameter]> = [];
    for (const [n, p] of this.params) out.push([prefix + n, p]);
    for (const [n, m] of this.children) out.push(...m.namedParameters(`${prefix}${n}.`));
    return out;
  }

  parameters(): Parameter[] {
    return this.namedParameters().map(([, p]) => p);
  }

  namedBuffers(prefix = ''): Array<[string, Tensor]> {
    const out: Array<[string, Tensor]> = [];
    for (const [n, b] of this.buffers) out.push([prefix + n, b]);
    for (const [n, m] of this.children) out.push(...m.namedBuffers(`${prefix}${n}.`));
    return out;
  }

  /** Total number of parameter elements. */
  numParameters(): number {
    return this.parameters().reduce((s, p) => s + p.numel, 0);
  }

  train(mode = true): this {
    this.training = mode;
    for (const m of this.children.values()) m.train(mode);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Clears every parameter's gradient (set to none, as PyTorch's default). */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /** Parameters and buffers by name. The tensors are the module's own (no copy). */
  stateDict(): Record<string, Tensor> {
    const sd: Record<string, Tensor> = {};
    for (const [n, p] of this.namedParameters()) sd[n] = p;
    for (const [n, b] of this.namedBuffers()) sd[n] = b;
    return sd;
  }

  /**
   * Copies values from a state dict into the module's tensors. With `strict`, missing or
   * unexpected keys are errors; a shape mismatch always is. Returns the keys that were absent.
   */
  loadStateDict(
    sd: Record<string, Tensor>,
    strict = true,
  ): { missing: string[]; unexpected: string[] } {
    const own = this.stateDict();
    const missing = Object.keys(own).filter((k) => !(k in sd));
    const unexpected = Object.keys(sd).filter((k) => !(k in own));
    if (strict && (missing.length > 0 || unexpected.length > 0)) {
      throw new Error(
        `loadStateDict: missing keys [${missing.join(', ')}], unexpected keys [${unexpected.join(', ')}]`,
      );
    }
    noGrad(() => {
      for (const [k, t] of Object.entries(own)) {
        const src = sd[k];
        if (!src) continue;
        if (src.shape.join() !== t.shape.join()) {
          throw new Error(
            `loadStateDict: ${k} has shape [${src.shape}] but the module expects [${t.shape}]`,
          );
        }
        t.copy_(src);
      }
    });
    return { missing, unexpected };
  }

  /** The device of the first parameter ('cpu' for a module without parameters). */
  get device(): string {
    return (
      this.params.values().next().value?.device ??
      this.children.values().next().value?.device ??
      'cpu'
    );
  }

  /** Moves every parameter and buffer to a device (and/or dtype) in place, like Module.to. */
  to(device: string, dtype?: DType): this {
    noGrad(() => {
      for (const t of [...this.parameters(), ...this.namedBuffers().map(([, b]) => b)]) {
        const moved = t.to(dtype ?? null, device);
        t.setData_(moved);
        moved.dispose();
      }
    });
    return this;
  }

  /** Releases every parameter and buffer. */
  dispose(): void {
    for (const p of this.parameters()) p.dispose();
    for (const [, b] of this.namedBuffers()) b.dispose();
  }
}
