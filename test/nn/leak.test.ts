import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../../src/torch/index.js';
import { Adam, UNet } from '../../src/nn/index.js';
import { diceLoss } from '../../src/method/losses/index.js';

test('300 training steps: no live tensors accumulate and RSS after step 50 grows by < 5 %', async () => {
  torch.setNumThreads(1);
  torch.manualSeed(0);
  const net = new UNet({ numClasses: 4, filters: [8, 16, 32] });
  const opt = new Adam(net.parameters());
  const x = torch.rand([2, 1, 32, 32]);
  const y = torch.randint(0, 4, [2, 32, 32]);
  let rss50 = 0;
  let live50 = 0;
  for (let step = 1; step <= 300; step++) {
    torch.tidy(() => {
      opt.zeroGrad();
      const loss = diceLoss(net.forward(x), y);
      loss.backward();
      opt.step();
    });
    torch.mallocTrim();
    await new Promise((r) => setImmediate(r));
    if (step === 50) {
      rss50 = process.memoryUsage().rss;
      live50 = torch.memoryStats().liveTensors;
    }
  }
  const rss300 = process.memoryUsage().rss;
  const growth = (rss300 - rss50) / rss50;
  console.log(
    `RSS after step 50: ${(rss50 / 2 ** 20).toFixed(1)} MiB, after 300: ${(rss300 / 2 ** 20).toFixed(1)} MiB (${(100 * growth).toFixed(2)} %)`,
  );
  assert.equal(torch.memoryStats().liveTensors, live50, 'live tensor count is stable');
  assert.ok(growth < 0.05, `RSS grew by ${(100 * growth).toFixed(2)} %`);
  torch.dispose([x, y]);
  opt.dispose();
  net.dispose();
});
