/** Checks shared by the data set readers: list files, listed files, numeric options. */
import { existsSync, readFileSync } from 'node:fs';
import { InputError } from '../errors.js';

/**
 * Reads a list file: one id per line, surrounding blanks and empty lines ignored. A missing file,
 * an empty list or a repeated id throws InputError naming the file.
 */
export function readListFile(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read list: ${(err as NodeJS.ErrnoException).code ?? err}`, path);
  }
  const ids = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  if (ids.length === 0) throw new InputError('the list names no cases', path);
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) throw new InputError(`'${id}' is listed twice`, path);
    seen.add(id);
  }
  return ids;
}

/** Throws InputError naming the first of `paths` that does not exist and the list naming it. */
export function assertFilesExist(paths: readonly string[], listedIn: string): void {
  for (const path of paths) {
    if (!existsSync(path)) throw new InputError(`names ${path}, which does not exist`, listedIn);
  }
}

/** Returns `value` when it is an integer in [min, max], else throws InputError naming `option`. */
export function checkCount(value: number, min: number, max: number, option: string): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InputError(`must be an integer in ${min}..${max}, got ${value}`, option);
  }
  return value;
}
