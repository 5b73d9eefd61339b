// Shared by experiments/keep-largest.mjs and experiments/ship-models.mjs: a checkpoint's
// predictions of a run's validation volumes at native resolution, scored by `contraseg evaluate
// --keep-largest` as they are and with only the largest connected component of every class.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'contraseg.js');

function contraseg(args) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`contraseg ${args.join(' ')}: ${r.stderr}`);
}

/** The image folder of a run config's data set, for `predict --input`. */
function imageFolder(cfg) {
  if (cfg.data.kind === 'acdc-h5') return join(cfg.data.root, 'data');
  if (cfg.data.kind === 'png-slices') return join(cfg.data.root, 'Img');
  throw new Error(`data kind ${cfg.data.kind} is not handled`);
}

/**
 * `contraseg evaluate --keep-largest`'s JSON summary of `checkpoint` on the validation volumes
 * (val.list) of run config `cfg`; its `keepLargest.classes` are the classes the post-processing
 * helps.
 */
export function keepLargestOnValidation(cfg, checkpoint) {
  const list = join(cfg.data.root, 'val.list');
  const tmp = mkdtempSync(join(tmpdir(), 'keep-largest-'));
  try {
    const pred = join(tmp, 'pred');
    const input = imageFolder(cfg);
    contraseg([
      'predict',
      '--quiet',
      '--model',
      checkpoint,
      '--input',
      input,
      '--list',
      list,
      '--output',
      pred,
    ]);
    const out = join(tmp, 'scores.csv');
    contraseg([
      'evaluate',
      '--quiet',
      '--pred',
      pred,
      '--gt',
      cfg.data.root,
      '--list',
      list,
      '--out',
      out,
      '--keep-largest',
    ]);
    return JSON.parse(readFileSync(join(tmp, 'scores.json'), 'utf8'));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
