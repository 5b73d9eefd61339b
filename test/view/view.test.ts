import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { generatePhantomVolume } from '../../src/data/phantom.js';
import { CHROMIUM, chromiumAvailable } from '../../src/eval/report/render.js';
import { readNifti, writeNifti } from '../../src/io/nifti.js';
import type { Volume } from '../../src/io/volume.js';
import { cli, tempFolder } from '../eval/model-fixture.js';

// `contraseg view` in headless Chromium: the page segments a phantom volume with a shipped model
// (exported to ONNX) in the browser, and the label map it saves matches `contraseg predict
// --engine onnx` on the same file (Dice >= 0.99 per class present). Bad input shows an error.
const skip = chromiumAvailable()
  ? false
  : `${CHROMIUM} absent (Debian package chromium): browser test skipped`;

const tmp = tempFolder('view-test-');
const scanPath = join(tmp.dir, 'phantom.nii.gz');
const onnxPath = join(tmp.dir, 'acdc-7.onnx');
let server: ChildProcess | null = null;

/** window.__contraseg of the page (src/web/main.ts). */
interface PageState {
  state: string;
  message: string;
  provider: string | null;
  volumes: Array<{ name: string; voxels: number; ml: number | null }> | null;
}
let url = '';

/** Starts `contraseg view --port 0` and resolves with the URL it prints. */
function startView(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join('bin', 'contraseg.js'), 'view', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server = child;
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /contraseg view: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => reject(new Error(`view exited ${code}: ${err}`)));
  });
}

function dice(a: Uint8Array, b: Uint8Array, c: number): number {
  let inter = 0;
  let sa = 0;
  let sb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] === c;
    const y = b[i] === c;
    if (x) sa++;
    if (y) sb++;
    if (x && y) inter++;
  }
  return sa + sb === 0 ? 1 : (2 * inter) / (sa + sb);
}

before(async () => {
  if (skip) return;
  const { image } = generatePhantomVolume(11, 8, 96);
  writeNifti(scanPath, image);
  const r = cli(['export', '--checkpoint', 'models/acdc-7.safetensors', '--onnx', onnxPath]);
  assert.equal(r.status, 0, r.stderr);
  url = await startView(['--port', '0', '--model', onnxPath]);
});

after(() => {
  server?.kill('SIGTERM');
  tmp.cleanup();
});

test('the page segments a dropped scan as `predict --engine onnx` does', { skip }, async (t) => {
  const outDir = join(tmp.dir, 'cli');
  const p = cli([
    'predict',
    '--engine',
    'onnx',
    '--model',
    onnxPath,
    '--input',
    scanPath,
    '--output',
    outDir,
    '--quiet',
  ]);
  assert.equal(p.status, 0, p.stderr);
  const expected = readNifti(join(outDir, 'phantom.nii.gz'));

  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-quic',
      '--use-angle=swiftshader',
      '--enable-unsafe-swiftshader',
    ],
  });
  try {
    const page = await browser.newPage({
      acceptDownloads: true,
      viewport: { width: 1200, height: 800 },
    });
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForFunction("document.querySelectorAll('#model-select option').length > 0");
    assert.match(await page.locator('#privacy').innerText(), /never leave your machine/);
    // The server's COOP/COEP headers let ONNX Runtime use wasm threads.
    assert.equal(await page.evaluate('crossOriginIsolated'), true);
    assert.equal(await page.locator('#model-select').inputValue(), 'acdc-7');

    // A good scan: segmented, volumes listed, label map offered for download.
    await page.setInputFiles('#scan-input', scanPath);
    await page.waitForFunction("['done', 'error'].includes(window.__contraseg.state)", undefined, {
      timeout: 45_000,
    });
    const state = (await page.evaluate('window.__contraseg')) as PageState;
    assert.equal(
      state.state,
      'done',
      `${state.message} ${await page.locator('#error').innerText()}`,
    );
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
    assert.equal(download.suggestedFilename(), 'phantom_seg.nii.gz');
    const saved = join(tmp.dir, 'page.nii.gz');
    await download.saveAs(saved);
    const got: Volume = readNifti(saved);
    assert.deepEqual(got.shape, expected.shape);
    assert.deepEqual(got.affine, expected.affine);
    assert.deepEqual(got.spacing, expected.spacing);
    assert.equal(got.datatype, 'uint8');
    const a = got.data as Uint8Array;
    const b = expected.data as Uint8Array;
    const present = [0, 1, 2, 3].filter((c) => b.includes(c) || a.includes(c));
    assert.ok(present.length >= 2, `the model found no foreground (${present})`);
    for (const c of present) assert.ok(dice(a, b, c) >= 0.99, `class ${c}: Dice ${dice(a, b, c)}`);
    t.diagnostic(
      `${state.message} Dice vs predict --engine onnx: ` +
        present.map((c) => `class ${c} ${dice(a, b, c).toFixed(4)}`).join(', '),
    );
    // Volumes in ml: voxels × 8 × 2 × 2 mm³ / 1000 (96 × 96 pixels over 192 mm, resized to 128
    // × 128 for the network and back).
    for (const row of state.volumes ?? []) {
      const c = ['background', 'RV', 'Myo', 'LV'].indexOf(row.name);
      assert.equal(row.voxels, a.filter((v) => v === c).length);
      assert.ok(Math.abs((row.ml ?? NaN) - (row.voxels * 32) / 1000) < 1e-9);
    }
    assert.deepEqual(errors, []);
    // Everything the page loaded came from the local server (or is a blob/data URL).
    for (const r of requests)
      assert.ok(r.startsWith(url) || /^(blob|data):/.test(r), `request to ${r}`);

    // Not a NIfTI file, dropped on the page: a clear message, no label map offered.
    await page.evaluate(`(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(['this is not an image\\n'.repeat(40)], 'notes.nii'));
      document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    })()`);
    await page.waitForFunction("window.__contraseg.state === 'error'");
    assert.match(await page.locator('#error').innerText(), /notes\.nii: not a NIfTI file/);
    assert.equal(await page.locator('#download').getAttribute('aria-disabled'), 'true');
    assert.equal(await page.locator('#volumes').isHidden(), true);

    // A truncated ONNX model: a clear message.
    await page.setInputFiles('#model-input', {
      name: 'cut.onnx',
      mimeType: 'application/octet-stream',
      buffer: readFileSync(onnxPath).subarray(0, 100_000),
    });
    await page.waitForFunction("document.querySelector('#error').textContent.includes('cut.onnx')");
    assert.match(
      await page.locator('#error').innerText(),
      /cut\.onnx: not a valid ONNX model.*truncated/,
    );
  } finally {
    await browser.close();
  }
});
