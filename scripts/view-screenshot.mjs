#!/usr/bin/env node
// Screenshot of the `contraseg view` page (docs/images/view-acdc.png): an ACDC validation volume
// (SSL4MIS HDF5, converted to NIfTI with contraseg's own readers and writer) segmented by a model
// in headless Chromium. Run after `npm run build`:
//   node scripts/view-screenshot.mjs [scan.h5|scan.nii.gz] [model] [out.png]
// defaults: ../shared/data/ACDC/data/patient028_frame01.h5, models/acdc-7.safetensors,
// docs/images/view-acdc.png.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { chromium } from 'playwright-core';
import { readHdf5 } from '../dist/src/io/hdf5.js';
import { writeNifti } from '../dist/src/io/nifti.js';
import { CHROMIUM } from '../dist/src/eval/report/render.js';
import { offeredModels } from '../dist/src/view/site.js';
import { startViewServer } from '../dist/src/view/server.js';

const [
  input = '../shared/data/ACDC/data/patient028_frame01.h5',
  model = 'models/acdc-7.safetensors',
  out = 'docs/images/view-acdc.png',
] = process.argv.slice(2);

const tmp = mkdtempSync(join(tmpdir(), 'contraseg-view-shot-'));
let scan = input;
if (input.endsWith('.h5')) {
  const image = (await readHdf5(input, ['image'])).get('image');
  scan = join(tmp, `${basename(input, '.h5')}.nii.gz`);
  writeNifti(scan, image);
}
const view = await startViewServer(0, offeredModels([model]));
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1180, height: 760 } });
  await page.goto(view.url, { waitUntil: 'load' });
  await page.waitForFunction("document.querySelectorAll('#model-select option').length > 0");
  await page.setInputFiles('#scan-input', scan);
  await page.waitForFunction("['done', 'error'].includes(window.__contraseg.state)", undefined, {
    timeout: 120_000,
  });
  const state = await page.evaluate('window.__contraseg');
  if (state.state !== 'done') throw new Error(await page.locator('#error').innerText());
  await page.waitForTimeout(500); // NiiVue draws the overlay on the next frame
  writeFileSync(out, await page.screenshot({ type: 'png' }));
  console.log(`${out}: ${state.message}`, JSON.stringify(state.volumes));
} finally {
  await browser.close();
  await view.close();
  rmSync(tmp, { recursive: true, force: true });
}
process.exit(0); // the HDF5 reader's worker thread
