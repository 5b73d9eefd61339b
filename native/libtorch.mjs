// Locates LibTorch for the native build: $LIBTORCH (a pytorch.org zip or a Python torch wheel's
// directory with include/ and lib/), else Debian's libtorch-dev. Prints one gyp value:
//   node libtorch.mjs include|libdir|cuda
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export function findLibTorch() {
  const root = process.env.LIBTORCH;
  if (root) {
    const include = join(root, 'include');
    const libdir = join(root, 'lib');
    if (!existsSync(join(include, 'ATen', 'ATen.h')) || !existsSync(join(libdir, 'libtorch_cpu.so'))) {
      throw new Error(
        `LIBTORCH=${root} does not look like a LibTorch folder (need include/ATen/ATen.h and lib/libtorch_cpu.so)`,
      );
    }
    return { include, libdir, cuda: existsSync(join(libdir, 'libtorch_cuda.so')) };
  }
  let multiarch = 'x86_64-linux-gnu';
  try {
    multiarch = execFileSync('gcc', ['-print-multiarch'], { encoding: 'utf8' }).trim() || multiarch;
  } catch {
    /* keep the default */
  }
  const include = '/usr/include';
  const libdir = `/usr/lib/${multiarch}`;
  if (!existsSync(join(include, 'ATen', 'ATen.h')) || !existsSync(join(libdir, 'libtorch_cpu.so'))) {
    throw new Error(
      'LibTorch not found. On Debian/Ubuntu run `apt-get install libtorch-dev`; otherwise download ' +
        'LibTorch from pytorch.org (CPU or CUDA) and set LIBTORCH=/path/to/libtorch before `npm install`.',
    );
  }
  return { include, libdir, cuda: existsSync(join(libdir, 'libtorch_cuda.so')) };
}

if (process.argv[1] && process.argv[1].endsWith('libtorch.mjs')) {
  const lt = findLibTorch();
  const what = process.argv[2];
  if (what === 'include') console.log(`${lt.include} ${join(lt.include, 'torch', 'csrc', 'api', 'include')}`);
  else if (what === 'libdir') console.log(lt.libdir);
  else if (what === 'cuda') console.log(lt.cuda ? '1' : '0');
  else throw new Error(`unknown query ${what}`);
}
