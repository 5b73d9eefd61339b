import * as torch from '../torch/index.js';
import { UNet, type UNetConfig } from '../nn/index.js';
import { loadSafetensors, saveSafetensors } from '../nn/safetensors.js';
import { Preprocessor, type PreprocessConfig } from '../data/preprocess.js';
import { InputError } from '../errors.js';
import { metadataJson } from '../io/safetensors-format.js';
import { KEEP_LARGEST_KEY, keepLargestOf } from '../io/keep-largest-entry.js';
import { requireDevice } from './setup.js';

/** A trained model ready for prediction: network, its preprocessing, and class names. */
export interface LoadedModel {
  net: UNet;
  preprocessor: Preprocessor;
  classNames: string[];
  metadata: Record<string, string>;
  /** Classes whose largest component predictions keep (the file's KEEP_LARGEST_KEY entry). */
  keepLargest: number[];
}

/**
 * Loads a model from any contraseg safetensors file: a training checkpoint (best or last) or an
 * exported model. Weights are the entries with plain PyTorch names; float16 files are widened to
 * float32. The network is put in evaluation mode on `device`.
 */
export function loadModel(path: string, device = 'cpu'): LoadedModel {
  requireDevice(device, '--device');
  const { tensors, metadata } = loadSafetensors(path);
  try {
    const unet = metadataJson<UNetConfig>(metadata, 'contraseg.unet', path);
    const pre = metadataJson<PreprocessConfig>(metadata, 'contraseg.preprocess', path);
    const classNames = metadataJson<string[]>(metadata, 'contraseg.classes', path);
    const keepLargest = keepLargestOf(metadata, unet.numClasses, path);
    const net = new UNet(unet);
    const weights: Record<string, torch.Tensor> = {};
    for (const [k, t] of Object.entries(tensors)) if (!k.startsWith('__')) weights[k] = t;
    try {
      net.loadStateDict(weights);
    } catch (err) {
      net.dispose();
      throw new InputError((err as Error).message, path);
    }
    if (device !== 'cpu') net.to(device);
    net.eval();
    return { net, preprocessor: new Preprocessor(pre), classNames, metadata, keepLargest };
  } finally {
    torch.dispose(tensors);
  }
}

/**
 * Writes the weights of a checkpoint as a standalone model (no optimiser or RNG state), in float16
 * by default, with the metadata `loadModel` needs plus any extra entries (e.g. a model card).
 */
export function exportModel(
  checkpoint: string,
  out: string,
  o: { dtype?: 'float16' | 'float32'; extra?: Record<string, string> } = {},
): void {
  const { tensors, metadata } = loadSafetensors(checkpoint);
  try {
    const weights: Record<string, torch.Tensor> = {};
    for (const [k, t] of Object.entries(tensors)) if (!k.startsWith('__')) weights[k] = t;
    const keep = ['format', 'contraseg.unet', 'contraseg.preprocess', 'contraseg.classes'];
    const md: Record<string, string> = {};
    if (metadata[KEEP_LARGEST_KEY] !== undefined) md[KEEP_LARGEST_KEY] = metadata[KEEP_LARGEST_KEY];
    Object.assign(md, o.extra);
    for (const k of keep) if (metadata[k] !== undefined) md[k] = metadata[k];
    const unet = metadataJson<UNetConfig>(metadata, 'contraseg.unet', checkpoint);
    keepLargestOf(md, unet.numClasses, out);
    saveSafetensors(out, weights, md, { dtype: o.dtype ?? 'float16' });
  } finally {
    torch.dispose(tensors);
  }
}
