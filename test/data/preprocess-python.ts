import { spawnSync } from 'node:child_process';

/** Debian's interpreter with numpy and scipy (DEVELOPING.md: parity tests only). */
const PYTHON = '/usr/bin/python3';

/** `skip` option for node:test: false when PYTHON imports numpy and scipy, else the reason. */
export function skipWithoutScipy(): false | string {
  const r = spawnSync(PYTHON, ['-c', 'import numpy, scipy.ndimage'], { encoding: 'utf8' });
  return r.status === 0 ? false : `${PYTHON} with numpy and scipy unavailable: skipped`;
}

/** Runs a Python script that reads JSON on stdin and prints JSON; returns the parsed output. */
export function runPython(script: string, input: unknown): unknown {
  const r = spawnSync(PYTHON, ['-c', script], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`python failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout);
}
