// Views, indexing, joining and splitting: values, dtypes and shapes against PyTorch, plus the view
// semantics PyTorch has (views share memory with their base).
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as torch from '../../src/torch/index.js';
import {
  assertTensor,
  boolT,
  longT,
  parityTests,
  randintT,
  randnT,
  rng,
  type ParityCase,
} from './helpers.js';

const r = rng(11);
const x234 = () => randnT(r, [2, 3, 4]);

const cases: ParityCase[] = [
  {
    name: 'reshape',
    inputs: () => ({ x: x234() }),
    ours: ({ x }) => x.reshape(4, 6),
    py: 'x.reshape(4, 6)',
  },
  {
    name: 'reshape (-1)',
    inputs: () => ({ x: x234() }),
    ours: ({ x }) => x.reshape(-1, 3),
    py: 'x.reshape(-1, 3)',
  },
  {
    name: 'reshape of a non-contiguous tensor',
    inputs: () => ({ x: x234() }),
    ours: ({ x }) => x.transpose(0, 2).reshape(6, 4),
    py: 'x.transpose(0, 2).reshape(6, 4)',
  },
  {
    name: 'view',
    inputs: () => ({ x: x234() }),
    ours: ({ x }) => x.view(2, 12),
    py: 'x.view(2, 12)',
  },
  {
    name: 'permute',
    inputs: () => ({ x: x234() }),
    ours: ({ x }) => x.permute(2, 0, 1),
    py: 'x.permute(2, 0, 1)',
  },
  {
    name: 'permute (negative dims)',
    inputs: () => ({ x: x234() }),
    ours: ({ x }) => x.permute(-1, -3, -2),
    py: 'x.permute(-1, -3, -2)',
  },
  {
    name: 'transpose',
    inputs: () => ({ x: x234() }),
    ours: ({ x }) => x.transpose(0, -1),
    py: 'x.transpose(0, -1)',
  },
  {
    name: 'slice',
    inputs: () => ({ x: x234() }),
    ours: ({ x }) => x.slice(2, 1, 3),
    py: 'x[:, :, 1:3]',
  },
  {
    name: 'slice (negative start and end)',
    inputs: () => ({ x: x234() }),
    ours: ({ x }) => x.slice(-1, -3, -1),
    py: 'x[..., -3:-1]',
  },
  {
    name: 'slice (step 2)',
    inputs: () => ({ x: randnT(r, [7, 2]) }),
    ours: ({ x }) => x.slice(0, 1, undefined, 2),
    py: 'x[1::2]',
  },
  {
    name: 'slice (start only, end beyond size)',
    inputs: () => ({ x: x234() }),
    ours: ({ x }) => [x.slice(1, 1), x.slice(1, 0, 100), x.slice(1, 5, 9)],
    py: '[x[:, 1:], x[:, 0:100], x[:, 5:9]]',
  },
  {
    name: 'select',
    inputs: () => ({ x: x234() }),
    ours: ({ x }) => [x.select(1, 2), x.select(-1, -1)],
    py: '[x[:, 2], x[..., -1]]',
  },
  {
    name: 'narrow',
    inputs: () => ({ x: x234() }),
    ours: ({ x }) => x.narrow(2, 1, 2),
    py: 'x.narrow(2, 1, 2)',
  },
  {
    name: 'squeeze / unsqueeze',
    inputs: () => ({ x: randnT(r, [2, 1, 3, 1]) }),
    ours: ({ x }) => [x.squeeze(), x.squeeze(1), x.squeeze(0), x.unsqueeze(0), x.unsqueeze(-1)],
    py: '[x.squeeze(), x.squeeze(1), x.squeeze(0), x.unsqueeze(0), x.unsqueeze(-1)]',
  },
  {
    name: 'flatten',
    inputs: () => ({ x: x234() }),
    ours: ({ x }) => [x.flatten(), x.flatten(1), x.flatten(0, 1)],
    py: '[x.flatten(), x.flatten(1), x.flatten(0, 1)]',
  },
  {
    name: 'expand',
    inputs: () => ({ x: randnT(r, [3, 1]) }),
    ours: ({ x }) => [x.expand(3, 4), x.expand(2, 3, 5), x.expand(-1, 2)],
    py: '[x.expand(3, 4), x.expand(2, 3, 5), x.expand(-1, 2)]',
  },
  {
    name: 'repeat',
    inputs: () => ({ x: randnT(r, [2, 3]) }),
    ours: ({ x }) => [x.repeat(2, 1), x.repeat(1, 2, 2)],
    py: '[x.repeat(2, 1), x.repeat(1, 2, 2)]',
  },
  {
    name: 'flip',
    inputs: () => ({ x: x234() }),
    ours: ({ x }) => x.flip(0, 2),
    py: 'x.flip(0, 2)',
  },
  {
    name: 'roll',
    inputs: () => ({ x: x234() }),
    ours: ({ x }) => x.roll([1, -2], [1, 2]),
    py: 'x.roll((1, -2), (1, 2))',
  },
  {
    name: 'indexSelect',
    inputs: () => ({ x: x234(), i: longT([2, 0, 2, 1]) }),
    ours: ({ x, i }) => [x.indexSelect(1, i), x.indexSelect(-1, i)],
    py: '[x.index_select(1, i), x.index_select(-1, i)]',
  },
  {
    name: 'gather',
    inputs: () => ({ x: x234(), i: randintT(r, [2, 3, 5], 0, 4) }),
    ours: ({ x, i }) => x.gather(2, i),
    py: 'x.gather(2, i)',
  },
  {
    name: 'gather (smaller index)',
    inputs: () => ({ x: randnT(r, [3, 4]), i: longT([2, 0, 1, 1], [2, 2]) }),
    ours: ({ x, i }) => x.gather(0, i),
    py: 'x.gather(0, i)',
  },
  {
    name: 'scatter (tensor src)',
    inputs: () => ({
      x: randnT(r, [3, 5]),
      i: longT([0, 1, 2, 4, 3, 2], [2, 3]),
      s: randnT(r, [2, 3]),
    }),
    ours: ({ x, i, s }) => x.scatter(1, i, s),
    py: 'x.scatter(1, i, s)',
  },
  {
    name: 'scatter (scalar) and int64 self',
    inputs: () => ({
      x: randnT(r, [3, 4]),
      i: longT([1, 2, 0, 2], [1, 4]),
      z: longT([0, 0, 0, 0, 0, 0], [2, 3]),
    }),
    ours: ({ x, i, z }) => [x.scatter(0, i, -7.5), z.scatter(1, longT([2, 0], [2, 1]), 1)],
    py: '[x.scatter(0, i, -7.5), z.scatter(1, torch.tensor([[2], [0]]), 1)]',
  },
  {
    name: 'scatterAdd',
    inputs: () => ({
      x: randnT(r, [2, 4]),
      i: longT([0, 0, 3, 1, 1, 1], [2, 3]),
      s: randnT(r, [2, 3]),
    }),
    ours: ({ x, i, s }) => x.scatterAdd(1, i, s),
    py: 'x.scatter_add(1, i, s)',
  },
  {
    name: 'scatter one-hot (a common use)',
    inputs: () => ({ lab: randintT(r, [2, 1, 3, 3], 0, 4) }),
    ours: ({ lab }) => torch.zeros([2, 4, 3, 3]).scatter(1, lab, 1),
    py: 'torch.zeros(2, 4, 3, 3).scatter(1, lab, 1)',
  },
  {
    name: 'maskedFill (scalar, broadcast mask, tensor value)',
    inputs: () => ({
      x: x234(),
      m: boolT([1, 0, 0, 1]),
      v: torch.tensor(Float32Array.from([2.5]), []),
    }),
    ours: ({ x, m, v }) => [x.maskedFill(x.gt(0.5), -1), x.maskedFill(m, 9), x.maskedFill(m, v)],
    py: '[x.masked_fill(x > 0.5, -1), x.masked_fill(m, 9), x.masked_fill(m, v)]',
  },
  {
    name: 'maskedFill on int64',
    inputs: () => ({ z: randintT(r, [6], 0, 5) }),
    ours: ({ z }) => z.maskedFill(z.eq(2), -1),
    py: 'z.masked_fill(z == 2, -1)',
  },
  {
    name: 'maskedSelect',
    inputs: () => ({ x: x234() }),
    ours: ({ x }) => [x.maskedSelect(x.lt(0)), x.maskedSelect(boolT([0, 1, 1, 0]))],
    py: '[x.masked_select(x < 0), x.masked_select(torch.tensor([False, True, True, False]))]',
  },
  {
    name: 'where (tensor/scalar combinations)',
    inputs: () => ({ x: x234(), y: randnT(r, [3, 1]) }),
    ours: ({ x, y }) => [
      torch.where(x.gt(0), x, y),
      torch.where(x.gt(0), x, 0),
      torch.where(x.gt(0), 1.5, y),
      torch.where(x.gt(0), 1.5, -1),
      torch.where(x.gt(0), 1, 0),
    ],
    py: '[torch.where(x > 0, x, y), torch.where(x > 0, x, 0.), torch.where(x > 0, 1.5, y), torch.where(x > 0, 1.5, -1.), torch.where(x > 0, 1, 0)]',
  },
  {
    name: 'where keeps int64',
    inputs: () => ({ z: randintT(r, [6], -3, 3) }),
    ours: ({ z }) => torch.where(z.lt(0), z.neg(), z),
    py: 'torch.where(z < 0, -z, z)',
  },
  {
    name: 'nonzero',
    inputs: () => ({ x: x234() }),
    ours: ({ x }) => x.gt(0).nonzero(),
    py: '(x > 0).nonzero()',
  },
  {
    name: 'indexPut',
    inputs: () => ({ x: randnT(r, [4, 2]), i: longT([3, 1, 3]), v: randnT(r, [3, 2]) }),
    ours: ({ x, i, v }) => [
      x.indexPut(i, v, true),
      x.indexPut(longT([2, 0]), v.slice(0, 0, 2), false),
    ],
    py: '[x.index_put((i,), v, accumulate=True), x.index_put((torch.tensor([2, 0]),), v[:2], accumulate=False)]',
  },
  {
    name: 'cat',
    inputs: () => ({ a: randnT(r, [2, 3]), b: randnT(r, [2, 1]), c: randnT(r, [1, 3]) }),
    ours: ({ a, b, c }) => [
      torch.cat([a, b], 1),
      torch.cat([a, c, a], 0),
      torch.cat([a], -1),
      torch.F.cat([b, b], -1),
    ],
    py: '[torch.cat([a, b], 1), torch.cat([a, c, a], 0), torch.cat([a], -1), torch.cat([b, b], -1)]',
  },
  {
    name: 'cat (mixed dtypes promote)',
    inputs: () => ({ a: randnT(r, [2]), z: longT([1, 2]) }),
    ours: ({ a, z }) => torch.cat([a, z]),
    py: 'torch.cat([a, z])',
  },
  {
    name: 'stack',
    inputs: () => ({ a: randnT(r, [2, 3]), b: randnT(r, [2, 3]) }),
    ours: ({ a, b }) => [torch.stack([a, b]), torch.stack([a, b], 1), torch.stack([a, b, a], -1)],
    py: '[torch.stack([a, b]), torch.stack([a, b], 1), torch.stack([a, b, a], -1)]',
  },
  {
    name: 'split',
    inputs: () => ({ x: randnT(r, [5, 4]) }),
    ours: ({ x }) => [...x.split([2, 3]), ...x.split([1, 1, 2], 1)],
    py: '[*x.split([2, 3]), *x.split([1, 1, 2], 1)]',
  },
  {
    name: 'chunk (uneven: 5 into 3, 5 into 4, 6 into 4)',
    inputs: () => ({ x: randnT(r, [5, 6]) }),
    ours: ({ x }) => [...x.chunk(3), ...x.chunk(4), ...x.chunk(4, 1), ...x.chunk(1, 1)],
    py: '[*x.chunk(3), *x.chunk(4), *x.chunk(4, 1), *x.chunk(1, 1)]',
  },
];

describe('views and indexing: values against PyTorch', () => {
  parityTests(cases, { before, it });
});

describe('views share memory with their base', () => {
  it('reshape/view/permute/transpose/slice/select/expand/squeeze of a contiguous tensor alias it', () => {
    torch.tidy(() => {
      const base = torch.zeros([2, 3]);
      const views = [
        base.view(6),
        base.reshape(3, 2),
        base.permute(1, 0),
        base.transpose(0, 1),
        base.slice(1, 1, 3),
        base.select(0, 1),
        base.narrow(1, 0, 2),
        base.unsqueeze(0),
        base.unsqueeze(0).squeeze(0),
        base.select(0, 0).unsqueeze(0).expand(4, 3),
        base.flatten(),
      ];
      base.fill_(3);
      for (const v of views)
        assert.ok(
          v.toArray().every((e) => e === 3),
          `view of shape [${v.shape}]`,
        );
      // Writing through a view changes the base.
      views[4].fill_(-1);
      assert.deepEqual(base.toArray(), [3, -1, -1, 3, -1, -1]);
      // Copies do not.
      const copies = [
        base.clone(),
        base.contiguous().add(0),
        base.repeat(1, 1),
        base.flip(0),
        base.indexSelect(0, longT([0])),
      ];
      base.zero_();
      for (const c of copies) assert.ok(c.toArray().some((e) => e !== 0));
    });
  });
  it('a permuted tensor is not contiguous until contiguous() is called; view of it fails, reshape copies', () => {
    torch.tidy(() => {
      const p = torch.arange(6).reshape(2, 3).permute(1, 0);
      assert.equal(p.isContiguous(), false);
      assert.throws(() => p.view(6), /view/);
      assertTensor(p.reshape(6), [6], [0, 3, 1, 4, 2, 5]);
      const c = p.contiguous();
      assert.equal(c.isContiguous(), true);
      assertTensor(c.view(6), [6], [0, 3, 1, 4, 2, 5]);
    });
  });
  it('chunk returns fewer pieces when the size does not allow more (as torch.chunk)', () => {
    torch.tidy(() => {
      assert.deepEqual(
        torch
          .zeros([6])
          .chunk(4)
          .map((t) => t.shape[0]),
        [2, 2, 2],
      );
      assert.deepEqual(
        torch
          .zeros([2])
          .chunk(5)
          .map((t) => t.shape[0]),
        [1, 1],
      );
    });
  });
});
