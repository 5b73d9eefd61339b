// Writes a variant of some settings of an experiment: the same configs with changed fields, under
// the same file names in another folder, so that `bash experiments/queue.sh -b RUNS ...` trains
// only the changed methods, each from its setting's finished baseline in RUNS
// (`contraseg run --baseline-from`; it refuses a change to anything the baseline reads, except
// removing `baseline.handoff`: the methods then start from the end of the baseline, its best
// checkpoint over all its iterations).
// Usage: node experiments/variant-configs.mjs OUT_DIR SUFFIX METHODS CHANGE... -- CONFIG...
//   where a CHANGE is FIELD=JSON (set) or -FIELD (remove, e.g. -baseline.handoff)
//   e.g. node experiments/variant-configs.mjs configs/hours-ema ema self-training,proposed \
//          joint.modelEmaDecay=0.99 -- configs/hours/acdc-1-seed{0,1,2}.json
// Each written config is named `<name>-<SUFFIX>` and trains METHODS (comma-separated).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

const args = process.argv.slice(2);
const dash = args.indexOf('--');
if (args.length < 4 || dash < 3 || dash === args.length - 1) {
  console.error(
    'usage: node experiments/variant-configs.mjs OUT_DIR SUFFIX METHODS (FIELD=JSON | -FIELD)... -- CONFIG...',
  );
  process.exit(2);
}
const [out, suffix, methods] = args;
/** [path, value]; value undefined removes the field. */
const changes = args.slice(3, dash).map((a) => {
  if (a.startsWith('-')) return [a.slice(1).split('.'), undefined];
  const eq = a.indexOf('=');
  if (eq < 1) throw new Error(`not FIELD=JSON or -FIELD: ${a}`);
  return [a.slice(0, eq).split('.'), JSON.parse(a.slice(eq + 1))];
});
mkdirSync(out, { recursive: true });
for (const file of args.slice(dash + 1)) {
  const cfg = JSON.parse(readFileSync(file, 'utf8'));
  cfg.name = `${cfg.name}-${suffix}`;
  cfg.methods = methods.split(',');
  for (const [path, value] of changes) {
    let section = cfg;
    for (const key of path.slice(0, -1)) section = section[key] ??= {};
    if (value === undefined) delete section[path.at(-1)];
    else section[path.at(-1)] = value;
  }
  const to = join(out, basename(file));
  writeFileSync(to, `${JSON.stringify(cfg, null, 2)}\n`);
  console.log(`${to}: ${cfg.name}, ${cfg.methods.join(', ')}`);
}
