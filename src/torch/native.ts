import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EngineUnavailableError } from '../errors.js';

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

/**
 * OpenMP threads that spin while waiting collapse when the machine is oversubscribed (measured on
 * 2 cores: a 64×64 UNet step went from 0.7 s to 1.8–4.4 s with 2 spinning threads). Passive
 * waiting costs little on a quiet machine, so it is the default unless the user chose otherwise.
 * libgomp reads the variable when LibTorch is loaded, hence before `require`.
 */
process.env.OMP_WAIT_POLICY ??= 'PASSIVE';

function load(): NativeModule {
  // For tests and for checking that a code path runs without LibTorch.
  if (process.env.CONTRASEG_NO_TORCH) throw new EngineUnavailableError('CONTRASEG_NO_TORCH is set');
  const here = dirname(fileURLToPath(import.meta.url));
  // dist/src/torch -> repo root
  const root = join(here, '..', '..', '..');
  const require = createRequire(import.meta.url);
  try {
    return require(join(root, 'native', 'build', 'Release', 'contraseg.node')) as NativeModule;
  } catch (err) {
    const msg = (err as Error).message.split('\n')[0];
    throw new EngineUnavailableError(msg);
  }
}

/** The loaded addon. */
export const native: NativeModule = load();
