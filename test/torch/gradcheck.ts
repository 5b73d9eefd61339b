// Finite-difference gradient check of the engine's autograd (a small torch.autograd.gradcheck).
//
// For f: inputs -> output, the check takes a fixed random weight w shaped like the output and the
// scalar L = sum(w * f(inputs)); autograd's dL/dx (a vector-Jacobian product) is compared with
// central differences (L(x + eps e_j) - L(x - eps e_j)) / (2 eps) for every element j of every
// input, in float64.
import assert from 'node:assert/strict';
import * as torch from '../../src/torch/index.js';
import type { Tensor } from '../../src/torch/index.js';
import { Rng } from '../../src/util/rng.js';

export interface GradcheckOptions {
  /** Finite-difference step (default 1e-6). */
  eps?: number;
  /** Relative tolerance (default 1e-5) ... */
  rtol?: number;
  /** ... plus this absolute tolerance (default 1e-7). */
  atol?: number;
  /** Which inputs to differentiate (default: all). */
  wrt?: boolean[];
  /** Seed of the output weights (default 1). */
  seed?: number;
  /** Fail when every gradient is zero (default true: a disconnected graph is a bug). */
  nonzero?: boolean;
}

/**
 * Checks autograd's gradient of `fn` against central differences. `inputs` are float64 tensors;
 * they are copied, never modified. Throws an AssertionError naming the first bad elements.
 */
export function gradcheck(
  fn: (...xs: Tensor[]) => Tensor,
  inputs: Tensor[],
  o: GradcheckOptions = {},
): void {
  const eps = o.eps ?? 1e-6;
  const rtol = o.rtol ?? 1e-5;
  const atol = o.atol ?? 1e-7;
  const wrt = o.wrt ?? inputs.map(() => true);
  for (const x of inputs) assert.equal(x.dtype, 'float64', 'gradcheck: inputs must be float64');
  const shapes = inputs.map((x) => x.shape);
  const values = inputs.map((x) => Float64Array.from(x.data() as Float64Array));

  // Analytical: one backward pass of L.
  let weights: Float64Array | null = null;
  const analytic: Float64Array[] = torch.tidy(() => {
    const leaves = values.map((v, i) => {
      const t = torch.tensor(Float64Array.from(v), shapes[i]);
      return wrt[i] ? t.requiresGrad_() : t;
    });
    const out = fn(...leaves);
    assert.equal(out.dtype, 'float64', 'gradcheck: the output must be float64');
    const r = new Rng(o.seed ?? 1);
    weights = new Float64Array(out.numel);
    for (let i = 0; i < weights.length; i++) weights[i] = r.normal();
    const w = torch.tensor(weights, out.shape);
    out.mul(w).sum().backward();
    return leaves.map((l, i) => {
      const g = wrt[i] ? l.grad : null;
      if (g === null) return new Float64Array(values[i].length);
      assert.deepEqual(g.shape, shapes[i], `gradcheck: gradient ${i} shape`);
      return Float64Array.from(g.data() as Float64Array);
    });
  });

  // Numerical.
  const loss = (): number =>
    torch.tidy(() =>
      torch.noGrad(() => {
        const xs = values.map((v, i) => torch.tensor(Float64Array.from(v), shapes[i]));
        const out = fn(...xs);
        return out.mul(torch.tensor(weights!, out.shape)).sum().item();
      }),
    );
  const bad: string[] = [];
  let anyNonzero = false;
  for (let i = 0; i < inputs.length; i++) {
    if (!wrt[i]) continue;
    const v = values[i];
    for (let j = 0; j < v.length; j++) {
      const orig = v[j];
      v[j] = orig + eps;
      const lp = loss();
      v[j] = orig - eps;
      const lm = loss();
      v[j] = orig;
      const num = (lp - lm) / (2 * eps);
      const ana = analytic[i][j];
      if (num !== 0 || ana !== 0) anyNonzero = true;
      if (!(Math.abs(ana - num) <= atol + rtol * Math.abs(num)) && bad.length < 6) {
        bad.push(`input ${i} [${shapes[i]}] element ${j}: autograd ${ana}, numerical ${num}`);
      }
    }
  }
  assert.ok(bad.length === 0, `gradcheck: gradients differ: ${bad.join('; ')}`);
  if (o.nonzero ?? true) assert.ok(anyNonzero, 'gradcheck: every gradient is zero');
}
