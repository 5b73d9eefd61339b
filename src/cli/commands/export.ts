import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { InputError } from '../../errors.js';
import { STAGE_FILES } from '../../method/run-dir.js';
import { KEEP_LARGEST_KEY, parseKeepLargest } from '../../io/keep-largest-entry.js';

interface ExportOptions {
  checkpoint: string;
  out?: string;
  onnx?: string;
  dtype: string;
  meta?: string[];
  keepLargest?: string;
}

/**
 * `contraseg export`: a checkpoint's weights as a standalone (float16) safetensors model for
 * `predict`, and/or as an ONNX model (`--onnx`, for `predict --engine onnx` or any ONNX runtime).
 */
export function register(program: Command): void {
  program
    .command('export')
    .description(
      'write the weights of a checkpoint (or model) as a standalone model (float16 safetensors ' +
        'by default) and/or as an ONNX model of the inference network (--onnx)',
    )
    .requiredOption(
      '--checkpoint <file>',
      `a training checkpoint (e.g. runs/<name>/proposed/${STAGE_FILES.best}) or an exported model`,
    )
    .option('--out <file>', 'the model file to write (.safetensors)')
    .option(
      '--onnx <file>',
      'also (or only) write an ONNX model (.onnx): batch norm folded, dynamic batch and size, ' +
        'output logits; preprocessing, classes and provenance in metadata_props (needs no LibTorch)',
    )
    .option('--dtype <dtype>', 'float16 or float32 (of --out)', 'float16')
    .option('--meta <key=value...>', 'extra metadata entries (e.g. a model card summary)')
    .option(
      '--keep-largest <classes>',
      'classes (e.g. 1,2,3) whose largest connected component `predict` keeps by default, or ' +
        'none (choose them with `evaluate --keep-largest` on validation predictions)',
    )
    .action(async (o: ExportOptions) => {
      if (!existsSync(o.checkpoint)) throw new InputError('no such file', o.checkpoint);
      if (o.out === undefined && o.onnx === undefined)
        throw new InputError('give --out <file.safetensors>, --onnx <file.onnx> or both', 'export');
      if (o.dtype !== 'float16' && o.dtype !== 'float32')
        throw new InputError(`unknown dtype '${o.dtype}'`, '--dtype');
      const extra: Record<string, string> = {};
      for (const kv of o.meta ?? []) {
        const i = kv.indexOf('=');
        if (i <= 0) throw new InputError(`expected key=value, got '${kv}'`, '--meta');
        extra[kv.slice(0, i)] = kv.slice(i + 1);
      }
      if (o.keepLargest !== undefined) {
        // The class ids are checked against the model's classes when it is written.
        extra[KEEP_LARGEST_KEY] = JSON.stringify(
          parseKeepLargest(o.keepLargest, 256, '--keep-largest'),
        );
      }
      if (o.out !== undefined) {
        const { exportModel } = await import('../../method/model-file.js');
        exportModel(o.checkpoint, o.out, { dtype: o.dtype, extra });
      }
      if (o.onnx !== undefined) {
        const { exportOnnx } = await import('../../onnx/export.js');
        exportOnnx(o.checkpoint, o.onnx, { extra });
      }
    });
}
