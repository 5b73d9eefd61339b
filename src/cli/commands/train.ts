import type { Command } from 'commander';
import { join } from 'node:path';
import type { Method, RunSummary } from '../../method/run.js';
import { makeReporter } from '../progress.js';
import { InputError } from '../../errors.js';
import { BASELINE, METHODS, methodNames } from '../../method/methods/index.js';
import { formatSummaryTable } from '../summary-table.js';

interface TrainOptions {
  config: string;
  out?: string;
  resume?: boolean;
  stage?: string;
  json?: boolean;
}

const STAGES: readonly Method[] = methodNames;

async function execute(o: TrainOptions, methods: Method[] | undefined): Promise<RunSummary> {
  // Imported here: the other commands (predict --engine onnx, evaluate, ...) run without LibTorch.
  const { runPipeline } = await import('../../method/run.js');
  const { loadConfig } = await import('../../method/config.js');
  const cfg = loadConfig(o.config);
  const dir = o.out ?? join('runs', cfg.name);
  const summary = await runPipeline(cfg, {
    dir,
    resume: o.resume,
    reporter: makeReporter(),
    methods,
  });
  process.stdout.write(
    o.json
      ? `${JSON.stringify(summary)}\n`
      : `${formatSummaryTable(summary)}\nrun directory: ${dir}\n`,
  );
  return summary;
}

/** `contraseg train` (one stage) and `contraseg run` (the whole pipeline). */
export function register(program: Command): void {
  program
    .command('train')
    .description(`train one stage (${STAGES.join(', ')}; the ${BASELINE.name} first if needed)`)
    .requiredOption('--config <file>', 'run configuration (JSON)')
    .option(
      '--stage <name>',
      METHODS.map((m) => `${m.name}: ${m.description}`).join('; '),
      BASELINE.name,
    )
    .option('--out <dir>', 'run directory (default runs/<name>)')
    .option('--resume', 'continue the run in the run directory')
    .option('--json', 'print the summary as JSON')
    .action(async (o: TrainOptions) => {
      const stage = o.stage as Method;
      if (!STAGES.includes(stage))
        throw new InputError(`unknown stage '${o.stage}' (use ${STAGES.join(', ')})`, '--stage');
      await execute(o, [stage]);
    });
  program
    .command('run')
    .description('the whole pipeline: baseline, pseudo-labels, joint training, evaluation')
    .requiredOption('--config <file>', 'run configuration (JSON)')
    .option('--out <dir>', 'run directory (default runs/<name>)')
    .option('--resume', 'continue the run in the run directory')
    .option('--json', 'print the summary as JSON')
    .action(async (o: TrainOptions) => {
      await execute(o, undefined);
    });
}
