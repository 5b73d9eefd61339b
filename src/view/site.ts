/**
 * The files of the `contraseg view` page: the page (src/web/index.html, style.css), its bundle
 * (src/web/main.ts bundled by esbuild, with contraseg's own preprocessing, prediction and NIfTI
 * code), ONNX Runtime Web's module and wasm (from node_modules, served locally), and the offered
 * models (ONNX, exported from safetensors on demand). Served by server.ts or written as a static
 * site by writeSite.
 */
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../errors.js';

/** The repository (package) root: dist/src/view -> ../../.. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const WEB_SOURCES = join(PACKAGE_ROOT, 'src', 'web');

/** ONNX Runtime Web files the page needs (its ESM bundle with WebGPU and wasm, and the wasm). */
const ORT_FILES = [
  'ort.bundle.min.mjs',
  'ort-wasm-simd-threaded.jsep.mjs',
  'ort-wasm-simd-threaded.jsep.wasm',
];

export const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json; charset=utf-8',
  '.onnx': 'application/octet-stream',
};

/** The folder holding onnxruntime-web's dist files. */
export function ortDistDir(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('onnxruntime-web'));
}

/** Bundles src/web/main.ts for browsers (ESM; onnxruntime-web stays external, see index.html). */
export async function bundlePage(): Promise<Uint8Array> {
  const entry = join(WEB_SOURCES, 'main.ts');
  if (!existsSync(entry)) throw new Error(`the page sources are missing (${entry})`);
  const esbuild = await import('esbuild');
  const r = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022', 'chrome110', 'firefox115', 'safari16'],
    external: ['onnxruntime-web'],
    minify: true,
    write: false,
    logLevel: 'silent',
    legalComments: 'eof',
    tsconfig: join(WEB_SOURCES, 'tsconfig.json'),
  });
  const out = r.outputFiles[0];
  if (!out) throw new Error('esbuild produced no output');
  return out.contents;
}

/** One model the page offers. */
export interface OfferedModel {
  id: string;
  label: string;
  /** A .onnx file (served as is) or a .safetensors model (exported to ONNX on first use). */
  source: string;
}

/** The shipped models (models/*.safetensors), or those named on the command line. */
export function offeredModels(files: string[] | undefined): OfferedModel[] {
  let sources = files ?? [];
  if (sources.length === 0) {
    const dir = join(PACKAGE_ROOT, 'models');
    sources = existsSync(dir)
      ? readdirSync(dir)
          .filter((f) => f.endsWith('.safetensors'))
          .sort()
          .map((f) => join(dir, f))
      : [];
  }
  const used = new Set<string>();
  return sources.map((source) => {
    if (!existsSync(source)) throw new InputError('no such file', source);
    if (!/\.(onnx|safetensors)$/.test(source))
      throw new InputError('a model is a .onnx or .safetensors file', source);
    const stem = basename(source).replace(/\.(onnx|safetensors)$/, '');
    let id = stem.replace(/[^A-Za-z0-9._-]/g, '_');
    for (let k = 2; used.has(id); k++) id = `${stem}-${k}`;
    used.add(id);
    return { id, label: stem, source };
  });
}

/** The ONNX bytes of an offered model (a safetensors model is exported, as `export --onnx`). */
export async function modelOnnx(m: OfferedModel): Promise<Uint8Array> {
  if (m.source.endsWith('.onnx')) return readFileSync(m.source);
  const { onnxModelBytes } = await import('../onnx/export.js');
  return onnxModelBytes(m.source).bytes;
}

/** models/index.json: what the page lists. */
export function modelIndex(models: OfferedModel[]): string {
  return JSON.stringify(models.map((m) => ({ id: m.id, label: m.label, file: `${m.id}.onnx` })));
}

/** The static files other than models: path in the site -> bytes or a file to copy. */
export async function pageFiles(): Promise<Map<string, Uint8Array | { file: string }>> {
  const files = new Map<string, Uint8Array | { file: string }>();
  files.set('index.html', { file: join(WEB_SOURCES, 'index.html') });
  files.set('style.css', { file: join(WEB_SOURCES, 'style.css') });
  files.set('app.js', await bundlePage());
  const ort = ortDistDir();
  for (const f of ORT_FILES) files.set(`ort/${f}`, { file: join(ort, f) });
  return files;
}

/**
 * Writes the page as a static site in `dir` (any web server can host it): the page, its bundle,
 * ONNX Runtime Web and the offered models as ONNX. Built next to `dir` and renamed into place, so
 * a failure leaves no half-written site; an existing `dir` is replaced only when it is empty or
 * holds an earlier build (an index.html and app.js).
 */
export async function writeSite(dir: string, models: OfferedModel[]): Promise<string[]> {
  if (existsSync(dir)) {
    const entries = readdirSync(dir);
    if (entries.length > 0 && !(entries.includes('index.html') && entries.includes('app.js')))
      throw new InputError(
        'exists and is not an earlier `contraseg view --build`; not replaced',
        dir,
      );
  }
  const tmp = `${dir.replace(/\/+$/, '')}.partial-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const written: string[] = [];
  try {
    const put = (path: string, data: Uint8Array | string) => {
      const target = join(tmp, path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, data);
      written.push(path);
    };
    for (const [path, content] of await pageFiles())
      put(path, content instanceof Uint8Array ? content : readFileSync(content.file));
    put('models/index.json', modelIndex(models));
    for (const m of models) put(`models/${m.id}.onnx`, await modelOnnx(m));
    // Cross-origin isolation lets ONNX Runtime use several threads; hosts that read _headers
    // (Netlify, Cloudflare Pages) apply it, others run single-threaded.
    put(
      '_headers',
      '/*\n  Cross-Origin-Opener-Policy: same-origin\n  Cross-Origin-Embedder-Policy: require-corp\n',
    );
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return written;
}
