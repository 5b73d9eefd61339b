// Paired comparison of two models on the same volumes, from two `contraseg evaluate` CSVs: each
// volume's Dice averaged over its classes, the per-volume differences A − B (Dice points), how
// many volumes each model wins, a percentile-bootstrap 95 % interval of the mean difference
// (10,000 resamples of the volumes, seed 0) and the two-sided sign test's p-value.
// Usage: node experiments/paired-dice.mjs A.csv B.csv   (needs dist/)
import { readFileSync } from 'node:fs';
import { percentileSorted } from '../dist/src/metrics/stats.js';
import { Rng } from '../dist/src/util/rng.js';

function volumeDice(path) {
  const [header, ...lines] = readFileSync(path, 'utf8').trim().split('\n');
  const cols = header.split(',');
  const [vol, dice] = [cols.indexOf('volume'), cols.indexOf('dice')];
  if (vol < 0 || dice < 0) throw new Error(`${path}: not a contraseg evaluate CSV (volume, dice)`);
  const perVolume = new Map();
  for (const line of lines) {
    const f = line.split(',');
    perVolume.set(f[vol], [...(perVolume.get(f[vol]) ?? []), Number(f[dice])]);
  }
  return new Map([...perVolume].map(([k, v]) => [k, v.reduce((s, x) => s + x, 0) / v.length]));
}

const [pathA, pathB] = process.argv.slice(2);
if (!pathB) throw new Error('usage: node experiments/paired-dice.mjs A.csv B.csv');
const [a, b] = [volumeDice(pathA), volumeDice(pathB)];
const ids = [...a.keys()].filter((k) => b.has(k));
if (ids.length !== a.size || ids.length !== b.size)
  throw new Error(`${pathA} and ${pathB} do not score the same volumes`);
const diff = ids.map((k) => 100 * (a.get(k) - b.get(k)));
const mean = (xs) => xs.reduce((s, x) => s + x, 0) / xs.length;

const rng = new Rng(0);
const boot = Array.from({ length: 10_000 }, () =>
  mean(diff.map(() => diff[rng.int(diff.length)])),
).sort((x, y) => x - y);

const wins = diff.filter((d) => d > 0).length;
const losses = diff.filter((d) => d < 0).length;
// Two-sided sign test: P(X ≤ min(wins, losses)) doubled, X ~ Binomial(wins + losses, 1/2).
const n = wins + losses;
let tail = 0;
for (let k = 0, c = 1; k <= Math.min(wins, losses); c = (c * (n - k)) / (k + 1), k++) tail += c;
const p = Math.min(1, (2 * tail) / 2 ** n);

console.log(`${ids.length} volumes; A = ${pathA}, B = ${pathB}`);
console.log(
  `mean Dice A ${(100 * mean(ids.map((k) => a.get(k)))).toFixed(2)} %, B ${(100 * mean(ids.map((k) => b.get(k)))).toFixed(2)} %`,
);
console.log(
  `A − B: mean ${mean(diff).toFixed(2)} points, bootstrap 95 % [${percentileSorted(boot, 2.5).toFixed(2)}, ${percentileSorted(boot, 97.5).toFixed(2)}]; ` +
    `A better on ${wins}, B on ${losses}, sign test p = ${p.toFixed(3)}`,
);
