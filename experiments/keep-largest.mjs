// The largest-component post-processing on the validation volumes of finished runs: for every
// method of each run, its selected checkpoint (summary.json) and its last weights predict the
// validation volumes at native resolution, and `contraseg evaluate --keep-largest` scores them as
// they are and with only the largest connected component of every class. Prints one Markdown
// table: mean Dice % (HD95) per class and overall, plain → post-processed, and the classes
// where the post-processing raises the mean Dice (what `export --keep-largest` would record).
// Usage (from the folder the runs' checkpoint paths are relative to, e.g. the experiment's
// worktree): node /path/to/experiments/keep-largest.mjs runs/acdc-1-seed0 [runs/...]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { keepLargestOnValidation } from './validation-keep-largest.mjs';

const pct = (s) => (s.dice.mean * 100).toFixed(1);
const hd = (s) => (s.hd95.mean === null ? '–' : s.hd95.mean.toFixed(1));
const cell = (a, b) => `${pct(a)} (${hd(a)}) → ${pct(b)} (${hd(b)})`;

const rows = [];
let classNames = null;
for (const dir of process.argv.slice(2)) {
  const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
  for (const r of summary.results) {
    const weights = [
      ['selected', r.checkpoint],
      ['last', join(dir, r.method, 'checkpoint.safetensors')],
    ];
    for (const [which, checkpoint] of weights) {
      const s = keepLargestOnValidation(cfg, checkpoint);
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
console.log(
  `| run | method | weights | ${classNames.join(' | ')} | mean | raises Dice of |\n` +
    `|---|---|---|${classNames.map(() => '---|').join('')}---|---|`,
);
console.log(rows.join('\n'));
