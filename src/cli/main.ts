import { Command, CommanderError } from 'commander';
import { EngineUnavailableError, InputError } from '../errors.js';
import { packageVersion } from '../util/package-info.js';
import { commands } from './commands/index.js';

/** Entry point of the `contraseg` command. Bad input exits 2 with one line; other failures exit 1. */
export async function main(argv: string[]): Promise<void> {
  const program = new Command('contraseg')
    .description('Label-efficient medical image segmentation on LibTorch')
    .version(packageVersion() ?? 'unknown')
    .exitOverride();
  for (const register of commands) register(program);
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : 2);
    if (err instanceof InputError || err instanceof EngineUnavailableError) {
      process.stderr.write(`contraseg: error: ${err.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`contraseg: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  }
}
