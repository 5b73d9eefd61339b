import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as torch from '../../src/torch/index.js';
import { contrastiveIntensity } from '../../src/data/augment.js';
import { parseConfig } from '../../src/method/config.js';
import { Rng } from '../../src/util/rng.js';

/** An Rng whose uniform draws are all at the low end: δ = −brightness, f = lo (darkest view). */
class LowestDraws extends Rng {
  override uniform(lo = 0): number {
    return lo;
  }
}

/**
 * A cardiac slice as percentile normalisation leaves it: background near 0, myocardium dark
 * (0.25), blood pool bright (0.8). Returns the image and the masks of background and myocardium.
 */
function slice(): { image: torch.Tensor; background: torch.Tensor; myocardium: torch.Tensor } {
  const n = 32;
  const values = new Float32Array(n * n);
  const bg = new Float32Array(n * n);
  const myo = new Float32Array(n * n);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const r = Math.hypot(y - 16, x - 16);
      const i = y * n + x;
      if (r < 6) values[i] = 0.8;
      else if (r < 9) {
        values[i] = 0.25;
        myo[i] = 1;
      } else {
        values[i] = 0.02;
        bg[i] = 1;
      }
    }
  }
  const t = (a: Float32Array) => torch.tensor(a, [1, 1, n, n]);
  return { image: t(values), background: t(bg), myocardium: t(myo) };
}

/** Mean of the view over the myocardium minus its mean over the background. */
function tissueContrast(views: Parameters<typeof contrastiveIntensity>[1]): number {
  return torch.tidy(() => {
    const s = slice();
    const v = contrastiveIntensity(s.image, views);
    const mean = (m: torch.Tensor) => v.mul(m).sum().item() / m.sum().item();
    return mean(s.myocardium) - mean(s.background);
  });
}

const realDataConfigs = join('configs', 'hours');

test("the code's view clip [0, 1.5] erases dark tissue at the darkest draw", () => {
  const code = parseConfig({
    data: { kind: 'phantom' },
    preprocess: { mode: 'resize', size: [32, 32] },
  }).augment.views;
  assert.equal(tissueContrast({ rng: new LowestDraws(0), ...code }), 0);
});

test('the real-data configs keep dark tissue visible in every contrastive view', () => {
  const files = readdirSync(realDataConfigs).filter((f) => f.endsWith('.json'));
  assert.ok(files.length > 0);
  for (const f of files) {
    const cfg = parseConfig(JSON.parse(readFileSync(join(realDataConfigs, f), 'utf8')), f);
    const views = cfg.augment.views;
    // Myocardium stays above background by at least the contrast factor times its original 0.23.
    const contrast = tissueContrast({ rng: new LowestDraws(0), ...views });
    assert.ok(contrast >= 0.23 * views.contrast[0] - 1e-6, `${f}: ${contrast}`);
    assert.equal(cfg.preprocess.percentiles?.join(), '1,99', `${f}: percentile normalisation`);
  }
});
