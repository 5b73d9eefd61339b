// Scores round-0 pseudo-labels of a finished run against the withheld labels of its unlabeled
// slices for several CRF settings and the plain argmax, from the checkpoint the semi-supervised
// stages start from (baseline/handoff.safetensors, else the baseline's best). One network pass;
// a diagnosis only (the withheld labels never reach training). Uses
// `pseudoLabelQuality` of src/method/diagnose.ts, as `contraseg diagnose pseudo-labels --crf`.
// Usage (after `npx tsc -p tsconfig.json`):
//   node experiments/crf-sweep.mjs <run-dir> [--units px|mm|fov] [--json]
//                                  [--crf a,b,c,d,e,f ...]   (repeatable; default: the list below)
import { pseudoLabelQuality } from '../dist/src/method/diagnose.js';
import { parseCrfList } from '../dist/src/cli/commands/diagnose.js';

const args = process.argv.slice(2);
const runDir = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
if (!runDir) {
  console.error(
    'usage: node experiments/crf-sweep.mjs <run-dir> [--units px|mm|fov] [--crf list ...]',
  );
  process.exit(2);
}
const value = (name) => args[args.indexOf(`--${name}`) + 1];
const given = args.flatMap((a, i) => (a === '--crf' ? [args[i + 1]] : []));

// Default sweep, in fractions of the input side (SSL4MIS ACDC, PROMISE12: the whole field of view
// is resized to the input): widths from 1/64 to 1/16 of the side (2 to 8 px at 128) at Potts
// weights 10 and 30, and the configs' 7 px at 128 (0.055) with 30.
const DEFAULT_FOV = [
  [0.0001, 0.5, 10, 0.0156, 10, 10],
  [0.0001, 0.5, 10, 0.023, 10, 10],
  [0.0001, 0.5, 10, 0.031, 10, 10],
  [0.0001, 0.5, 10, 0.0156, 30, 10],
  [0.0001, 0.5, 10, 0.023, 30, 10],
  [0.0001, 0.5, 10, 0.039, 30, 10],
  [0.0001, 0.5, 10, 0.055, 30, 10],
];
const units = args.includes('--units') ? value('units') : given.length ? undefined : 'fov';
const lists = given.length ? given.map(parseCrfList) : DEFAULT_FOV;
const settings = lists.map((crf) => ({ crf, units }));

const rows = await pseudoLabelQuality(runDir, { argmax: true, settings, saved: false });
if (args.includes('--json')) {
  process.stdout.write(`${JSON.stringify(rows)}\n`);
} else {
  const pct = (v) => (100 * v).toFixed(1).padStart(5);
  console.log('setting | Dice per foreground class | mean | slices with every class');
  for (const r of rows) {
    console.log(
      `${r.stage} | ${r.perClass.map(pct).join(' /')} | ${pct(r.dice)} | ${pct(r.allClassSlices)} %`,
    );
  }
}
