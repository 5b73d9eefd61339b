import type { Command } from 'commander';
import { join } from 'node:path';
import type { Method } from '../../method/run.js';
import { exitWithLauncher, launchRanks, parseLaunchOptions } from '../launch.js';
import { makeReporter } from '../progress.js';
import { InputError } from '../../errors.js';
import { BASELINE, METHODS, methodNames } from '../../method/methods/index.js';
import { formatSummaryTable } from '../summary-table.js';

interface TrainOptions {
  config: string;
  out?: string;
  resume?: boolean;
  baselineFrom?: string;
  stage?: string;
  json?: boolean;
  nproc?: string;
  nnodes?: string;
  nodeRank?: string;
  masterAddr?: string;
  masterPort?: string;
}

const STAGES: readonly Method[] = methodNames;

async function execute(o: TrainOptions, methods: Method[] | undefined): Promise<void> {
  // Imported here: the other commands (predict --engine onnx, evaluate, ...) run without LibTorch.
  const { runPipeline } = await import('../../method/run.js');
  const { loadConfig } = await import('../../method/config.js');
  const { launchEnv, joinWorld } = await import('../../method/distributed/join.js');
  const { distributedSettings } = await import('../../method/distributed/settings.js');
  const cfg = loadConfig(o.config);
  const dir = o.out ?? join('runs', cfg.name);
  const env = launchEnv();
  const launch = parseLaunchOptions(o);
  if (!env && launch.nproc * launch.nnodes > 1) {
    process.exitCode = await launchRanks(launch, process.argv.slice(2));
    return;
  }
  if (env) exitWithLauncher();
  const joined = env ? joinWorld(env, { device: cfg.device, ...distributedSettings(cfg) }) : null;
  const main = !joined || joined.world.isMain;
  const summary = await runPipeline(cfg, {
    dir,
    resume: o.resume,
    baselineFrom: o.baselineFrom,
    reporter: makeReporter({ quiet: !main }),
    methods,
    world: joined?.world,
    device: joined?.device,
  });
  if (joined) {
    const torch = await import('../../torch/index.js');
    torch.distributed.barrier(); // rank 0 serves the store: it leaves last
    torch.distributed.destroyProcessGroup();
  }
  if (!main) return;
  process.stdout.write(
    o.json
      ? `${JSON.stringify(summary)}\n`
      : `${formatSummaryTable(summary)}\nrun directory: ${dir}\n`,
  );
}

/** torchrun's launch options, on `train` and `run`. */
function launchOptions(command: Command): Command {
  return command
    .option('--nproc <n>', 'data-parallel ranks on this machine (torchrun --nproc-per-node)')
    .option('--nnodes <n>', 'machines of the data-parallel job')
    .option('--node-rank <i>', "this machine's index, 0..nnodes-1")
    .option('--master-addr <host>', "rank 0's machine (default 127.0.0.1)")
    .option('--master-port <port>', "rank 0's rendezvous port (default 29500)");
}

/** The run-directory options of `train` and `run`. */
function runDirOptions(command: Command): Command {
  return command
    .option('--out <dir>', 'run directory (default runs/<name>)')
    .option('--resume', 'continue the run in the run directory')
    .option(
      '--baseline-from <dir>',
      "start from this run directory's finished baseline instead of training one (same baseline config; without baseline.handoff, from the baseline's end)",
    )
    .option('--json', 'print the summary as JSON');
}

/** `contraseg train` (one stage) and `contraseg run` (the whole pipeline). */
export function register(program: Command): void {
  const train = program
    .command('train')
    .description(`train one stage (${STAGES.join(', ')}; the ${BASELINE.name} first if needed)`)
    .requiredOption('--config <file>', 'run configuration (JSON)');
  launchOptions(runDirOptions(train))
    .option(
      '--stage <name>',
      METHODS.map((m) => `${m.name}: ${m.description}`).join('; '),
      BASELINE.name,
    )
    .action(async (o: TrainOptions) => {
      const stage = o.stage as Method;
      if (!STAGES.includes(stage))
        throw new InputError(`unknown stage '${o.stage}' (use ${STAGES.join(', ')})`, '--stage');
      await execute(o, [stage]);
    });
  const run = program
    .command('run')
    .description('the whole pipeline: baseline, pseudo-labels, joint training, evaluation')
    .requiredOption('--config <file>', 'run configuration (JSON)');
  launchOptions(runDirOptions(run)).action(async (o: TrainOptions) => {
    await execute(o, undefined);
  });
}
