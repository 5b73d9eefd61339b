import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// Running the CLI from tests that kill and resume training runs.
const cli = join('bin', 'contraseg.js');

/** Runs `contraseg args` to the end; fails the test with its stderr unless it exits 0. */
export function runToEnd(args: string[]): void {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  assert.equal(r.status, 0, `contraseg ${args.join(' ')} failed:\n${r.stderr}`);
}

/** Starts a run and SIGKILLs it once metrics.jsonl has at least `lines` lines. */
export async function runAndKill(args: string[], metrics: string, lines: number): Promise<void> {
  const child = spawn(process.execPath, [cli, ...args], { stdio: 'ignore' });
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  const count = () =>
    existsSync(metrics) ? readFileSync(metrics, 'utf8').split('\n').length - 1 : 0;
  while (count() < lines) {
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill('SIGKILL');
  await exited;
}

/** The tensor bytes of a safetensors file (everything after the header). */
export function tensorBytes(path: string): Buffer {
  const b = readFileSync(path);
  return b.subarray(8 + Number(b.readBigUInt64LE(0)));
}
