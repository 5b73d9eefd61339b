import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * Where the shared real data lives: $CONTRASEG_DATA, else ../shared/data relative to the repo.
 * Returns null when absent so that tests can skip with a visible reason.
 */
export function sharedDataDir(): string | null {
  const dir = process.env.CONTRASEG_DATA ?? resolve(process.cwd(), '..', 'shared', 'data');
  return existsSync(dir) ? dir : null;
}

/** `skip` option for node:test: false when the data set exists, else a message naming the path. */
export function skipWithoutData(sub: string): false | string {
  const dir = sharedDataDir();
  if (dir && existsSync(resolve(dir, sub))) return false;
  return `shared data ${sub} absent (set CONTRASEG_DATA or place it at ../shared/data): skipped`;
}
