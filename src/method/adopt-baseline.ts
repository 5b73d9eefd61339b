import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { InputError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic.js';
import { parseConfig, type RunConfig } from './config.js';
import { methodConfigSections } from './method-config.js';
import {
  BASELINE_STAGE,
  STAGE_FILES,
  hasHandoff,
  readDone,
  runFiles,
  stageDir,
  stageFiles,
} from './run-dir.js';
import { MetricsLog } from './train/metrics-log.js';

/**
 * Config fields the baseline stage never reads (dotted paths cover what they hold): two runs that
 * differ only here train the same baseline. The execution fields (threads, device) change speed,
 * not what is trained; `bnUpdate.source` only changes the stages after the baseline (the baseline
 * always re-estimates from its own labeled batches).
 */
const FIELDS_AFTER_BASELINE: readonly string[] = [
  'name',
  'threads',
  'device',
  'methods',
  'pseudo',
  'joint',
  'bnUpdate.source',
  ...Object.keys(methodConfigSections),
];

const readByBaseline = (field: string) =>
  !FIELDS_AFTER_BASELINE.some((f) => field === f || field.startsWith(`${f}.`));

/** Dotted paths where two JSON values differ (`a.b` for nested objects, `a` otherwise). */
function differences(a: unknown, b: unknown, path: string): string[] {
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObject(a) && isObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((k) => differences(a[k], b[k], path ? `${path}.${k}` : k));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [path];
}

/**
 * The fields where `cfg` would train another baseline than `other`'s, or start its methods from
 * another checkpoint. `baseline.handoff` only adds a checkpoint to the same training, so `cfg`
 * without one may adopt `other`'s baseline all the same: its methods start from the best over all
 * the baseline's iterations, which every baseline keeps.
 */
export function baselineDifferences(cfg: RunConfig, other: RunConfig): string[] {
  return differences(cfg, other, '')
    .filter(readByBaseline)
    .filter((field) => field !== 'baseline.handoff' || hasHandoff(cfg));
}

const ADOPTED_EVENT = 'adopted';

/** The run directory whose baseline run directory `dir` adopted (`--baseline-from`), or null. */
export function adoptedFrom(dir: string): string | null {
  const event = new MetricsLog(runFiles(dir).metrics)
    .read()
    .find((r) => r.kind === 'event' && r.event === ADOPTED_EVENT);
  return event ? (event.from as string) : null;
}

/**
 * Prepares starting run directory `dir` (config `cfg`) from the finished baseline of run directory
 * `from` (`contraseg run --baseline-from`), so that methods or their settings can be compared on
 * one baseline without training it again. Checks now, before the run directory is written, that
 * the two configs agree on every field the baseline reads and that `from`'s baseline finished;
 * returns the copy to make once the run directory exists, or null when `dir`'s baseline has
 * finished already (a resumed run). The copy takes the stage's checkpoints and done.json (not
 * round 0's pseudo-labels: they depend on `pseudo` and `joint`), its metrics.jsonl records and an
 * 'adopted' event naming `from`; the folder appears whole or not at all, and a killed copy simply
 * runs again.
 */
export function baselineAdoption(cfg: RunConfig, dir: string, from: string): (() => void) | null {
  const target = stageDir(dir, BASELINE_STAGE);
  if (readDone(target)) return null;
  if (existsSync(target))
    throw new InputError(
      'the run directory has trained part of its own baseline; use another --out to adopt one',
      dir,
    );
  const sourceConfig = runFiles(from).config;
  if (!existsSync(sourceConfig)) throw new InputError('not a run directory (no config.json)', from);
  const differing = baselineDifferences(
    cfg,
    parseConfig(JSON.parse(readFileSync(sourceConfig, 'utf8')), sourceConfig),
  );
  if (differing.length > 0)
    throw new InputError(
      `its baseline was trained with another config: ${differing.join(', ')} differ`,
      from,
    );
  const source = stageDir(from, BASELINE_STAGE);
  const done = readDone(source);
  if (!done) throw new InputError('its baseline has not finished (no done.json)', source);
  return () => {
    const staging = `${target}.adopting`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging);
    const sourceFiles = stageFiles(source);
    const stagingFiles = stageFiles(staging);
    for (const k of Object.keys(STAGE_FILES) as (keyof typeof STAGE_FILES)[]) {
      if (existsSync(sourceFiles[k])) copyFileSync(sourceFiles[k], stagingFiles[k]);
    }
    const records = new MetricsLog(runFiles(from).metrics)
      .read()
      .filter((r) => r.stage === BASELINE_STAGE);
    const others = new MetricsLog(runFiles(dir).metrics)
      .read()
      .filter((r) => r.stage !== BASELINE_STAGE);
    const adopted = {
      stage: BASELINE_STAGE,
      iter: done.iteration,
      kind: 'event',
      event: ADOPTED_EVENT,
      from: resolve(from),
    };
    writeFileAtomic(
      runFiles(dir).metrics,
      [...records, adopted, ...others].map((r) => `${JSON.stringify(r)}\n`).join(''),
    );
    renameSync(staging, target);
  };
}
