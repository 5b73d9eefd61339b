import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { InputError } from '../errors.js';
import type { Volume } from './volume.js';

/**
 * Reads an 8-bit grayscale PNG as a [1, H, W] uint8 volume of its raw values (no spacing or
 * affine). Colour, palette, alpha or 16-bit images and corrupt files throw InputError.
 */
export function readPng(path: string): Volume {
  let png: ReturnType<typeof PNG.sync.read>;
  try {
    png = PNG.sync.read(readFileSync(path));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const what = code ? `cannot read: ${code}` : `corrupt PNG (${(err as Error).message})`;
    throw new InputError(what, path);
  }
  if (png.colorType !== 0 || png.depth !== 8) {
    throw new InputError(
      `expected an 8-bit grayscale PNG, got color type ${png.colorType} at depth ${png.depth}`,
      path,
    );
  }
  const { width, height, data } = png;
  const out = new Uint8Array(width * height);
  for (let i = 0; i < out.length; i++) out[i] = data[4 * i];
  return { shape: [1, height, width], data: out, spacing: null, affine: null, datatype: 'uint8' };
}

/**
 * Reads PNG slices (in the given order) and stacks them into a [S, H, W] uint8 volume. All slices
 * must have the same size.
 */
export function readPngStack(paths: string[]): Volume {
  if (paths.length === 0) throw new Error('readPngStack: no slices');
  const slices = paths.map(readPng);
  const [, height, width] = slices[0].shape;
  const data = new Uint8Array(slices.length * height * width);
  slices.forEach((slice, s) => {
    if (slice.shape[1] !== height || slice.shape[2] !== width) {
      throw new InputError(
        `slice is ${slice.shape[2]}x${slice.shape[1]}, the first slice ${paths[0]} is ` +
          `${width}x${height}`,
        paths[s],
      );
    }
    data.set(slice.data, s * height * width);
  });
  return {
    shape: [slices.length, height, width],
    data,
    spacing: null,
    affine: null,
    datatype: 'uint8',
  };
}
