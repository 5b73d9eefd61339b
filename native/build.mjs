// `npm install` hook: checks that LibTorch is present (one clear message if not) and builds the
// addon with node-gyp against the local Node headers (no download, works offline).
// With --optional (the install hook) a missing LibTorch prints one line and exits 0: prediction
// with ONNX Runtime, evaluate, inspect and report work without the addon; training needs it.
// scripts/setup.sh runs it without --optional (the full install).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { findLibTorch } from './libtorch.mjs';

const here = dirname(fileURLToPath(import.meta.url));
try {
  const lt = findLibTorch();
  console.log(
    `contraseg: building the LibTorch addon against ${lt.libdir}${lt.cuda ? ' (CUDA)' : ''}`,
  );
} catch (err) {
  if (process.argv.includes('--optional')) {
    const first = String(err.message).split('\n')[0];
    console.log(
      `contraseg: LibTorch not found (${first}); skipping the native addon: training needs it (see README), predict --engine onnx does not.`,
    );
    process.exit(0);
  }
  console.error(`\ncontraseg: ${err.message}\n`);
  process.exit(1);
}

function nodeGypCommand() {
  const require = createRequire(import.meta.url);
  try {
    return [process.execPath, require.resolve('node-gyp/bin/node-gyp.js')];
  } catch {
    // npm ships its own node-gyp and tells scripts where it is.
    const bundled = process.env.npm_config_node_gyp;
    if (bundled && existsSync(bundled)) return [process.execPath, bundled];
    return ['node-gyp'];
  }
}

const [cmd, ...pre] = nodeGypCommand();
const extra = [];
if (!process.env.npm_config_nodedir && existsSync('/usr/include/node/node_api.h'))
  extra.push('--nodedir=/usr');
// configure + build (not rebuild): an existing addon stays usable until the new one is linked.
let r = spawnSync(cmd, [...pre, 'configure', ...extra], { cwd: here, stdio: 'inherit' });
if (r.status === 0) {
  const jobs = `--jobs=${process.env.CONTRASEG_BUILD_JOBS ?? 'max'}`;
  r = spawnSync(cmd, [...pre, 'build', jobs, ...extra], { cwd: here, stdio: 'inherit' });
}
if (r.status !== 0) {
  console.error('\ncontraseg: the native build failed (see the compiler output above).');
  process.exit(r.status ?? 1);
}
