import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The opaque handle the addon returns for every tensor; only src/torch touches it. */
export interface NativeTensor {
  readonly shape: number[];
  readonly dtype: string;
  readonly device: string;
  readonly disposed: boolean;
  dispose(): void;
}

// The addon is loosely typed on purpose: src/torch/*.ts gives every op its real signature.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type NativeModule = Record<string, (...args: any[]) => any>;

function load(): NativeModule {
  const here = dirname(fileURLToPath(import.meta.url));
  // dist/src/torch -> repo root
  const root = join(here, '..', '..', '..');
  const require = createRequire(import.meta.url);
  try {
    return require(join(root, 'native', 'build', 'Release', 'contraseg.node')) as NativeModule;
  } catch (err) {
    throw new Error(
      `contraseg: the LibTorch addon could not be loaded (${(err as Error).message}). ` +
        'Run `npm install` (it builds native/ against LibTorch; see README).',
    );
  }
}

/** The loaded addon. */
export const native: NativeModule = load();
