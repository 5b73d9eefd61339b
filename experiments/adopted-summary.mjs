// Shared by experiments/tabulate.mjs and experiments/ship-models.mjs: a run's summary.json, and
// for a run that adopted its baseline (`contraseg run --baseline-from`: a variant of
// experiments/variant-configs.mjs) also the methods it did not train, from the run it adopted the
// baseline from, each marked with that run's folder (`from`).
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { adoptedFrom } from '../dist/src/method/adopt-baseline.js';
import { runFiles } from '../dist/src/method/run-dir.js';

const readSummary = (dir) => JSON.parse(readFileSync(runFiles(dir).summary, 'utf8'));

/** { summary (results completed from the adopted run), from (its folder name, or null) }. */
export function summaryWithAdopted(dir) {
  const summary = readSummary(dir);
  const from = adoptedFrom(dir);
  if (!from) return { summary, from: null };
  if (!existsSync(runFiles(from).summary)) return { summary, from: basename(from) };
  const own = new Set(summary.results.map((r) => r.method));
  const others = readSummary(from)
    .results.filter((r) => !own.has(r.method))
    .map((r) => ({ ...r, from: basename(from) }));
  return {
    summary: { ...summary, results: [...summary.results, ...others] },
    from: basename(from),
  };
}
