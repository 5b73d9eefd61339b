import { type ChildProcess, spawn } from 'node:child_process';
import { InputError } from '../errors.js';

/** torchrun's options: ranks per machine, machines, this machine's index, rank 0's address. */
export interface LaunchOptions {
  nproc: number;
  nnodes: number;
  nodeRank: number;
  masterAddr: string;
  masterPort: number;
}

/** Checks the launch options of the command line (commander hands them over as strings). */
export function parseLaunchOptions(o: {
  nproc?: string;
  nnodes?: string;
  nodeRank?: string;
  masterAddr?: string;
  masterPort?: string;
}): LaunchOptions {
  const int = (flag: string, raw: string | undefined, fallback: number, min: number) => {
    const n = raw === undefined ? fallback : Number(raw);
    if (!Number.isInteger(n) || n < min)
      throw new InputError(`expected an integer ≥ ${min}, got '${raw}'`, flag);
    return n;
  };
  const l = {
    nproc: int('--nproc', o.nproc, 1, 1),
    nnodes: int('--nnodes', o.nnodes, 1, 1),
    nodeRank: int('--node-rank', o.nodeRank, 0, 0),
    masterAddr: o.masterAddr ?? '127.0.0.1',
    masterPort: int('--master-port', o.masterPort, 29500, 1),
  };
  if (l.nodeRank >= l.nnodes)
    throw new InputError(`${l.nodeRank} is not below --nnodes ${l.nnodes}`, '--node-rank');
  if (l.masterPort > 65535)
    throw new InputError(`port ${l.masterPort} out of range`, '--master-port');
  return l;
}

const LAST_LINES = 60;

/**
 * Runs this machine's ranks of a data-parallel job (as torchrun does): the same command once per
 * rank with WORLD_SIZE, RANK, LOCAL_RANK, MASTER_ADDR and MASTER_PORT set. Rank 0's output goes
 * to this process's; the others' is kept back. When a rank fails (an error, a kill, or a
 * collective that timed out because a peer hangs), the other ranks are stopped and one line
 * names the rank and its last message. Resolves to the job's exit code.
 */
export function launchRanks(o: LaunchOptions, args: string[]): Promise<number> {
  const worldSize = o.nproc * o.nnodes;
  const children: ChildProcess[] = [];
  const tails: string[][] = [];
  let failure: { local: number; code: number | null; signal: string | null } | null = null;
  let running = o.nproc;
  return new Promise((resolve) => {
    const stopAll = () => {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
      setTimeout(() => {
        for (const c of children)
          if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      }, 5000).unref();
    };
    const forward = (sig: NodeJS.Signals) => () => {
      for (const c of children) c.kill(sig);
    };
    process.once('SIGINT', forward('SIGINT'));
    process.once('SIGTERM', forward('SIGTERM'));
    for (let local = 0; local < o.nproc; local++) {
      const rank = o.nodeRank * o.nproc + local;
      const child = spawn(process.execPath, [process.argv[1], ...args], {
        env: {
          ...process.env,
          WORLD_SIZE: String(worldSize),
          RANK: String(rank),
          LOCAL_RANK: String(local),
          MASTER_ADDR: o.masterAddr,
          MASTER_PORT: String(o.masterPort),
          CONTRASEG_LAUNCHER_PID: String(process.pid),
        },
        stdio: ['ignore', rank === 0 ? 'inherit' : 'ignore', 'pipe'],
      });
      children.push(child);
      tails.push([]);
      child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
        const lines = chunk.split('\n').filter((l) => l.trim() !== '');
        tails[local] = [...tails[local], ...lines].slice(-LAST_LINES);
        if (rank === 0 && !failure) process.stderr.write(chunk);
      });
      child.on('exit', (code, signal) => {
        running--;
        if ((code !== 0 || signal) && !failure) {
          failure = { local, code, signal };
          stopAll();
        }
        if (running > 0) return;
        if (!failure) return resolve(0);
        const f = failure as { local: number; code: number | null; signal: string | null };
        const how = f.signal ? `was killed (${f.signal})` : `exited with code ${f.code}`;
        // The rank's own error line (a stack trace follows an unexpected error).
        const tail = tails[f.local];
        const last = (
          [...tail].reverse().find((l) => l.startsWith('contraseg: ')) ?? tail.at(-1)
        )?.replace(/^contraseg: (error: )?/, '');
        process.stderr.write(
          `contraseg: error: rank ${o.nodeRank * o.nproc + f.local} of ${worldSize} ${how}; the other ranks were stopped` +
            `${last ? ` (its last message: ${last})` : ''}. Continue the run with --resume.\n`,
        );
        resolve(f.code === 2 ? 2 : 1);
      });
    }
  });
}

/**
 * In a rank started by {@link launchRanks}: exits when the launcher is gone (killed with SIGKILL,
 * which it cannot forward), so that no rank trains on alone. Checked between iterations.
 */
export function exitWithLauncher(): void {
  const launcher = Number(process.env.CONTRASEG_LAUNCHER_PID);
  if (!launcher) return;
  setInterval(() => {
    if (process.ppid !== launcher) process.exit(1);
  }, 500).unref();
}
