import assert from 'node:assert/strict';
import { test } from 'node:test';
import { onnxModelBytes } from '../../src/onnx/export.js';
import { readOnnxModelInfo } from '../../src/onnx/model-info.js';
import { decodeModel, encodeModel } from '../../src/onnx/proto.js';

// The checks shared by `predict --engine onnx` and the page of `contraseg view`: a contraseg ONNX
// model's metadata and graph must agree, else an InputError naming the file says what is wrong.
const good = onnxModelBytes('models/promise12-2.safetensors').bytes;

type Model = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function variant(edit: (m: Model) => void): Uint8Array {
  const m = decodeModel(good) as Model;
  edit(m);
  return encodeModel(m);
}

function setMeta(m: Model, key: string, value: string | null): void {
  m.metadata_props = (m.metadata_props as Array<{ key: string; value: string }>).filter(
    (p) => p.key !== key,
  );
  if (value !== null) m.metadata_props.push({ key, value });
}

test('a shipped model reads back with its classes and preprocessing', () => {
  const info = readOnnxModelInfo(good, 'p.onnx');
  assert.deepEqual(info.classNames, ['background', 'prostate']);
  assert.equal(info.unet.inChannels, 1);
  assert.equal(info.sizeMultiple, 2 ** (info.unet.filters.length - 1));
  const none = variant((m) => setMeta(m, 'contraseg.keep_largest', null));
  assert.deepEqual(readOnnxModelInfo(none, 'p.onnx').keepLargest, []);
  const kept = variant((m) => setMeta(m, 'contraseg.keep_largest', '[1]'));
  assert.deepEqual(readOnnxModelInfo(kept, 'p.onnx').keepLargest, [1]);
});

test('bad models are refused with a clear message', () => {
  const cases: Array<[string, Uint8Array, RegExp]> = [
    ['truncated', good.subarray(0, 5000), /m\.onnx: not a valid ONNX model.*truncated/],
    ['not ONNX', new TextEncoder().encode('hello, world'), /not a valid ONNX model/],
    [
      'not contraseg',
      variant((m) => setMeta(m, 'contraseg.unet', null)),
      /not a contraseg ONNX model \(metadata_props 'contraseg.unet' missing\)/,
    ],
    [
      '3 input channels',
      variant((m) => {
        m.graph.input[0].type.tensor_type.shape.dim[1] = { dim_value: 3 };
      }),
      /takes 3 input channels; contraseg segments single-channel scans/,
    ],
    [
      'unknown preprocessing',
      variant((m) => setMeta(m, 'contraseg.preprocess', JSON.stringify({ mode: 'zoom' }))),
      /unsupported preprocessing in metadata \(preprocess.mode: unknown mode zoom\)/,
    ],
    [
      'classes disagree',
      variant((m) => setMeta(m, 'contraseg.classes', JSON.stringify(['bg', 'a', 'b']))),
      /output channels but 3 class names/,
    ],
    [
      'keep-largest class out of range',
      variant((m) => setMeta(m, 'contraseg.keep_largest', '[2]')),
      /m\.onnx \(metadata contraseg\.keep_largest\): keep-largest classes must be distinct class ids in 1\.\.1, got \[2\]/,
    ],
  ];
  for (const [what, bytes, message] of cases) {
    assert.throws(() => readOnnxModelInfo(bytes, 'm.onnx'), message, what);
  }
});
