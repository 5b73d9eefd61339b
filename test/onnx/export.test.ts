import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import * as torch from '../../src/torch/index.js';
import { UNet, type UNetConfig } from '../../src/nn/index.js';
import { saveSafetensors } from '../../src/nn/safetensors.js';
import { loadModel } from '../../src/method/model-file.js';
import { exportOnnx, readOnnxMetadata } from '../../src/onnx/export.js';
import { readHdf5 } from '../../src/io/hdf5.js';
import { sharedDataDir, skipWithoutData } from '../helpers/shared-data.js';
import { cli, tempFolder } from '../eval/model-fixture.js';

// `contraseg export --onnx`: the ONNX graph passes Debian's onnx checker and ONNX Runtime's
// logits match LibTorch's (max abs difference < 1e-4).
const tmp = tempFolder('onnx-export-test-');
after(tmp.cleanup);

/** A small UNet with random weights and non-trivial batch-norm statistics, as a checkpoint. */
function writeRandomCheckpoint(path: string, filters: number[], numClasses: number): UNetConfig {
  torch.manualSeed(7);
  const config: UNetConfig = {
    inChannels: 1,
    numClasses,
    filters,
    embeddingDim: 4,
    bnEps: 1e-3,
    bnMomentum: 0.01,
  };
  const net = new UNet(config);
  try {
    torch.tidy(() => {
      const state: Record<string, torch.Tensor> = {};
      for (const [k, t] of Object.entries(net.stateDict())) {
        if (k.endsWith('running_var') || k.endsWith('bn.weight'))
          state[k] = torch.rand(t.shape).add(0.5);
        else if (k.endsWith('running_mean') || k.endsWith('bn.bias'))
          state[k] = torch.randn(t.shape).mul(0.2);
        else state[k] = t;
      }
      saveSafetensors(path, state, {
        format: 'contraseg-model-v1',
        'contraseg.unet': JSON.stringify(config),
        'contraseg.preprocess': JSON.stringify({ mode: 'resize', size: [32, 32] }),
        'contraseg.classes': JSON.stringify(['background', 'a', 'b'].slice(0, numClasses)),
        'contraseg.trainer': JSON.stringify({ iteration: 3 }),
      });
    });
  } finally {
    net.dispose();
  }
  return config;
}

/** LibTorch logits of the model file for an (N, 1, H, W) batch. */
function torchLogits(modelPath: string, x: Float32Array, shape: number[]): Float32Array {
  const { net } = loadModel(modelPath);
  try {
    return torch.noGrad(() =>
      torch.tidy(() => net.forward(torch.tensor(x, shape)).contiguous().data() as Float32Array),
    );
  } finally {
    net.dispose();
  }
}

async function onnxLogits(onnxPath: string, x: Float32Array, shape: number[]) {
  const session = await ort.InferenceSession.create(onnxPath);
  try {
    const r = await session.run({ image: new ort.Tensor('float32', x, shape) });
    return { data: r.logits.data as Float32Array, dims: [...r.logits.dims] };
  } finally {
    await session.release();
  }
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function randomInput(n: number, seed = 3): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

describe('contraseg export --onnx', () => {
  const ckpt = join(tmp.dir, 'small.safetensors');
  const onnxPath = join(tmp.dir, 'small.onnx');

  test('the CLI writes a model that onnx.checker accepts, with its metadata', () => {
    writeRandomCheckpoint(ckpt, [4, 8, 8], 3);
    const r = cli([
      'export',
      '--checkpoint',
      ckpt,
      '--onnx',
      onnxPath,
      '--meta',
      'card.x=y',
      '--keep-largest',
      '2',
    ]);
    assert.equal(r.status, 0, r.stderr);
    const py = spawnSync(
      '/usr/bin/python3',
      [
        '-c',
        `import sys, onnx
m = onnx.load(sys.argv[1])
onnx.checker.check_model(m, full_check=True)
print(m.opset_import[0].version, sorted(n.op_type for n in m.graph.node if n.op_type != 'Conv' and n.op_type != 'Relu'))`,
        onnxPath,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(py.status, 0, `onnx.checker (python3-onnx): ${py.stderr}`);
    assert.match(py.stdout, /^17 \['Concat', 'Concat', 'MaxPool', 'MaxPool', 'Resize', 'Resize'\]/);
    const md = readOnnxMetadata(readFileSync(onnxPath));
    assert.deepEqual(JSON.parse(md['contraseg.classes']), ['background', 'a', 'b']);
    assert.deepEqual(JSON.parse(md['contraseg.preprocess']), { mode: 'resize', size: [32, 32] });
    assert.deepEqual(JSON.parse(md['contraseg.preprocess.resolved']), {
      mode: 'resize',
      size: [32, 32],
      imageOrder: 0,
      percentiles: null,
      inverse: 'nearest',
    });
    assert.deepEqual(JSON.parse(md['contraseg.unet']).filters, [4, 8, 8]);
    assert.equal(md['contraseg.output'], 'logits');
    assert.equal(md['contraseg.size_multiple'], '4');
    assert.equal(md['contraseg.source'], ckpt);
    assert.match(md['contraseg.source_sha256'], /^[0-9a-f]{64}$/);
    assert.equal(md['contraseg.version'], '0.1.0');
    assert.equal(md['card.x'], 'y');
    assert.equal(md['contraseg.keep_largest'], '[2]');
    assert.equal(md['contraseg.trainer'], undefined);
  });

  test('ONNX Runtime logits match LibTorch on random inputs (dynamic batch and size)', async (t) => {
    for (const shape of [
      [1, 1, 32, 32],
      [3, 1, 16, 24],
    ]) {
      const n = shape.reduce((a, b) => a * b, 1);
      const x = randomInput(n, shape[0]);
      const ref = torchLogits(ckpt, x, shape);
      const got = await onnxLogits(onnxPath, x, shape);
      assert.deepEqual(got.dims, [shape[0], 3, shape[2], shape[3]]);
      const d = maxAbsDiff(ref, got.data);
      t.diagnostic(`max |torch - onnx| = ${d.toExponential(2)} for [${shape}]`);
      assert.ok(d < 1e-4, `max |torch - onnx| = ${d} for ${shape}`);
    }
  });

  test(
    'shipped acdc-1 model: ONNX Runtime matches LibTorch on real ACDC validation slices',
    { skip: skipWithoutData('ACDC') },
    async (t) => {
      const model = 'models/acdc-1.safetensors';
      const out = join(tmp.dir, 'acdc-1.onnx');
      exportOnnx(model, out);
      const acdc = join(sharedDataDir() as string, 'ACDC');
      const id = readFileSync(join(acdc, 'val.list'), 'utf8').split('\n')[0].trim();
      const volume = (await readHdf5(join(acdc, 'data', `${id}.h5`), ['image'])).get('image')!;
      const { preprocessor } = loadModel(model);
      const { slices } = preprocessor.forwardImage(volume);
      const [h, w] = preprocessor.outputSize;
      const n = Math.min(4, volume.shape[0]);
      const start = Math.floor((volume.shape[0] - n) / 2);
      const x = slices.slice(start * h * w, (start + n) * h * w);
      const ref = torchLogits(model, x, [n, 1, h, w]);
      const got = await onnxLogits(out, x, [n, 1, h, w]);
      const d = maxAbsDiff(ref, got.data);
      t.diagnostic(`max |torch - onnx| = ${d.toExponential(2)} on ${id}`);
      assert.ok(d < 1e-4, `max |torch - onnx| = ${d} on ${id} slices ${start}..${start + n - 1}`);
    },
  );
});
