import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { readNifti, writeNifti } from '../../src/io/nifti.js';
import { sharedDataDir, skipWithoutData } from '../helpers/shared-data.js';
import { cli, discImage, tempFolder, writeTinyModel } from '../eval/model-fixture.js';
import { runFiles } from '../../src/method/run-dir.js';

// `contraseg predict --engine onnx` gives torch's label maps without loading LibTorch:
// CONTRASEG_NO_TORCH=1 makes src/torch/native.ts throw when it is evaluated, so any import of
// src/torch on that path would fail the command. The same switch checks that the training
// commands say what they need and exit 2 while the others work.
const tmp = tempFolder('onnx-predict-test-');
after(tmp.cleanup);
const NO_TORCH = { CONTRASEG_NO_TORCH: '1' };

/** Per-class Dice of two label maps (classes absent from both count as 1). */
function dicePerClass(a: Uint8Array, b: Uint8Array, classes: number): number[] {
  return Array.from({ length: classes }, (_, c) => {
    let inter = 0;
    let sum = 0;
    for (let i = 0; i < a.length; i++) {
      const x = a[i] === c;
      const y = b[i] === c;
      if (x && y) inter++;
      sum += (x ? 1 : 0) + (y ? 1 : 0);
    }
    return sum === 0 ? 1 : (2 * inter) / sum;
  });
}

/** Predicts `input` with both engines (onnx without LibTorch); returns both label folders. */
function predictBoth(model: string, input: string, name: string, extra: string[] = []) {
  const onnx = join(tmp.dir, `${name}.onnx`);
  const e = cli(['export', '--checkpoint', model, '--onnx', onnx], NO_TORCH);
  assert.equal(e.status, 0, `export --onnx without LibTorch: ${e.stderr}`);
  const outT = join(tmp.dir, `${name}-torch`);
  const outO = join(tmp.dir, `${name}-onnx`);
  const t = cli(['predict', '--model', model, '--input', input, '--output', outT, ...extra]);
  assert.equal(t.status, 0, t.stderr);
  const o = cli(
    ['predict', '--engine', 'onnx', '--model', onnx, '--input', input, '--output', outO, ...extra],
    NO_TORCH,
  );
  assert.equal(o.status, 0, `predict --engine onnx without LibTorch: ${o.stderr}`);
  assert.deepEqual(readdirSync(outO).sort(), readdirSync(outT).sort());
  return { outT, outO, onnx };
}

function compareFolders(
  t: { diagnostic: (s: string) => void },
  outT: string,
  outO: string,
  classes: number,
) {
  for (const f of readdirSync(outT)) {
    const a = readNifti(join(outT, f));
    const b = readNifti(join(outO, f));
    assert.deepEqual(b.shape, a.shape);
    assert.deepEqual(b.spacing, a.spacing);
    assert.deepEqual(b.affine, a.affine);
    assert.equal(b.datatype, 'uint8');
    let differ = 0;
    for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) differ++;
    const dice = dicePerClass(a.data as Uint8Array, b.data as Uint8Array, classes);
    t.diagnostic(
      `${f}: ${differ} of ${a.data.length} voxels differ; Dice ${dice.map((d) => d.toFixed(4))}`,
    );
    for (const d of dice) assert.ok(d >= 0.99, `${f}: per-class Dice ${dice}`);
  }
}

describe('contraseg predict --engine onnx', () => {
  test('phantom NIfTI volume, flip TTA: same files as torch, without LibTorch', (t) => {
    const model = join(tmp.dir, 'tiny.safetensors');
    writeTinyModel(model, {
      preprocess: { mode: 'spacing', targetSpacing: [2, 2], cropSize: [32, 32] },
      seed: 3,
    });
    const dir = join(tmp.dir, 'in');
    mkdirSync(dir);
    const shape: [number, number, number] = [4, 40, 36];
    writeNifti(join(dir, 'case1.nii.gz'), {
      shape,
      data: discImage(shape, 5),
      spacing: [5, 1.5, 1.25],
      affine: null,
      datatype: 'float32',
    });
    const { outT, outO } = predictBoth(model, dir, 'tiny', ['--tta', 'flip']);
    compareFolders(t, outT, outO, 3);
  });

  test(
    'shipped acdc-1 model on a real ACDC validation volume (HDF5)',
    { skip: skipWithoutData('ACDC') },
    (t) => {
      const acdc = join(sharedDataDir() as string, 'ACDC');
      const id = readFileSync(join(acdc, 'val.list'), 'utf8').split('\n')[0].trim();
      const input = join(acdc, 'data', `${id}.h5`);
      const { outT, outO } = predictBoth('models/acdc-1.safetensors', input, 'acdc-1');
      compareFolders(t, outT, outO, 4);
    },
  );

  test('engine mismatches are one-line errors', () => {
    const onnx = join(tmp.dir, 'tiny.onnx');
    const r = cli(['predict', '--model', onnx, '--input', tmp.dir, '--output', join(tmp.dir, 'x')]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /needs --engine onnx/);
    const s = cli(
      ['predict', '--engine', 'onnx', '--model', join(tmp.dir, 'tiny.safetensors')].concat([
        '--input',
        tmp.dir,
        '--output',
        join(tmp.dir, 'x'),
      ]),
      NO_TORCH,
    );
    assert.equal(s.status, 2);
    assert.match(s.stderr, /takes a \.onnx model/);
  });
});

describe('without LibTorch', () => {
  test('training commands print one line saying what training needs and exit 2', () => {
    for (const args of [
      ['train', '--config', 'configs/acdc-1-cpu.json'],
      ['run', '--config', 'configs/acdc-1-cpu.json'],
      ['demo'],
      ['bench', 'train', '--iterations', '1'],
      [
        'predict',
        '--model',
        'models/acdc-1.safetensors',
        '--input',
        'test/fixtures/acdc-mini/data',
        '--output',
        join(tmp.dir, 'y'),
      ],
    ]) {
      const r = cli(args, NO_TORCH);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0], /needs LibTorch.*Training \(train, run, demo, bench\).*see README/);
    }
  });

  test('the npm install hook skips the addon with one line when LibTorch is missing', () => {
    const r = spawnSync(process.execPath, ['native/build.mjs', '--optional'], {
      encoding: 'utf8',
      env: { ...process.env, LIBTORCH: join(tmp.dir, 'no-libtorch') },
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim().split('\n').length, 1);
    assert.match(r.stdout, /LibTorch not found.*training needs it/);
  });

  test('inspect, evaluate and report work', () => {
    const i = cli(['inspect', 'test/fixtures/acdc-mini'], NO_TORCH);
    assert.equal(i.status, 0, i.stderr);
    const dir = join(tmp.dir, 'eval');
    mkdirSync(dir);
    const shape: [number, number, number] = [2, 8, 8];
    const label = new Uint8Array(128).map((_, k) => (k % 8 < 4 ? 1 : 0));
    const vol = {
      shape,
      data: label,
      spacing: [1, 1, 1],
      affine: null,
      datatype: 'uint8',
    } as const;
    mkdirSync(join(dir, 'pred'));
    mkdirSync(join(dir, 'gt'));
    writeNifti(join(dir, 'pred', 'a.nii.gz'), { ...vol, spacing: [1, 1, 1] });
    writeNifti(join(dir, 'gt', 'a.nii.gz'), { ...vol, spacing: [1, 1, 1] });
    const e = cli(
      [
        'evaluate',
        '--pred',
        join(dir, 'pred'),
        '--gt',
        join(dir, 'gt'),
        '--out',
        join(dir, 's.csv'),
      ],
      NO_TORCH,
    );
    assert.equal(e.status, 0, e.stderr);
    const run = join(dir, 'run');
    mkdirSync(run);
    writeFileSync(
      runFiles(run).metrics,
      '{"stage":"baseline","iter":1,"kind":"train","loss":1,"time":0}\n',
    );
    const r = cli(['report', run, '--quiet'], NO_TORCH);
    assert.equal(r.status, 0, r.stderr);
  });
});
