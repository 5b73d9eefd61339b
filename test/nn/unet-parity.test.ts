import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import * as torch from '../../src/torch/index.js';
import { Adam, UNet } from '../../src/nn/index.js';
import { diceLoss } from '../../src/method/losses/index.js';

/** max |a − b| / max |b|: relative error of a whole tensor. */
function relErr(ours: Float32Array, ref: Float32Array): number {
  assert.equal(ours.length, ref.length);
  let num = 0;
  let den = 0;
  for (let i = 0; i < ref.length; i++) {
    num = Math.max(num, Math.abs(ours[i] - ref[i]));
    den = Math.max(den, Math.abs(ref[i]));
  }
  return den === 0 ? num : num / den;
}

test('the paper UNet matches PyTorch: forward, gradients, one Adam step, eval mode', () => {
  torch.setNumThreads(1);
  torch.manualSeed(3);
  const classes = 4;
  const net = new UNet({ numClasses: classes });
  assert.equal(net.numParameters(), 2_096_304);
  const dir = mkdtempSync(join(tmpdir(), 'unet-parity-'));
  try {
    const manifest: {
      classes: number;
      tensors: Record<string, { dtype: string; shape: number[] }>;
    } = {
      classes,
      tensors: {},
    };
    const put = (name: string, t: torch.Tensor) => {
      const c = t.contiguous();
      writeFileSync(join(dir, `${name}.bin`), c.data() as Float32Array);
      manifest.tensors[name] = { dtype: t.dtype === 'int64' ? 'int64' : 'float32', shape: t.shape };
      c.dispose();
    };
    for (const [k, t] of Object.entries(net.stateDict())) put(`p.${k}`, t);
    const x = torch.randn([2, 1, 64, 64]);
    const y = torch.randint(0, classes, [2, 64, 64]);
    put('x', x);
    put('y', y);
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
    execFileSync('/usr/bin/python3', [join('test', 'nn', 'unet_parity.py'), dir], {
      stdio: 'inherit',
    });
    const ref = (name: string) => {
      const b = readFileSync(join(dir, `py_${name}.bin`));
      return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
    };

    const onehot = torch.F.oneHot(y, classes).permute(0, 3, 1, 2).float();
    const opt = new Adam(net.parameters(), { lr: 1e-3 });
    net.train();
    const logits = net.forward(x);
    const loss = diceLoss(logits, onehot);
    loss.backward();
    assert.ok(relErr(logits.data() as Float32Array, ref('logits')) < 1e-4, 'train-mode logits');
    assert.ok(relErr(loss.data() as Float32Array, ref('loss')) < 1e-4, 'loss');
    for (const [k, p] of net.namedParameters()) {
      const g = p.grad;
      if (k.startsWith('cont')) {
        assert.equal(g, null, `${k} is unused by the segmentation loss`);
        continue;
      }
      assert.ok(g, `${k} has a gradient`);
      const e = relErr(g.data() as Float32Array, ref(`grad.${k}`));
      assert.ok(e < 1e-4, `gradient of ${k}: relative error ${e}`);
    }
    opt.step();
    for (const [k, p] of net.namedParameters()) {
      const e = relErr(p.data() as Float32Array, ref(`step.${k}`));
      assert.ok(e < 1e-4, `${k} after one Adam step: relative error ${e}`);
    }
    for (const [k, b] of net.namedBuffers()) {
      const e = relErr(b.data() as Float32Array, ref(`buf.${k}`));
      assert.ok(e < 1e-4, `running statistic ${k}: relative error ${e}`);
    }
    net.eval();
    torch.noGrad(() => {
      const ev = net.forward(x);
      assert.ok(relErr(ev.data() as Float32Array, ref('eval')) < 1e-4, 'eval-mode logits');
      const f = net.features(x);
      const emb = net.embed(f);
      assert.ok(relErr(emb.data() as Float32Array, ref('emb')) < 1e-4, 'embedding head');
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
