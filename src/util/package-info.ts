import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's root folder (this file runs from dist/src/util). */
export const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The LibTorch addon that `node native/build.mjs` builds. */
export const addonPath = join(packageRoot, 'native', 'build', 'Release', 'contraseg.node');

/** The `version` of a package.json under the root (contraseg's own by default), or null. */
export function packageVersion(relative = 'package.json'): string | null {
  try {
    return (JSON.parse(readFileSync(join(packageRoot, relative), 'utf8')) as { version: string })
      .version;
  } catch {
    return null;
  }
}
