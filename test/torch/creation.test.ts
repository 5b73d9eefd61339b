// Creation functions, dtypes, typed-array round trips (copying and aliasing), and the seeded
// generators, with values checked against PyTorch (reference_ops.py) where PyTorch defines them.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as torch from '../../src/torch/index.js';
import type { AnyTypedArray, DType, Tensor } from '../../src/torch/index.js';
import { assertClose, assertTensor, longT, nums, parityTests, type ParityCase } from './helpers.js';

/** The elements of a typed array (of any element type) as a plain array. */
const list = (a: ArrayLike<number | bigint> | AnyTypedArray): (number | bigint)[] =>
  Array.from(a as ArrayLike<number | bigint>);

const ALL: DType[] = [
  'float32',
  'float64',
  'float16',
  'bfloat16',
  'int64',
  'int32',
  'int16',
  'int8',
  'uint8',
  'bool',
];

describe('creation: zeros, ones, full, empty', () => {
  for (const dtype of ALL) {
    it(`zeros/ones/full in ${dtype}`, () => {
      torch.tidy(() => {
        assertTensor(torch.zeros([2, 3], { dtype }), [2, 3], [0, 0, 0, 0, 0, 0], { dtype });
        assertTensor(torch.ones([3], { dtype }), [3], [1, 1, 1], { dtype });
        const v = dtype === 'bool' ? 1 : dtype === 'uint8' ? 200 : dtype === 'int8' ? -7 : 5;
        assertTensor(torch.full([2, 2], v, { dtype }), [2, 2], [v, v, v, v], { dtype });
        assert.equal(torch.empty([4, 0, 2], { dtype }).numel, 0);
      });
    });
  }
  it('defaults to float32; zero-sized and scalar shapes', () => {
    torch.tidy(() => {
      assert.equal(torch.zeros([2]).dtype, 'float32');
      assertTensor(torch.zeros([]), [], [0]);
      assertTensor(torch.ones([0, 3]), [0, 3], []);
      const s = torch.scalar(2.5);
      assert.deepEqual(s.shape, []);
      assert.equal(s.item(), 2.5);
      assert.equal(s.ndim, 0);
      assert.equal(s.numel, 1);
    });
  });
  it('full keeps fractional values in float dtypes and truncates in integer ones', () => {
    torch.tidy(() => {
      assertTensor(torch.full([2], 0.25, { dtype: 'float64' }), [2], [0.25, 0.25]);
      assertTensor(torch.full([2], -3, { dtype: 'int64' }), [2], [-3, -3], { dtype: 'int64' });
    });
  });
  it('zerosLike/onesLike copy shape and dtype', () => {
    torch.tidy(() => {
      const t = torch.ones([2, 3], { dtype: 'int32' });
      assertTensor(torch.zerosLike(t), [2, 3], [0, 0, 0, 0, 0, 0], { dtype: 'int32' });
      assertTensor(torch.onesLike(t, { dtype: 'float64' }), [2, 3], [1, 1, 1, 1, 1, 1], {
        dtype: 'float64',
      });
    });
  });
  it('requiresGrad option marks a leaf', () => {
    torch.tidy(() => {
      const t = torch.zeros([2], { requiresGrad: true });
      assert.equal(t.requiresGrad, true);
      assert.equal(t.isLeaf, true);
      assert.equal(torch.randn([2], { requiresGrad: true }).requiresGrad, true);
      assert.equal(torch.zeros([2]).requiresGrad, false);
    });
  });
});

describe('creation: arange', () => {
  it('integer arguments give int64', () => {
    torch.tidy(() => {
      assertTensor(torch.arange(5), [5], [0, 1, 2, 3, 4], { dtype: 'int64' });
      assertTensor(torch.arange(2, 7, 2), [3], [2, 4, 6], { dtype: 'int64' });
      assertTensor(torch.arange(5, 0, -2), [3], [5, 3, 1], { dtype: 'int64' });
      assertTensor(torch.arange(3, 3), [0], []);
    });
  });
  it('fractional arguments give float32, or the dtype asked for', () => {
    torch.tidy(() => {
      const t = torch.arange(0, 1, 0.25);
      assertTensor(t, [4], [0, 0.25, 0.5, 0.75], { dtype: 'float32' });
      assertTensor(torch.arange(0, 3, 1, { dtype: 'float64' }), [3], [0, 1, 2], {
        dtype: 'float64',
      });
    });
  });
});

describe('creation: random', () => {
  it('rand is uniform on [0, 1), randn is standard normal, shapes and dtypes', () => {
    torch.tidy(() => {
      torch.manualSeed(3);
      const u = nums(torch.rand([4000]));
      assert.ok(u.every((x) => x >= 0 && x < 1));
      const mu = u.reduce((a, b) => a + b, 0) / u.length;
      assert.ok(Math.abs(mu - 0.5) < 0.03, `mean ${mu}`);
      const z = nums(torch.randn([4000]));
      const m = z.reduce((a, b) => a + b, 0) / z.length;
      const v = z.reduce((a, b) => a + (b - m) ** 2, 0) / z.length;
      assert.ok(Math.abs(m) < 0.06 && Math.abs(v - 1) < 0.1, `mean ${m} var ${v}`);
      assert.equal(torch.rand([2], { dtype: 'float64' }).dtype, 'float64');
      assert.deepEqual(torch.randn([2, 3, 1]).shape, [2, 3, 1]);
    });
  });
  it('randint draws int64 on [low, high) and covers the range; randperm is a permutation', () => {
    torch.tidy(() => {
      torch.manualSeed(4);
      const t = torch.randint(-2, 3, [500]);
      assert.equal(t.dtype, 'int64');
      const v = nums(t);
      assert.ok(v.every((x) => x >= -2 && x < 3));
      assert.deepEqual(
        [...new Set(v)].sort((a, b) => a - b),
        [-2, -1, 0, 1, 2],
      );
      assert.equal(torch.randint(0, 5, [3], { dtype: 'int32' }).dtype, 'int32');
      const p = nums(torch.randperm(10));
      assert.deepEqual(
        [...p].sort((a, b) => a - b),
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      );
    });
  });
  it('manualSeed makes every generator reproducible', () => {
    torch.tidy(() => {
      const draw = () => [
        ...nums(torch.rand([5])),
        ...nums(torch.randn([5])),
        ...nums(torch.randint(0, 100, [5])),
        ...nums(torch.randperm(7)),
        ...nums(torch.F.dropout(torch.ones([12]), 0.5, true)),
      ];
      torch.manualSeed(42);
      const a = draw();
      torch.manualSeed(42);
      const b = draw();
      torch.manualSeed(43);
      const c = draw();
      assert.deepEqual(a, b);
      assert.notDeepEqual(a, c);
    });
  });
});

describe('tensor() and data(): typed arrays in and out', () => {
  const arrays: [DType, () => ArrayLike<number | bigint> & { constructor: unknown }][] = [
    ['float32', () => Float32Array.from([1.5, -2, 3.25, 0, 1e-3, 7])],
    ['float64', () => Float64Array.from([1.5, -2, Math.PI, 0, 1e-300, 7])],
    ['int64', () => BigInt64Array.from([1n, -2n, 2n ** 53n + 1n, 0n, -(2n ** 62n), 7n])],
    ['int32', () => Int32Array.from([1, -2, 2 ** 31 - 1, 0, -(2 ** 31), 7])],
    ['int16', () => Int16Array.from([1, -2, 32767, 0, -32768, 7])],
    ['int8', () => Int8Array.from([1, -2, 127, 0, -128, 7])],
    ['uint8', () => Uint8Array.from([1, 2, 255, 0, 128, 7])],
    ['float16', () => Uint16Array.from([0x3c00, 0xc000, 0x7bff, 0, 0x0001, 0x4700])],
  ];
  for (const [dtype, make] of arrays) {
    it(`${dtype}: the typed array's dtype, shape, and the same elements back`, () => {
      torch.tidy(() => {
        const src = make();
        const t = torch.tensor(src as never, [2, 3]);
        assert.equal(t.dtype, dtype);
        assert.deepEqual(t.shape, [2, 3]);
        const back = t.data();
        assert.equal(back.constructor, src.constructor);
        assert.deepEqual(list(back), list(src));
        assert.deepEqual(list(t.data({ copy: false })), list(src));
      });
    });
  }
  it('bool: from booleans, and from numbers (nonzero is true)', () => {
    torch.tidy(() => {
      const a = torch.tensor([true, false, true]);
      assert.equal(a.dtype, 'bool');
      assert.deepEqual(list(a.data()), [1, 0, 1]);
      const b = torch.tensor([0, 2, -3, Number.NaN], undefined, { dtype: 'bool' });
      assert.deepEqual(list(b.data()), [0, 1, 1, 1]);
      assert.equal(b.sum().item(), 3);
      const c = torch.tensor(Uint8Array.from([0, 5, 1]), [3], { dtype: 'bool' });
      assert.deepEqual(list(c.data()), [0, 1, 1]);
    });
  });
  it('number arrays default to float32, or the dtype given (half precision included)', () => {
    torch.tidy(() => {
      assertTensor(torch.tensor([1, 2.5]), [2], [1, 2.5], { dtype: 'float32' });
      assertTensor(torch.tensor([1, 2, 3, 4], [2, 2], { dtype: 'int64' }), [2, 2], [1, 2, 3, 4], {
        dtype: 'int64',
      });
      assertTensor(torch.tensor([1.5, -2], undefined, { dtype: 'float64' }), [2], [1.5, -2], {
        dtype: 'float64',
      });
      const h = torch.tensor([1, -2, 0.5, 65504], undefined, { dtype: 'float16' });
      assert.equal(h.dtype, 'float16');
      assert.deepEqual(list(h.data()), [0x3c00, 0xc000, 0x3800, 0x7bff]);
      const bf = torch.tensor([1, -2], undefined, { dtype: 'bfloat16' });
      assert.equal(bf.dtype, 'bfloat16');
      assert.deepEqual(list(bf.data()), [0x3f80, 0xc000]);
    });
  });
  it('a typed array converted to another dtype', () => {
    torch.tidy(() => {
      assertTensor(
        torch.tensor(Float32Array.from([1.7, -1.7, 2]), [3], { dtype: 'int64' }),
        [3],
        [1, -1, 2],
        {
          dtype: 'int64',
        },
      );
      assertTensor(torch.tensor(Int32Array.from([1, 2]), [2], { dtype: 'float64' }), [2], [1, 2], {
        dtype: 'float64',
      });
      const bf = torch.tensor(Uint16Array.from([0x3f80, 0x4049]), [2], { dtype: 'bfloat16' });
      assert.equal(bf.dtype, 'bfloat16');
      assertClose(nums(bf), [1, 3.140625], { rtol: 0, atol: 0 });
    });
  });
  it('float16 round trip: float32 -> float16 -> float32 keeps representable values, rounds others', () => {
    torch.tidy(() => {
      const x = torch.tensor(Float32Array.from([1, -2.5, 0.099975586, 65504, 6.1035156e-5, 1 / 3]));
      const h = x.to('float16');
      assert.equal(h.dtype, 'float16');
      assert.deepEqual(list(h.data()).slice(0, 2), [0x3c00, 0xc100]);
      const back = nums(h);
      assertClose(back.slice(0, 5), nums(x).slice(0, 5), { rtol: 0, atol: 0 });
      assert.equal(back[5], 0.333251953125);
      const again = torch.tensor(h.data(), [6]);
      assert.equal(again.dtype, 'float16');
      assert.deepEqual(nums(again), back);
    });
  });
  it('int64 keeps all 64 bits in data(); toArray converts to numbers', () => {
    torch.tidy(() => {
      const big = 2n ** 60n + 3n;
      const t = torch.tensor(BigInt64Array.from([big, -1n]));
      assert.equal((t.data() as BigInt64Array)[0], big);
      assert.deepEqual(t.toArray(), [Number(big), -1]);
      assert.equal(longT([7]).item(), 7);
    });
  });
  it('a shape that does not match the array length is an error naming both', () => {
    assert.throws(
      () => torch.tensor(Float32Array.from([1, 2, 3]), [2, 2]),
      /shape \[2, 2\].*16 bytes.*12/,
    );
  });
  it('the input array is copied: later writes to it do not reach the tensor', () => {
    torch.tidy(() => {
      const src = Float32Array.from([1, 2]);
      const t = torch.tensor(src);
      src[0] = 99;
      assert.deepEqual(t.toArray(), [1, 2]);
    });
  });
  it('data() copies by default: no aliasing in either direction', () => {
    torch.tidy(() => {
      const t = torch.tensor(Float32Array.from([1, 2, 3]));
      const d = t.data() as Float32Array;
      t.mul_(10);
      assert.deepEqual(list(d), [1, 2, 3]);
      d[0] = -1;
      assert.deepEqual(t.toArray(), [10, 20, 30]);
    });
  });
  it('data({copy: false}) aliases the tensor memory: in-place ops show through, and writes too', () => {
    torch.tidy(() => {
      const t = torch.tensor(Float32Array.from([1, 2, 3, 4]), [2, 2]);
      const d = t.data({ copy: false }) as Float32Array;
      t.mul_(2);
      assert.deepEqual(list(d), [2, 4, 6, 8]);
      t.add_(torch.ones([2]));
      assert.deepEqual(list(d), [3, 5, 7, 9]);
      d[3] = -1;
      assert.deepEqual(t.toArray(), [3, 5, 7, -1]);
      // Twice on the same memory is fine.
      const d2 = t.data({ copy: false }) as Float32Array;
      t.zero_();
      assert.deepEqual(list(d2), [0, 0, 0, 0]);
      assert.deepEqual(list(d), [0, 0, 0, 0]);
    });
  });
  it('data({copy: false}) of a view aliases the viewed part; of a non-contiguous tensor it copies', () => {
    torch.tidy(() => {
      const t = torch.arange(0, 6, 1, { dtype: 'float32' }).reshape(2, 3);
      const row = t.select(0, 1);
      const d = row.data({ copy: false }) as Float32Array;
      assert.deepEqual(list(d), [3, 4, 5]);
      t.add_(1);
      assert.deepEqual(list(d), [4, 5, 6]);
      const tr = t.transpose(0, 1);
      assert.equal(tr.isContiguous(), false);
      const dt = tr.data({ copy: false }) as Float32Array;
      assert.deepEqual(list(dt), [1, 4, 2, 5, 3, 6]);
      t.zero_();
      assert.deepEqual(list(dt), [1, 4, 2, 5, 3, 6]);
    });
  });
  it('an aliasing array keeps the memory alive after the tensor is disposed', () => {
    const t = torch.tensor(Float64Array.from([1, 2, 3]));
    const d = t.data({ copy: false }) as Float64Array;
    t.dispose();
    assert.deepEqual(list(d), [1, 2, 3]);
    d[0] = 5;
    assert.equal(d[0], 5);
  });
  it('data() of zero-sized, scalar and bool tensors', () => {
    torch.tidy(() => {
      assert.equal(torch.zeros([0]).data().length, 0);
      assert.equal(torch.zeros([0]).data({ copy: false }).length, 0);
      assert.deepEqual(list(torch.scalar(3).data()), [3]);
      assert.ok(torch.tensor([true]).data() instanceof Uint8Array);
    });
  });
});

describe('tensor properties and conversions', () => {
  it('shape, ndim, numel, size, dtype, device', () => {
    torch.tidy(() => {
      const t = torch.zeros([2, 3, 4]);
      assert.deepEqual(t.shape, [2, 3, 4]);
      assert.equal(t.ndim, 3);
      assert.equal(t.numel, 24);
      assert.equal(t.size(-1), 4);
      assert.equal(t.size(0), 2);
      assert.throws(() => t.size(3), RangeError);
      assert.equal(t.device, 'cpu');
      assert.equal(t.cpu().device, 'cpu');
    });
  });
  it('to(): float to int truncates toward zero, to bool tests nonzero, float()/long()', () => {
    torch.tidy(() => {
      const x = torch.tensor([-1.7, -0.2, 0, 0.5, 2.9]);
      assertTensor(x.to('int32'), [5], [-1, 0, 0, 0, 2], { dtype: 'int32' });
      assertTensor(x.long(), [5], [-1, 0, 0, 0, 2], { dtype: 'int64' });
      assertTensor(x.to('bool'), [5], [1, 1, 0, 1, 1], { dtype: 'bool' });
      assertTensor(longT([3]).float(), [1], [3], { dtype: 'float32' });
      assert.equal(x.to(null).dtype, 'float32');
    });
  });
  it('clone is independent; item() of one element; toString prints values', () => {
    torch.tidy(() => {
      const a = torch.tensor([1, 2]);
      const b = a.clone();
      a.fill_(0);
      assert.deepEqual(b.toArray(), [1, 2]);
      assert.equal(torch.tensor([true]).item(), 1);
      assert.equal(longT([-5]).item(), -5);
      assert.match(b.toString(), /1\s+2/);
      assert.throws(() => b.item(), /item: a tensor with 2 elements cannot be converted/);
    });
  });
});

// ---- values against PyTorch --------------------------------------------------------------------

const parity: ParityCase[] = [
  {
    name: 'generators after manualSeed equal PyTorch (same LibTorch CPU generator)',
    inputs: () => ({}),
    ours: () => {
      torch.manualSeed(7);
      return [
        torch.rand([5]),
        torch.randn([5]),
        torch.randn([20], { dtype: 'float64' }),
        torch.randint(0, 10, [6]),
        torch.randperm(8),
      ];
    },
    py:
      'torch.manual_seed(7)\nout = [torch.rand(5), torch.randn(5), torch.randn(20, dtype=torch.float64), ' +
      'torch.randint(0, 10, (6,)), torch.randperm(8)]',
  },
  {
    name: 'arange variants',
    inputs: () => ({}),
    ours: () => [
      torch.arange(0, 1, 0.1),
      torch.arange(-3, 4, 2),
      torch.arange(1, -1, -0.3),
      torch.arange(0, 2, 0.5, { dtype: 'float64' }),
    ],
    py: '[torch.arange(0, 1, 0.1), torch.arange(-3, 4, 2), torch.arange(1, -1, -0.3), torch.arange(0, 2, 0.5, dtype=torch.float64)]',
  },
  {
    name: 'dtype conversions',
    inputs: () => ({ x: torch.tensor([-2.5, -1.5, -0.7, 0, 0.5, 1.5, 255.9, 300]) }),
    ours: ({ x }) => [
      x.to('int64'),
      x.to('int32'),
      x.to('bool'),
      x.to('float64'),
      x.to('float16'),
      x.to('bfloat16'),
    ],
    py: '[x.to(torch.int64), x.to(torch.int32), x.to(torch.bool), x.double(), x.half(), x.bfloat16()]',
  },
  {
    name: 'full and scalar',
    inputs: () => ({}),
    ours: () => [torch.full([2, 3], 1.25), torch.scalar(4), torch.full([2], 7, { dtype: 'int64' })],
    py: '[torch.full((2, 3), 1.25), torch.tensor(4.0), torch.full((2,), 7, dtype=torch.int64)]',
  },
];

describe('creation: values against PyTorch', () => {
  parityTests(parity, { before, it });
  after(() => torch.manualSeed(0));
});

export type { Tensor };
