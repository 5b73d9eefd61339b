import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../../src/errors.js';
import { loadConfig, parseConfig } from '../../src/method/config.js';
import { DEFAULT_METHODS, SEMI_SUPERVISED_METHODS } from '../../src/method/method-config.js';
import { BASELINE, METHODS } from '../../src/method/methods/index.js';
import { runPipeline } from '../../src/method/run.js';
import * as torch from '../../src/torch/index.js';
import { tinyConfig } from './tiny-config.js';

test('invalid configs are rejected with errors that name the field', () => {
  assert.throws(() => parseConfig({ ...tinyConfig, joint: { lambda: -1 } }), /joint\.lambda/);
  assert.throws(() => parseConfig({ ...tinyConfig, data: { kind: 'mystery' } }), /data\.kind/);
  assert.throws(
    () => parseConfig({ ...tinyConfig, baseline: { iterations: 0 } }),
    /baseline\.iterations/,
  );
  assert.throws(() => parseConfig({ ...tinyConfig, bogus: 1 }), InputError);
  assert.throws(
    () => parseConfig({ ...tinyConfig, baseline: { iterations: 10, handoff: 11 } }),
    /baseline\.handoff \(11\) exceeds baseline\.iterations \(10\)/,
  );
  assert.throws(
    () =>
      parseConfig({
        ...tinyConfig,
        preprocess: { mode: 'spacing', targetSpacing: [1, 1], cropSize: [30, 30] },
      }),
    /divisible by 4/,
  );
  const dir = mkdtempSync(join(tmpdir(), 'config-'));
  try {
    writeFileSync(join(dir, 'bad.json'), '{ not json');
    assert.throws(() => loadConfig(join(dir, 'bad.json')), /bad\.json: not valid JSON/);
    assert.throws(() => loadConfig(join(dir, 'missing.json')), /missing\.json: cannot read config/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the config's method names are the registry's, in its order; the default list is the paper's", () => {
  assert.deepEqual(
    METHODS.filter((m) => m !== BASELINE).map((m) => m.name),
    [...SEMI_SUPERVISED_METHODS],
  );
  assert.deepEqual(parseConfig(tinyConfig).methods, [...DEFAULT_METHODS]);
  assert.deepEqual(DEFAULT_METHODS, ['self-training', 'proposed']);
  assert.throws(() => parseConfig({ ...tinyConfig, methods: ['baseline'] }), /methods\.0/);
});

test('every config under configs/ is valid', () => {
  const configs = fileURLToPath(new URL('../../../configs/', import.meta.url));
  const files = readdirSync(configs, { recursive: true, encoding: 'utf8' }).filter((f) =>
    f.endsWith('.json'),
  );
  assert.ok(files.length >= 40, `${files.length} configs`);
  for (const f of files) assert.doesNotThrow(() => loadConfig(join(configs, f)), f);
});

test('the -cpu presets are the measured settings: configs/hours at 2 threads, ACDC-1 with pseudoseg', () => {
  const configs = fileURLToPath(new URL('../../../configs/', import.meta.url));
  for (const setting of ['acdc-1', 'acdc-3', 'acdc-7', 'promise12-1', 'promise12-2']) {
    const preset = loadConfig(join(configs, `${setting}-cpu.json`));
    const hours = loadConfig(join(configs, 'hours', `${setting}-seed0.json`));
    const pseudoSeg = setting === 'acdc-1' ? { pseudoSegBatchSize: 8 } : {};
    assert.deepEqual(
      preset,
      { ...hours, name: `${setting}-cpu`, threads: 2, joint: { ...hours.joint, ...pseudoSeg } },
      setting,
    );
  }
});

test('pseudo.crfUnits: px by default; mm only with a constant pixel size; fov widths in (0, 1]', () => {
  assert.equal(parseConfig(tinyConfig).pseudo.crfUnits, 'px');
  const resize = { mode: 'resize', size: [32, 32] } as const;
  const crf = [0.0001, 0.5, 10, 0.023, 10, 10];
  assert.equal(
    parseConfig({ ...tinyConfig, pseudo: { crf, crfUnits: 'fov' }, preprocess: resize }).pseudo
      .crfUnits,
    'fov',
  );
  assert.equal(parseConfig({ ...tinyConfig, pseudo: { crfUnits: 'mm' } }).pseudo.crfUnits, 'mm');
  assert.throws(
    () => parseConfig({ ...tinyConfig, pseudo: { crfUnits: 'mm' }, preprocess: resize }),
    (e: Error) =>
      e instanceof InputError && /pseudo\.crfUnits: 'mm' needs .*'spacing'/.test(e.message),
  );
  assert.throws(
    () =>
      parseConfig({ ...tinyConfig, pseudo: { crf: [0.01, 0.5, 10, 7, 30, 10], crfUnits: 'fov' } }),
    /pseudo\.crf: with crfUnits 'fov' the widths .* \(0, 1\], got 0\.01 and 7/,
  );
  assert.throws(
    () => parseConfig({ ...tinyConfig, pseudo: { crfUnits: 'cm' } }),
    /pseudo\.crfUnits/,
  );
  // Argmax pseudo-labels need no widths: any units are accepted.
  assert.doesNotThrow(() =>
    parseConfig({ ...tinyConfig, pseudo: { crf: null, crfUnits: 'fov' }, preprocess: resize }),
  );
});

test('a run on a device this LibTorch cannot use fails before writing anything', async (t) => {
  if (torch.cuda.isAvailable()) {
    t.skip('CUDA is available here');
    return;
  }
  const dir = join(mkdtempSync(join(tmpdir(), 'device-')), 'run');
  await assert.rejects(
    runPipeline(parseConfig({ ...tinyConfig, device: 'cuda' }), { dir }),
    (err: Error) => {
      assert.ok(err instanceof InputError);
      assert.match(err.message, /no usable CUDA/);
      return true;
    },
  );
  await assert.rejects(
    runPipeline(parseConfig({ ...tinyConfig, device: 'tpu' }), { dir }),
    /unknown device/,
  );
});

test('a run whose data cannot be read writes no run directory, so the fixed config starts afresh', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'no-data-')), 'run');
  const missing = join(dir, '..', 'nowhere');
  const cfg = parseConfig({
    ...tinyConfig,
    data: { kind: 'nifti', root: missing, labeledCount: 1 },
  });
  await assert.rejects(runPipeline(cfg, { dir }), (err: Error) => {
    assert.ok(err instanceof InputError);
    assert.ok(err.message.includes(join(missing, 'dataset.json')), err.message);
    return true;
  });
  assert.equal(existsSync(dir), false);
  // The run directory still refuses a second run, and a --resume of another config, at once.
  await runPipeline(parseConfig({ ...tinyConfig, methods: [] }), { dir });
  await assert.rejects(
    runPipeline(parseConfig({ ...tinyConfig, methods: [] }), { dir }),
    /--resume/,
  );
  await assert.rejects(
    runPipeline(parseConfig({ ...tinyConfig, seed: 8, methods: [] }), { dir, resume: true }),
    /config differs/,
  );
});
