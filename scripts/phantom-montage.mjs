#!/usr/bin/env node
// Writes a PNG montage of phantom volumes for visual inspection: one row per volume, slices from
// base to apex, then the same slices with the label overlaid (RV blue, Myo green, LV red).
// Usage: npm run build && node scripts/phantom-montage.mjs [out.png] [seed] [volumes] [zoom] [0,3,7]
import { writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { generatePhantomVolume } from '../dist/src/data/phantom.js';
import { deriveSeed } from '../dist/src/util/rng.js';

const out = process.argv[2] ?? '/tmp/phantom-montage.png';
const seed = Number(process.argv[3] ?? 0);
const volumes = Number(process.argv[4] ?? 4);
const zoom = Number(process.argv[5] ?? 1);
const slices = 8;
const shown = (process.argv[6] ?? '0,1,2,3,4,5,6,7').split(',').map(Number);
const size = 128;
const COLOURS = [null, [0, 90, 255], [0, 220, 0], [255, 40, 40]];

const tile = size * zoom;
const png = new PNG({ width: 2 * shown.length * tile, height: volumes * tile });
const put = (row, col, rgb) => {
  const o = (row * png.width + col) * 4;
  [png.data[o], png.data[o + 1], png.data[o + 2], png.data[o + 3]] = [...rgb, 255];
};
for (let v = 0; v < volumes; v++) {
  const { image, label } = generatePhantomVolume(deriveSeed(seed, 3, v), slices, size);
  for (const [n, d] of shown.entries()) {
    for (let y = 0; y < tile; y++) {
      for (let x = 0; x < tile; x++) {
        const i = d * size * size + Math.floor(y / zoom) * size + Math.floor(x / zoom);
        const g = Math.max(0, Math.min(255, Math.round(image.data[i] * 255)));
        const c = COLOURS[label.data[i]];
        put(v * tile + y, n * tile + x, [g, g, g]);
        put(
          v * tile + y,
          (shown.length + n) * tile + x,
          c ? c.map((k) => Math.round(0.4 * k + 0.6 * g)) : [g, g, g],
        );
      }
    }
  }
}
writeFileSync(out, PNG.sync.write(png));
console.log(`wrote ${out}`);
