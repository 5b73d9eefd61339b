import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { InputError } from '../../errors.js';
import { exportModel } from '../../method/model-file.js';

/** `contraseg export`: a checkpoint's weights as a standalone (float16) model for `predict`. */
export function register(program: Command): void {
  program
    .command('export')
    .description('write the weights of a checkpoint as a standalone model (float16 by default)')
    .requiredOption(
      '--checkpoint <file>',
      'a training checkpoint (e.g. runs/<name>/proposed/best.safetensors)',
    )
    .requiredOption('--out <file>', 'the model file to write (.safetensors)')
    .option('--dtype <dtype>', 'float16 or float32', 'float16')
    .option('--meta <key=value...>', 'extra metadata entries (e.g. a model card summary)')
    .action((o: { checkpoint: string; out: string; dtype: string; meta?: string[] }) => {
      if (!existsSync(o.checkpoint)) throw new InputError('no such file', o.checkpoint);
      if (o.dtype !== 'float16' && o.dtype !== 'float32')
        throw new InputError(`unknown dtype '${o.dtype}'`, '--dtype');
      const extra: Record<string, string> = {};
      for (const kv of o.meta ?? []) {
        const i = kv.indexOf('=');
        if (i <= 0) throw new InputError(`expected key=value, got '${kv}'`, '--meta');
        extra[kv.slice(0, i)] = kv.slice(i + 1);
      }
      exportModel(o.checkpoint, o.out, { dtype: o.dtype, extra });
    });
}
