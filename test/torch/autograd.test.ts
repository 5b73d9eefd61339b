// Autograd through the engine: leaves, backward, accumulation, retained graphs, detach, noGrad,
// and in-place parameter updates.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as torch from '../../src/torch/index.js';
import { assertClose, assertTensor, nums } from './helpers.js';

describe('autograd', () => {
  it('requiresGrad_ marks a leaf; results of ops on it require grad and are not leaves', () => {
    torch.tidy(() => {
      const x = torch.tensor([1, 2, 3]);
      assert.equal(x.requiresGrad, false);
      assert.equal(x.requiresGrad_(), x);
      assert.equal(x.requiresGrad, true);
      assert.equal(x.isLeaf, true);
      const y = x.mul(2);
      assert.equal(y.requiresGrad, true);
      assert.equal(y.isLeaf, false);
      assert.equal(x.grad, null);
      x.requiresGrad_(false);
      assert.equal(x.requiresGrad, false);
      assert.equal(x.mul(2).requiresGrad, false);
    });
  });
  it('backward computes gradients of a scalar', () => {
    torch.tidy(() => {
      const x = torch.tensor([1, -2, 3]).requiresGrad_();
      const w = torch.tensor([0.5, 0.25, 2]).requiresGrad_();
      x.mul(x).mul(w).sum().backward();
      assertTensor(x.grad!, [3], [1, -1, 12]);
      assertTensor(w.grad!, [3], [1, 4, 9]);
    });
  });
  it('gradients accumulate over backward calls until reset', () => {
    torch.tidy(() => {
      const x = torch.tensor([1, 2]).requiresGrad_();
      x.mul(3).sum().backward();
      x.mul(x).sum().backward();
      assertTensor(x.grad!, [2], [5, 7]);
      x.grad = null;
      assert.equal(x.grad, null);
      x.sum().backward();
      assertTensor(x.grad!, [2], [1, 1]);
      x.grad!.zero_();
      assertTensor(x.grad!, [2], [0, 0]);
      x.grad = torch.tensor([10, 20]);
      x.sum().backward();
      assertTensor(x.grad!, [2], [11, 21]);
    });
  });
  it('each grad access is a new handle on the same gradient; disposing it keeps the gradient', () => {
    torch.tidy(() => {
      const x = torch.tensor([1, 2]).requiresGrad_();
      x.sum().backward();
      const g1 = x.grad!;
      const g2 = x.grad!;
      assert.notEqual(g1, g2);
      g1.mul_(4);
      assertTensor(g2, [2], [4, 4]);
      g1.dispose();
      assertTensor(x.grad!, [2], [4, 4]);
    });
  });
  it('backward of a non-scalar needs a gradient; retainGraph allows a second pass', () => {
    torch.tidy(() => {
      const x = torch.tensor([1, 2, 3]).requiresGrad_();
      const y = x.mul(x);
      assert.throws(
        () => y.backward(),
        /backward: grad can be implicitly created only for scalar outputs/,
      );
      y.backward(torch.tensor([1, 0, -1]), true);
      assertTensor(x.grad!, [3], [2, 0, -6]);
      y.backward(torch.tensor([1, 1, 1]));
      assertTensor(x.grad!, [3], [4, 4, 0]);
      assert.throws(() => y.backward(torch.tensor([1, 1, 1])), /backward: .*(second time|freed)/);
    });
  });
  it('backward of a tensor that does not require grad is an error', () => {
    torch.tidy(() => {
      assert.throws(() => torch.tensor([1]).sum().backward(), /backward: .*does not require grad/);
    });
  });
  it('gradients flow through views, in-place ops on non-leaves, and broadcasting', () => {
    torch.tidy(() => {
      const x = torch.tensor([1, 2, 3, 4], [2, 2]).requiresGrad_();
      const b = torch.tensor([1, -1]).requiresGrad_();
      const y = x.add(b); // broadcast over rows
      y.mul_(2);
      y.select(0, 1).sum().backward();
      assertTensor(x.grad!, [2, 2], [0, 0, 2, 2]);
      assertTensor(b.grad!, [2], [2, 2]);
    });
  });
  it('detach stops gradients and shares memory', () => {
    torch.tidy(() => {
      const x = torch.tensor([1, 2]).requiresGrad_();
      const d = x.detach();
      assert.equal(d.requiresGrad, false);
      x.mul(d).sum().backward();
      assertTensor(x.grad!, [2], [1, 2]);
      d.add_(1); // shares storage with x
      assertTensor(x.detach(), [2], [2, 3]);
    });
  });
  it('noGrad records no graph, restores the mode (also after a throw); enableGrad nests inside', () => {
    torch.tidy(() => {
      const x = torch.tensor([1, 2]).requiresGrad_();
      assert.equal(torch.isGradEnabled(), true);
      const y = torch.noGrad(() => {
        assert.equal(torch.isGradEnabled(), false);
        const inner = torch.enableGrad(() => x.mul(2));
        assert.equal(inner.requiresGrad, true);
        assert.equal(torch.isGradEnabled(), false);
        return x.mul(2).add(1);
      });
      assert.equal(y.requiresGrad, false);
      assert.equal(y.isLeaf, true);
      assert.equal(torch.isGradEnabled(), true);
      assert.throws(() => y.sum().backward(), /does not require grad/);
      assert.throws(() =>
        torch.noGrad(() => {
          throw new Error('boom');
        }),
      );
      assert.equal(torch.isGradEnabled(), true);
      torch.setGradEnabled(false);
      assert.equal(x.mul(1).requiresGrad, false);
      torch.setGradEnabled(true);
      assert.equal(x.mul(1).requiresGrad, true);
    });
  });
  it('in-place updates of a leaf that requires grad: allowed under noGrad, an error outside', () => {
    torch.tidy(() => {
      const p = torch.tensor([1, 2]).requiresGrad_();
      p.mul(p).sum().backward();
      assert.throws(
        () => p.sub_(1),
        /sub_: a leaf Variable that requires grad is being used in an in-place operation/,
      );
      torch.noGrad(() => {
        const g = p.grad!;
        p.sub_(g.mul(0.25)); // p -= lr * grad
        p.addcmul_(g, g, -0.01);
        p.clamp_(0, 10);
      });
      assert.equal(p.requiresGrad, true);
      assert.equal(p.isLeaf, true);
      assertClose(nums(p), [1 - 0.5 - 0.04, 2 - 1 - 0.16]);
      // The updated leaf still works in a new graph.
      p.grad = null;
      p.mul(3).sum().backward();
      assertTensor(p.grad!, [2], [3, 3]);
    });
  });
  it('gradient descent on a small least-squares problem converges', () => {
    torch.tidy(() => {
      torch.manualSeed(9);
      const X = torch.randn([64, 3], { dtype: 'float64' });
      const wTrue = torch.tensor(Float64Array.from([1.5, -2, 0.5]), [3, 1]);
      const y = X.matmul(wTrue).add(0.3);
      const w = torch.zeros([3, 1], { dtype: 'float64', requiresGrad: true });
      const b = torch.zeros([1], { dtype: 'float64', requiresGrad: true });
      for (let step = 0; step < 200; step++) {
        torch.tidy(() => {
          const loss = X.matmul(w).add(b).sub(y).square().mean();
          loss.backward();
          torch.noGrad(() => {
            w.sub_(w.grad!.mul(0.1));
            b.sub_(b.grad!.mul(0.1));
          });
          w.grad = null;
          b.grad = null;
        });
      }
      assertClose(nums(w), [1.5, -2, 0.5], { rtol: 1e-4, atol: 1e-4 });
      assertClose(nums(b), [0.3], { rtol: 1e-4, atol: 1e-4 });
    });
  });
});
