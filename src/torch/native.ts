import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { EngineUnavailableError } from '../errors.js';
import { addonPath } from '../util/package-info.js';
import { opTableSha256, type NativeModule } from './native-api.js';

// The addon's type is generated from the table of native ops (native/src/ops.def), so that tsc
// rejects a misspelt op or a call with the wrong arguments.
export type { NativeModule, NativeTensor } from './native-api.js';

/**
 * OpenMP threads that spin while waiting collapse when the machine is oversubscribed (measured on
 * 2 cores: a 64×64 UNet step went from 0.7 s to 1.8–4.4 s with 2 spinning threads). Passive
 * waiting costs little on a quiet machine, so it is the default unless the user chose otherwise.
 * libgomp reads the variable when LibTorch is loaded, hence before `require`.
 */
process.env.OMP_WAIT_POLICY ??= 'PASSIVE';

/**
 * Throws unless the addon was compiled from the op table this code was generated from: an addon
 * left from other sources (a checkout updated without rebuilding, or a shared build folder) would
 * otherwise fail later, at the first call whose arguments changed, with a message about that call.
 */
export function checkOpTable(addon: { opTable?: unknown }, path: string): void {
  const found =
    typeof addon.opTable === 'string'
      ? createHash('sha256').update(addon.opTable).digest('hex')
      : 'none';
  if (found !== opTableSha256)
    throw new EngineUnavailableError(
      `${path} was built from other sources than this code: its op table ${found.slice(0, 12)}, expected ${opTableSha256.slice(0, 12)}`,
      'Rebuild it with `node native/build.mjs` (or `npm run setup`).',
    );
}

function load(): NativeModule {
  // For tests and for checking that a code path runs without LibTorch.
  if (process.env.CONTRASEG_NO_TORCH) throw new EngineUnavailableError('CONTRASEG_NO_TORCH is set');
  const require = createRequire(import.meta.url);
  let addon: NativeModule;
  try {
    addon = require(addonPath) as NativeModule;
  } catch (err) {
    const msg = (err as Error).message.split('\n')[0];
    throw new EngineUnavailableError(msg);
  }
  checkOpTable(addon, addonPath);
  return addon;
}

/** The loaded addon. */
export const native: NativeModule = load();
