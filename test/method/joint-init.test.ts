import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/method/config.js';
import { runPipeline } from '../../src/method/run.js';
import { loadSafetensors } from '../../src/nn/safetensors.js';
import * as torch from '../../src/torch/index.js';
import { tinyConfig } from './tiny-config.js';
import { stageFilesIn } from '../../src/method/run-dir.js';

/** Largest |a − b| of a weight in two safetensors files. */
function maxDiff(a: string, b: string, name: string): number {
  const [x, y] = [a, b].map((p) => {
    const { tensors } = loadSafetensors(p);
    const v = Float32Array.from(tensors[name].data() as Float32Array);
    torch.dispose(tensors);
    return v;
  });
  return Math.max(...x.map((v, i) => Math.abs(v - y[i])));
}

test("joint.init: 'full' starts from every baseline weight, 'backbone' from fresh heads", async () => {
  for (const init of ['full', 'backbone'] as const) {
    const dir = mkdtempSync(join(tmpdir(), `joint-init-${init}-`));
    try {
      // One joint iteration at a negligible learning rate: the weights stay where they started.
      const cfg = parseConfig({
        ...tinyConfig,
        optimizer: { kind: 'adam', lr: 1e-9 },
        joint: { ...tinyConfig.joint, rounds: 1, iterationsPerRound: 1, init },
        methods: ['self-training'],
      });
      await runPipeline(cfg, { dir });
      const start = stageFilesIn(dir, 'baseline').best;
      const after = stageFilesIn(dir, 'self-training').checkpoint;
      const head = maxDiff(start, after, 'seg_out.weight');
      const encoder = maxDiff(start, after, 'enc1.0.conv.weight');
      assert.ok(encoder < 1e-6, `${init}: encoder copied (${encoder})`);
      if (init === 'full') assert.ok(head < 1e-6, `full: head copied (${head})`);
      else assert.ok(head > 1e-3, `backbone: head fresh (${head})`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});
