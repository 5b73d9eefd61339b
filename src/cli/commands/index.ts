import type { Command } from 'commander';
import { register as bench } from './bench.js';
import { register as demo } from './demo.js';
import { register as env } from './env.js';
import { register as diagnose } from './diagnose.js';
import { register as evaluate } from './evaluate.js';
import { register as exportModel } from './export.js';
import { register as inspect } from './inspect.js';
import { register as predict } from './predict.js';
import { register as report } from './report.js';
import { register as train } from './train.js';
import { register as view } from './view.js';

/** Every subcommand registers itself on the program; add new ones here. */
export const commands: Array<(program: Command) => void> = [
  demo,
  train,
  bench,
  inspect,
  predict,
  evaluate,
  exportModel,
  report,
  diagnose,
  view,
  env,
];
