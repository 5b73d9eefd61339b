import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../../src/errors.js';
import type { Volume } from '../../src/io/volume.js';
import type { LabeledCase } from '../../src/data/dataset.js';
import { PhantomDataset } from '../../src/data/phantom.js';

function bytes(v: Volume): Buffer {
  return Buffer.from(v.data.buffer, v.data.byteOffset, v.data.byteLength);
}

/** Per-volume statistics of slice d: pixel count and mean intensity of each class. */
function classStats(c: LabeledCase, d: number): { count: number[]; mean: number[] } {
  const [, h, w] = c.image.shape;
  const count = [0, 0, 0, 0];
  const sum = [0, 0, 0, 0];
  for (let i = d * h * w; i < (d + 1) * h * w; i++) {
    count[c.label.data[i]]++;
    sum[c.label.data[i]] += c.image.data[i];
  }
  return { count, mean: sum.map((s, k) => s / count[k]) };
}

function spread(values: number[]): number {
  return Math.max(...values) - Math.min(...values);
}

describe('phantom data set', () => {
  it('is deterministic by seed and differs between seeds', async () => {
    const options = { slices: 3, size: 64, unlabeledVolumes: 2, testVolumes: 2 };
    const a = new PhantomDataset({ ...options, seed: 11 });
    const b = new PhantomDataset({ ...options, seed: 11 });
    const c = new PhantomDataset({ ...options, seed: 12 });
    for (const split of ['labeledTrain', 'unlabeledTrain', 'validation', 'test'] as const) {
      const [x, y, z] = await Promise.all([a[split](), b[split](), c[split]()]);
      assert.ok(x.length > 0);
      x.forEach((item, i) => {
        assert.ok(bytes(item.image).equals(bytes(y[i].image)), `${split} ${i}: same seed`);
        assert.ok(!bytes(item.image).equals(bytes(z[i].image)), `${split} ${i}: other seed`);
        if ('label' in item) {
          assert.ok(bytes(item.label as Volume).equals(bytes((y[i] as LabeledCase).label)));
        }
      });
    }
  });

  it('draws each split from its own streams, so split sizes do not change other splits', async () => {
    const small = new PhantomDataset({ slices: 2, size: 64, unlabeledVolumes: 1, testVolumes: 2 });
    const large = new PhantomDataset({ slices: 2, size: 64, unlabeledVolumes: 5, testVolumes: 2 });
    const [s, l] = await Promise.all([small.test(), large.test()]);
    assert.ok(bytes(s[1].image).equals(bytes(l[1].image)));
    const [v, u] = await Promise.all([small.validation(), small.unlabeledTrain()]);
    assert.ok(!bytes(v[0].image).equals(bytes(u[0].image)));
  });

  it('has the documented shapes, types, spacing, ids and no labels on unlabeled cases', async () => {
    const ds = new PhantomDataset({
      labeledVolumes: 2,
      unlabeledVolumes: 3,
      validationVolumes: 1,
      testVolumes: 4,
      slices: 5,
      size: 96,
    });
    assert.deepEqual(ds.classNames, ['background', 'RV', 'Myo', 'LV']);
    const labeled = await ds.labeledTrain();
    const unlabeled = await ds.unlabeledTrain();
    assert.deepEqual(
      [labeled.length, unlabeled.length, (await ds.validation()).length, (await ds.test()).length],
      [2, 3, 1, 4],
    );
    assert.deepEqual(
      labeled.map((c) => c.id),
      ['phantom-labeled-000', 'phantom-labeled-001'],
    );
    for (const c of unlabeled) assert.ok(!('label' in c), 'unlabeled cases carry no label');
    const { image, label } = labeled[0];
    assert.deepEqual(image.shape, [5, 96, 96]);
    assert.deepEqual(image.spacing, [8, 2, 2]);
    assert.ok(image.data instanceof Float32Array && label.data instanceof Uint8Array);
    assert.deepEqual([image.datatype, label.datatype], ['float32', 'uint8']);
    assert.ok(label.data.every((v) => v <= 3));
  });

  it('shows all four classes in mid slices, a smaller apex and some apical slices without RV', async () => {
    const cases = await new PhantomDataset({ testVolumes: 12 }).test();
    let apexWithoutRv = 0;
    for (const c of cases) {
      for (const d of [3, 4]) {
        const { count } = classStats(c, d);
        assert.ok(
          count.every((n) => n > 20),
          `${c.id} slice ${d}: class counts ${count}`,
        );
      }
      const base = classStats(c, 0).count;
      const apex = classStats(c, 7).count;
      assert.ok(apex[3] < 0.6 * base[3], `${c.id}: LV at apex ${apex[3]} vs base ${base[3]}`);
      assert.ok(base[1] > 0, `${c.id}: RV at the base`);
      if (apex[1] === 0) apexWithoutRv++;
    }
    assert.ok(
      apexWithoutRv >= 1 && apexWithoutRv < cases.length,
      `${apexWithoutRv} apices without RV`,
    );
  });

  it('looks like cine bSSFP and varies between volumes', async () => {
    const cases = await new PhantomDataset({ testVolumes: 8 }).test();
    const lvMean: number[] = [];
    const myoMean: number[] = [];
    const lvArea: number[] = [];
    const rvArea: number[] = [];
    for (const c of cases) {
      const { count, mean } = classStats(c, 3);
      assert.ok(
        mean[3] > mean[2] + 0.25,
        `${c.id}: LV blood ${mean[3]} brighter than Myo ${mean[2]}`,
      );
      assert.ok(
        mean[1] > mean[2] + 0.2,
        `${c.id}: RV blood ${mean[1]} brighter than Myo ${mean[2]}`,
      );
      lvMean.push(mean[3]);
      myoMean.push(mean[2]);
      lvArea.push(count[3]);
      rvArea.push(count[1]);
      const sorted = Float32Array.from(c.image.data).sort();
      assert.ok(sorted[0] >= 0, 'Rician magnitudes are non-negative');
      const p999 = sorted[Math.floor(0.999 * sorted.length)];
      assert.ok(p999 > 0.6 && p999 < 1.2, `${c.id}: 99.9th percentile ${p999} in about [0, 1]`);
    }
    assert.ok(spread(lvMean) > 0.08, `LV intensity varies: ${lvMean}`);
    assert.ok(spread(myoMean) > 0.03, `Myo intensity varies: ${myoMean}`);
    assert.ok(spread(lvArea) > 0.3 * Math.min(...lvArea), `LV area varies: ${lvArea}`);
    assert.ok(spread(rvArea) > 0.3 * Math.min(...rvArea), `RV area varies: ${rvArea}`);
  });

  it('rejects invalid options', () => {
    for (const bad of [{ size: 16 }, { slices: 0 }, { labeledVolumes: -1 }, { testVolumes: 1.5 }]) {
      assert.throws(() => new PhantomDataset(bad), InputError);
    }
  });
});
