/**
 * The inference network of the paper's UNet (src/nn/unet.ts, segmentation head only) as an ONNX
 * graph, built from a state dict of float32 arrays without the tensor engine:
 *
 * - every conv + batch norm pair becomes one Conv with the batch norm folded into its weights
 *   and bias (w' = w * g / sqrt(v + eps), b' = (b - m) * g / sqrt(v + eps) + beta), then Relu;
 * - 3×3 'same' convs pad [1, 1, 1, 1]; the decoder's 2×2 'same' convs pad the bottom and right
 *   only ([0, 0, 1, 1], TF SAME, as src/nn/layers.ts does);
 * - MaxPool 2×2 stride 2; nearest ×2 upsampling is Resize (asymmetric, floor: PyTorch's
 *   'nearest'); skips join with Concat on the channel axis;
 * - the output `logits` (N, C, H, W) is the network's raw output: softmax over axis 1 gives the
 *   probabilities contraseg averages and maps back, argmax over axis 1 the label map.
 *
 * The input `image` (N, 1, H, W) has a dynamic batch and spatial size; H and W must be divisible
 * by 2^(levels-1) (32 for the paper's six levels).
 */
import type { UNetConfig } from '../nn/unet.js';
import { ATTR, FLOAT } from './proto.js';

export interface FloatTensor {
  shape: number[];
  data: Float32Array;
}

/** Opset of the graph: ONNX 1.12 (Debian 12's python3-onnx) checks up to 17; IR version 8. */
export const OPSET = 17;
export const IR_VERSION = 8;

type Attr = Record<string, unknown>;
const ints = (name: string, v: number[]): Attr => ({ name, type: ATTR.INTS, ints: v });
const int = (name: string, v: number): Attr => ({ name, type: ATTR.INT, i: v });
const str = (name: string, v: string): Attr => ({
  name,
  type: ATTR.STRING,
  s: new TextEncoder().encode(v),
});

function initializer(name: string, t: FloatTensor): Record<string, unknown> {
  const le = new Uint8Array(t.data.byteLength);
  const view = new DataView(le.buffer);
  for (let i = 0; i < t.data.length; i++) view.setFloat32(4 * i, t.data[i], true);
  return { name, dims: t.shape, data_type: FLOAT, raw_data: le };
}

/** Builds the GraphProto object (plain, for protobufjs) of the UNet's segmentation path. */
export function unetGraph(
  weights: Record<string, FloatTensor>,
  cfg: UNetConfig,
  name = 'contraseg_unet',
): Record<string, unknown> {
  const nodes: Record<string, unknown>[] = [];
  const inits: Record<string, unknown>[] = [];
  const need = (key: string): FloatTensor => {
    const t = weights[key];
    if (!t) throw new Error(`weight '${key}' is missing`);
    return t;
  };
  let counter = 0;
  const fresh = (base: string): string => `${base}_${counter++}`;

  /** Conv (+ folded BN when `bn` is given) (+ Relu), returns the output name. */
  const conv = (
    x: string,
    prefix: string,
    o: { bn?: string; pads: number[]; bias: boolean; relu: boolean; out?: string },
  ): string => {
    const w = need(`${prefix}.weight`);
    const [outC, inC, kh, kw] = w.shape;
    const per = inC * kh * kw;
    const wf = new Float32Array(w.data.length);
    const bf = new Float32Array(outC);
    const b = o.bias ? need(`${prefix}.bias`).data : null;
    for (let c = 0; c < outC; c++) {
      let scale = 1;
      let shift = b ? b[c] : 0;
      if (o.bn) {
        const g = need(`${o.bn}.weight`).data[c];
        const beta = need(`${o.bn}.bias`).data[c];
        const mean = need(`${o.bn}.running_mean`).data[c];
        const variance = need(`${o.bn}.running_var`).data[c];
        scale = g / Math.sqrt(variance + cfg.bnEps);
        shift = (shift - mean) * scale + beta;
      }
      for (let i = 0; i < per; i++) wf[c * per + i] = w.data[c * per + i] * scale;
      bf[c] = shift;
    }
    const wName = `${prefix}.weight`;
    inits.push(initializer(wName, { shape: w.shape, data: wf }));
    const inputs = [x, wName];
    if (o.bias || o.bn) {
      inits.push(initializer(`${prefix}.bias`, { shape: [outC], data: bf }));
      inputs.push(`${prefix}.bias`);
    }
    const y = o.relu ? fresh(`${prefix}.conv`) : (o.out ?? fresh(prefix));
    nodes.push({
      op_type: 'Conv',
      name: `${prefix}`,
      input: inputs,
      output: [y],
      attribute: [ints('kernel_shape', [kh, kw]), ints('pads', o.pads), ints('strides', [1, 1])],
    });
    if (!o.relu) return y;
    const r = o.out ?? fresh(`${prefix}.relu`);
    nodes.push({ op_type: 'Relu', name: `${prefix}.relu`, input: [y], output: [r] });
    return r;
  };
  const block = (x: string, prefix: string, kernel: number): string =>
    conv(x, `${prefix}.conv`, {
      bn: `${prefix}.bn`,
      pads: kernel === 2 ? [0, 0, 1, 1] : [1, 1, 1, 1],
      bias: true,
      relu: true,
    });

  const f = cfg.filters;
  const L = f.length;
  let x = 'image';
  const skips: string[] = [];
  for (let i = 0; i < L; i++) {
    x = block(x, `enc${i + 1}.0`, 3);
    x = block(x, `enc${i + 1}.1`, 3);
    if (i < L - 1) {
      skips.push(x);
      const p = fresh(`pool${i + 1}`);
      nodes.push({
        op_type: 'MaxPool',
        name: `pool${i + 1}`,
        input: [x],
        output: [p],
        attribute: [ints('kernel_shape', [2, 2]), ints('strides', [2, 2])],
      });
      x = p;
    }
  }
  inits.push({ name: 'upsample_scales', dims: [4], data_type: FLOAT, float_data: [1, 1, 2, 2] });
  for (let k = 1; k < L; k++) {
    const u = fresh(`upsample${k}`);
    nodes.push({
      op_type: 'Resize',
      name: `upsample${k}`,
      input: [x, '', 'upsample_scales'],
      output: [u],
      attribute: [
        str('mode', 'nearest'),
        str('coordinate_transformation_mode', 'asymmetric'),
        str('nearest_mode', 'floor'),
      ],
    });
    x = block(u, `up${k}`, 2);
    const joined = fresh(`concat${k}`);
    nodes.push({
      op_type: 'Concat',
      name: `concat${k}`,
      input: [x, skips.pop() as string],
      output: [joined],
      attribute: [int('axis', 1)],
    });
    x = joined;
    const convs = k === L - 1 ? 1 : 2;
    for (let j = 0; j < convs; j++) x = block(x, `dec${k}.${j}`, 3);
  }
  x = block(x, 'seg.0', 3);
  x = block(x, 'seg.1', 3);
  conv(x, 'seg_out', { pads: [1, 1, 1, 1], bias: false, relu: false, out: 'logits' });

  const dims = (names: Array<string | number>) =>
    names.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d }));
  const value = (n: string, shape: Array<string | number>) => ({
    name: n,
    type: { tensor_type: { elem_type: FLOAT, shape: { dim: dims(shape) } } },
  });
  return {
    name,
    node: nodes,
    initializer: inits,
    input: [value('image', ['batch', cfg.inChannels, 'height', 'width'])],
    output: [value('logits', ['batch', cfg.numClasses, 'height', 'width'])],
  };
}
