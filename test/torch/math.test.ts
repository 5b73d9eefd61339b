// Elementwise math (broadcasting, scalars, dtype promotion), comparisons, reductions, linear
// algebra and in-place updates: values, dtypes and shapes against PyTorch.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as torch from '../../src/torch/index.js';
import {
  assertTensor,
  longT,
  parityTests,
  randintT,
  randnT,
  rng,
  uniformT,
  type ParityCase,
} from './helpers.js';

const r = rng(21);
const ab = () => ({ a: randnT(r, [2, 3, 4]), b: randnT(r, [3, 1]) });
const pos = () => ({ p: uniformT(r, [3, 4], 0.1, 4) });
const special = () => ({
  s: torch.tensor([
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    0,
    -0.5,
    2.5,
    -1.5,
    0.5,
  ]),
});
const ints = () => ({ i: randintT(r, [2, 4], -5, 6), j: randintT(r, [4], 1, 4) });

const cases: ParityCase[] = [
  // ---- arithmetic ----
  {
    name: 'add/sub/mul/div with broadcasting',
    inputs: ab,
    ours: ({ a, b }) => [a.add(b), a.sub(b), a.mul(b), a.div(b), b.sub(a)],
    py: '[a + b, a - b, a * b, a / b, b - a]',
  },
  {
    name: 'arithmetic with scalars',
    inputs: ab,
    ours: ({ a }) => [a.add(2), a.add(-0.5), a.sub(1.25), a.mul(3), a.div(4), a.rsub(1), a.neg()],
    py: '[a + 2, a - 0.5, a - 1.25, a * 3, a / 4, 1 - a, -a]',
  },
  {
    name: 'int64 with integer scalars stays int64; with fractional ones promotes to float32',
    inputs: ints,
    ours: ({ i }) => [
      i.add(1),
      i.sub(2),
      i.mul(3),
      i.mul(0.5),
      i.add(1.5),
      i.div(2),
      i.pow(2),
      i.remainder(3),
      i.neg(),
    ],
    py: '[i + 1, i - 2, i * 3, i * 0.5, i + 1.5, i / 2, i ** 2, i % 3, -i]',
  },
  {
    name: 'int64 with float tensors promotes to float32; int32 with int64 to int64',
    inputs: () => ({
      ...ints(),
      f: randnT(r, [4]),
      k: torch.tensor(Int32Array.from([1, 2, 3, 4])),
    }),
    ours: ({ i, f, k }) => [i.add(f), i.mul(f), k.add(i), k.mul(2), k.to('float64').add(f)],
    py: '[i + f, i * f, k + i, k * 2, k.double() + f]',
  },
  {
    name: 'remainder and division signs (Python semantics)',
    inputs: ints,
    ours: ({ i, j }) => [i.remainder(j), i.remainder(-3), i.to('float32').remainder(2.5), i.div(j)],
    py: '[torch.remainder(i, j), torch.remainder(i, -3), torch.remainder(i.float(), 2.5), i / j]',
  },
  {
    name: 'pow (scalar, tensor, broadcast)',
    inputs: () => ({ ...pos(), e: randnT(r, [4]) }),
    ours: ({ p, e }) => [p.pow(2), p.pow(0.5), p.pow(-1.5), p.pow(e), p.pow(0)],
    py: '[p ** 2, p ** 0.5, p ** -1.5, p ** e, p ** 0]',
  },
  {
    name: 'float64 stays float64; float32 with float64 tensors promotes',
    inputs: () => ({ d: randnT(r, [3], { dtype: 'float64' }), f: randnT(r, [3]) }),
    ours: ({ d, f }) => [d.mul(2.5), d.add(f), f.add(d), d.exp()],
    py: '[d * 2.5, d + f, f + d, d.exp()]',
  },
  // ---- unary ----
  {
    name: 'exp/log/sqrt/log1p/rsqrt/reciprocal/square',
    inputs: pos,
    ours: ({ p }) => [p.exp(), p.log(), p.sqrt(), p.log1p(), p.rsqrt(), p.reciprocal(), p.square()],
    py: '[p.exp(), p.log(), p.sqrt(), p.log1p(), p.rsqrt(), p.reciprocal(), p.square()]',
  },
  {
    name: 'abs/sign/floor/ceil/round (half to even)',
    inputs: special,
    ours: ({ s }) => [s.abs(), s.sign(), s.floor(), s.ceil(), s.round()],
    py: '[s.abs(), s.sign(), s.floor(), s.ceil(), s.round()]',
  },
  {
    name: 'sigmoid/tanh/sin/cos/relu',
    inputs: ab,
    ours: ({ a }) => [a.sigmoid(), a.tanh(), a.sin(), a.cos(), a.relu()],
    py: '[a.sigmoid(), a.tanh(), a.sin(), a.cos(), a.relu()]',
  },
  {
    name: 'log/sqrt of zero and negatives give -inf/NaN',
    inputs: special,
    ours: ({ s }) => [s.log(), s.sqrt(), s.exp()],
    py: '[s.log(), s.sqrt(), s.exp()]',
  },
  {
    name: 'isnan/isfinite',
    inputs: special,
    ours: ({ s }) => [s.isnan(), s.isfinite()],
    py: '[s.isnan(), s.isfinite()]',
  },
  {
    name: 'clamp (both, min only, max only, on int64)',
    inputs: () => ({ ...ab(), ...ints() }),
    ours: ({ a, i }) => [
      a.clamp(-0.5, 0.5),
      a.clamp(0.1),
      a.clamp(null, -0.2),
      a.clampMin(0),
      i.clamp(-2, 3),
      i.clamp(0.5, 2),
    ],
    py: '[a.clamp(-0.5, 0.5), a.clamp(min=0.1), a.clamp(max=-0.2), a.clamp_min(0), i.clamp(-2, 3), i.clamp(0.5, 2)]',
  },
  {
    name: 'maximum/minimum/lerp',
    inputs: () => ({ a: randnT(r, [3, 4]), b: randnT(r, [4]) }),
    ours: ({ a, b }) => [a.maximum(b), a.minimum(b), a.lerp(b.expand(3, 4), 0.25)],
    py: '[torch.maximum(a, b), torch.minimum(a, b), torch.lerp(a, b.expand(3, 4), 0.25)]',
  },
  // ---- comparisons and logic ----
  {
    name: 'comparisons with tensors (broadcast) and scalars',
    inputs: ab,
    ours: ({ a, b }) => [a.eq(b), a.ne(a), a.lt(b), a.le(0), a.gt(0.25), a.ge(b), a.eq(a)],
    py: '[a == b, a != a, a < b, a <= 0, a > 0.25, a >= b, a == a]',
  },
  {
    name: 'comparisons on int64 and NaN',
    inputs: () => ({ ...ints(), ...special() }),
    ours: ({ i, s }) => [i.eq(2), i.gt(-1), s.eq(s), s.ne(s), s.lt(1)],
    py: '[i == 2, i > -1, s == s, s != s, s < 1]',
  },
  {
    name: 'logical and/or/xor/not',
    inputs: () => ({ a: randnT(r, [6]), b: randnT(r, [6]) }),
    ours: ({ a, b }) => {
      const p = a.gt(0);
      const q = b.gt(0);
      return [p.logicalAnd(q), p.logicalOr(q), p.logicalXor(q), p.logicalNot(), a.logicalNot()];
    },
    py: 'p = a > 0\nq = b > 0\nout = [p & q, p | q, p ^ q, ~p, torch.logical_not(a)]',
  },
  // ---- reductions ----
  {
    name: 'sum (all, dim, dims, keepdim, negative dim)',
    inputs: ab,
    ours: ({ a }) => [a.sum(), a.sum(1), a.sum([0, 2]), a.sum(-1, true), a.sum([0, 1], true)],
    py: '[a.sum(), a.sum(1), a.sum((0, 2)), a.sum(-1, keepdim=True), a.sum((0, 1), keepdim=True)]',
  },
  {
    name: 'sum dtypes (bool and int32 to int64, explicit float64)',
    inputs: () => ({ ...ab(), k: torch.tensor(Int32Array.from([1, 2, 3])) }),
    ours: ({ a, k }) => [
      a.gt(0).sum(),
      k.sum(),
      a.sum(undefined, false, 'float64'),
      a.gt(0).sum(1),
    ],
    py: '[(a > 0).sum(), k.sum(), a.sum(dtype=torch.float64), (a > 0).sum(1)]',
  },
  {
    name: 'mean (all, dim, keepdim)',
    inputs: ab,
    ours: ({ a }) => [a.mean(), a.mean(0), a.mean([1, 2], true), a.mean(-2)],
    py: '[a.mean(), a.mean(0), a.mean((1, 2), keepdim=True), a.mean(-2)]',
  },
  {
    name: 'max/min (all; values and indices along dims, keepdim)',
    inputs: ab,
    ours: ({ a }) => {
      const m1 = a.max(1);
      const m2 = a.min(-1, true);
      const m3 = a.max(0, true);
      return [
        a.max(),
        a.min(),
        m1.values,
        m1.indices,
        m2.values,
        m2.indices,
        m3.values,
        m3.indices,
      ];
    },
    py: 'm1 = a.max(1)\nm2 = a.min(-1, keepdim=True)\nm3 = a.max(0, keepdim=True)\nout = [a.max(), a.min(), m1.values, m1.indices, m2.values, m2.indices, m3.values, m3.indices]',
  },
  {
    name: 'argmax/argmin (flat, dim, keepdim)',
    inputs: ab,
    ours: ({ a }) => [a.argmax(), a.argmin(), a.argmax(1), a.argmin(2, true), a.argmax(-1)],
    py: '[a.argmax(), a.argmin(), a.argmax(1), a.argmin(2, keepdim=True), a.argmax(-1)]',
  },
  {
    name: 'max/argmax on int64',
    inputs: ints,
    ours: ({ i }) => [i.max(), i.max(1).values, i.argmax(0)],
    py: '[i.max(), i.max(1).values, i.argmax(0)]',
  },
  {
    name: 'logsumexp, var, norm, prod, cumsum',
    inputs: ab,
    ours: ({ a }) => [
      a.logsumexp(1),
      a.logsumexp([0, 2], true),
      a.var(),
      a.var(1),
      a.var([0, 2], true, 0),
      a.norm(),
      a.norm(1, 2),
      a.norm(2, [0, 1], true),
      a.slice(2, 0, 1).prod(),
      a.cumsum(2),
    ],
    py:
      '[a.logsumexp(1), a.logsumexp((0, 2), keepdim=True), a.var(), a.var(1), a.var((0, 2), keepdim=True, unbiased=False), ' +
      'a.norm(), a.norm(1, 2), a.norm(2, (0, 1), keepdim=True), a[:, :, 0:1].prod(), a.cumsum(2)]',
  },
  {
    name: 'any/all, sort, topk, quantile',
    inputs: ab,
    ours: ({ a }) => {
      const s = a.sort(1);
      const sd = a.sort(-1, true);
      const tk = a.topk(2);
      const tks = a.topk(2, 1, false);
      return [
        a.gt(0).any(),
        a.gt(-10).all(),
        a.gt(0).all(),
        s.values,
        s.indices,
        sd.values,
        sd.indices,
        tk.values,
        tk.indices,
        tks.values,
        tks.indices,
        a.quantile(0.3),
        a.quantile(0.75, 2),
        a.quantile(0.5, 1, true),
      ];
    },
    py:
      's = a.sort(1)\nsd = a.sort(-1, descending=True)\ntk = a.topk(2)\ntks = a.topk(2, 1, largest=False)\n' +
      'out = [(a > 0).any(), (a > -10).all(), (a > 0).all(), s.values, s.indices, sd.values, sd.indices, tk.values, ' +
      'tk.indices, tks.values, tks.indices, a.quantile(0.3), a.quantile(0.75, 2), a.quantile(0.5, 1, keepdim=True)]',
  },
  // ---- linear algebra ----
  {
    name: 'matmul (2-D, batched, broadcast, vector)',
    inputs: () => ({
      m: randnT(r, [3, 4]),
      n: randnT(r, [4, 5]),
      b3: randnT(r, [2, 3, 4]),
      v: randnT(r, [4]),
    }),
    ours: ({ m, n, b3, v }) => [
      m.matmul(n),
      b3.matmul(n),
      m.matmul(v),
      v.matmul(n),
      v.matmul(v),
      b3.matmul(b3.transpose(1, 2)),
    ],
    py: '[m @ n, b3 @ n, m @ v, v @ n, v @ v, b3 @ b3.transpose(1, 2)]',
  },
  {
    name: 'matmul float64',
    inputs: () => ({
      m: randnT(r, [3, 4], { dtype: 'float64' }),
      n: randnT(r, [4, 2], { dtype: 'float64' }),
    }),
    ours: ({ m, n }) => m.matmul(n),
    py: 'm @ n',
  },
  {
    name: 'einsum',
    inputs: () => ({ m: randnT(r, [3, 4]), n: randnT(r, [4, 5]), c: randnT(r, [2, 3, 4]) }),
    ours: ({ m, n, c }) => [
      torch.einsum('ij,jk->ik', m, n),
      torch.einsum('bij->bj', c),
      torch.einsum('ij,ij->', m, m),
    ],
    py: "[torch.einsum('ij,jk->ik', m, n), torch.einsum('bij->bj', c), torch.einsum('ij,ij->', m, m)]",
  },
  // ---- in place ----
  {
    name: 'in-place arithmetic (add_ with alpha, sub_, mul_, div_ with broadcasting)',
    inputs: ab,
    ours: ({ a, b }) => {
      const t = a.clone();
      t.add_(b, -0.5).mul_(b).sub_(0.25).div_(b.abs().add(1)).add_(3);
      return t;
    },
    py: 't = a.clone()\nt.add_(b, alpha=-0.5).mul_(b).sub_(0.25).div_(b.abs() + 1).add_(3)\nout = t',
  },
  {
    name: 'in-place addcmul_/addcdiv_/clamp_/relu_/sqrt_/maskedFill_/fill_/zero_/copy_',
    inputs: ab,
    ours: ({ a, b }) => {
      const t = a.clone().addcmul_(a, a, 0.5).addcdiv_(a, a.abs().add(1), -2).clamp_(-1, 1.5);
      const u = a.clone().relu_().sqrt_();
      const m = a.clone().maskedFill_(a.lt(0), 7);
      const f = a.clone().fill_(-3);
      const z = a.clone().zero_();
      const c = a.clone().copy_(b);
      return [t, u, m, f, z, c];
    },
    py:
      't = a.clone().addcmul_(a, a, value=0.5).addcdiv_(a, a.abs() + 1, value=-2).clamp_(-1, 1.5)\n' +
      'u = a.clone().relu_().sqrt_()\nm = a.clone().masked_fill_(a < 0, 7)\nf = a.clone().fill_(-3)\n' +
      'z = a.clone().zero_()\nc = a.clone().copy_(b)\nout = [t, u, m, f, z, c]',
  },
  {
    name: 'in-place on int64 and copy_ converting dtype',
    inputs: () => ({ ...ints(), f: randnT(r, [2, 4], { scale: 3 }) }),
    ours: ({ i, f }) => [i.clone().add_(2).mul_(3), i.clone().copy_(f), f.clone().copy_(i)],
    py: '[i.clone().add_(2).mul_(3), i.clone().copy_(f), f.clone().copy_(i)]',
  },
];

describe('math: values against PyTorch', () => {
  parityTests(cases, { before, it });
});

describe('math: semantics', () => {
  it('in-place ops return the same object', () => {
    torch.tidy(() => {
      const t = torch.zeros([2]);
      assert.equal(t.add_(1), t);
      assert.equal(t.mul_(2).sub_(1).div_(2).fill_(3).zero_().clamp_(0, 1).relu_().sqrt_(), t);
    });
  });
  it('integer division by zero is an error, float division gives inf', () => {
    torch.tidy(() => {
      assertTensor(torch.tensor([1, -1, 0]).div(0), [3], [Infinity, -Infinity, NaN]);
      assertTensor(longT([1, -1]).div(0), [2], [Infinity, -Infinity], { dtype: 'float32' });
      assert.throws(() => longT([1]).remainder(0), /remainder: ZeroDivisionError/);
    });
  });
});
