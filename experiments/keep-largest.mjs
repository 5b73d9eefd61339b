// The largest-component post-processing on the validation volumes of finished runs: for every
// method of each run, its selected checkpoint (summary.json) and its last weights predict the
// validation volumes at native resolution, and `contraseg evaluate --keep-largest` scores them as
// they are and with only the largest connected component of every class. Prints one Markdown
// table: mean Dice % (HD95) per class and overall, plain → post-processed, and the classes
// where the post-processing raises the mean Dice (what `export --keep-largest` would record).
// Usage (from the folder the runs' checkpoint paths are relative to, e.g. the experiment's
// worktree): node /path/to/experiments/keep-largest.mjs runs/acdc-1-seed0 [runs/...]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'contraseg.js');
const run = (args) => {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`contraseg ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};

/** The validation inputs of a run's data set: predict's --input and the list of case ids. */
function validationInputs(cfg) {
  const root = cfg.data.root;
  if (cfg.data.kind === 'acdc-h5') return { input: join(root, 'data'), gt: root };
  if (cfg.data.kind === 'png-slices') return { input: join(root, 'Img'), gt: root };
  throw new Error(`keep-largest.mjs: data kind ${cfg.data.kind} is not handled`);
}

const pct = (s) => (s.dice.mean * 100).toFixed(1);
const hd = (s) => (s.hd95.mean === null ? '–' : s.hd95.mean.toFixed(1));
const cell = (a, b) => `${pct(a)} (${hd(a)}) → ${pct(b)} (${hd(b)})`;

const tmp = mkdtempSync(join(tmpdir(), 'keep-largest-'));
const rows = [];
let classNames = null;
try {
  for (const dir of process.argv.slice(2)) {
    const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    const { input, gt } = validationInputs(cfg);
    const list = join(cfg.data.root, 'val.list');
    for (const r of summary.results) {
      const weights = [
        ['selected', r.checkpoint],
        ['last', join(dir, r.method, 'checkpoint.safetensors')],
      ];
      for (const [which, checkpoint] of weights) {
        const out = join(tmp, `${r.method}-${which}`);
        run([
          'predict',
          '--quiet',
          '--model',
          checkpoint,
          '--input',
          input,
          '--list',
          list,
          '--output',
          out,
        ]);
        run([
          'evaluate',
          '--quiet',
          '--pred',
          out,
          '--gt',
          gt,
          '--list',
          list,
          '--out',
          `${out}.csv`,
          '--keep-largest',
        ]);
        const s = JSON.parse(readFileSync(`${out}.json`, 'utf8'));
        classNames ??= s.perClass.map((c) => c.name);
        const k = s.keepLargest;
        rows.push(
          `| ${dir.split('/').pop()} | ${r.method} | ${which} | ` +
            s.perClass.map((c, i) => cell(c, k.perClass[i])).join(' | ') +
            ` | **${cell(s.overall, k.overall)}** | ${k.classes.map((c) => s.classNames[c]).join(', ') || 'none'} |`,
        );
      }
    }
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
console.log(
  `| run | method | weights | ${classNames.join(' | ')} | mean | raises Dice of |\n` +
    `|---|---|---|${classNames.map(() => '---|').join('')}---|---|`,
);
console.log(rows.join('\n'));
