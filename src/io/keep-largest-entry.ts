import { InputError } from '../errors.js';

/**
 * The post-processing a model file asks for, as a metadata entry of safetensors and ONNX model
 * files alike (metadata_props): the classes whose largest connected component `contraseg predict`
 * keeps by default (src/metrics/largest-component.ts), a JSON array such as "[1,2,3]" written by
 * `contraseg export --keep-largest`.
 */
export const KEEP_LARGEST_KEY = 'contraseg.keep_largest';

/** Checks classes to keep the largest component of: distinct integers in 1..numClasses-1. */
export function checkKeepLargest(classes: unknown, numClasses: number, source: string): number[] {
  const valid =
    Array.isArray(classes) &&
    classes.every((c) => Number.isInteger(c) && c >= 1 && c < numClasses) &&
    new Set(classes).size === classes.length;
  if (!valid)
    throw new InputError(
      `keep-largest classes must be distinct class ids in 1..${numClasses - 1}, got ${JSON.stringify(classes)}`,
      source,
    );
  return [...(classes as number[])].sort((a, b) => a - b);
}

/** `--keep-largest` of the CLI: 'none' or comma-separated class ids ("1,2,3"). */
export function parseKeepLargest(text: string, numClasses: number, source: string): number[] {
  if (text.trim() === 'none') return [];
  const classes = text.split(',').map((t) => (/^\s*\d+\s*$/.test(t) ? Number(t) : NaN));
  return checkKeepLargest(classes, numClasses, source);
}

/** The classes a model's metadata keeps the largest component of ([] when it has no entry). */
export function keepLargestOf(
  metadata: Record<string, string>,
  numClasses: number,
  source: string,
): number[] {
  const entry = metadata[KEEP_LARGEST_KEY];
  if (entry === undefined) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(entry);
  } catch {
    parsed = entry;
  }
  return checkKeepLargest(parsed, numClasses, `${source} (metadata ${KEEP_LARGEST_KEY})`);
}
