import type { Command } from 'commander';
import {
  describePath,
  type DatasetDescription,
  type FileDescription,
  type SplitSummary,
  type VolumeSummary,
} from '../../data/describe.js';
import type { IntensityStats } from '../../io/stats.js';

/** `contraseg inspect <path>`: what a volume file or data set folder holds. */
export function register(program: Command): void {
  program
    .command('inspect')
    .description(
      'print shape, spacing, datatype, intensity range and label counts of a volume file ' +
        '(.nii, .nii.gz, .h5, .png) or a data set folder (ACDC h5, PNG slices, MSD/nnU-Net)',
    )
    .argument('<path>', 'file or folder')
    .action(async (path: string) => {
      const description = await describePath(path);
      process.stdout.write(
        description.type === 'file' ? formatFile(description) : formatDataset(description),
      );
    });
}

function formatFile(d: FileDescription): string {
  const lines = [`file: ${d.path}`];
  for (const [name, v] of d.volumes) {
    lines.push(`${name}:`, ...volumeLines(v).map((l) => `  ${l}`));
  }
  return lines.join('\n') + '\n';
}

function volumeLines(v: VolumeSummary): string[] {
  const lines = [
    `shape: ${v.shape.join(' x ')} (D x H x W)`,
    `spacing: ${v.spacing ? `${v.spacing.map(num).join(' x ')} mm` : 'unknown'}`,
    `datatype: ${v.datatype}`,
    `intensity: ${intensity(v.intensity)}`,
  ];
  if (v.valueCounts) {
    const total = v.shape[0] * v.shape[1] * v.shape[2];
    const counts = [...v.valueCounts].map(([value, n]) => `${value}: ${count(n, total)}`);
    lines.push(`value counts: ${counts.join(', ')}`);
  }
  return lines;
}

function formatDataset(d: DatasetDescription): string {
  const lines = [
    `data set: ${d.name} (${d.spec.kind}) at ${d.path}`,
    `classes: ${d.classNames.join(', ')}`,
  ];
  for (const [split, s] of d.splits) {
    lines.push(`${split}: ${s.cases} case(s)`);
    if (s.cases > 0) lines.push(...splitLines(s, d.classNames).map((l) => `  ${l}`));
  }
  return lines.join('\n') + '\n';
}

function splitLines(s: SplitSummary, classNames: readonly string[]): string[] {
  const range = (lo: number[], hi: number[]): string =>
    lo.map((v, i) => (v === hi[i] ? num(v) : `${num(v)}..${num(hi[i])}`)).join(' x ');
  const lines = [
    `shape: ${range(s.shapeMin, s.shapeMax)} (D x H x W)`,
    `spacing: ${s.spacingMin && s.spacingMax ? `${range(s.spacingMin, s.spacingMax)} mm` : 'unknown'}`,
    `datatype: ${s.datatypes.join(', ')}`,
    `intensity: ${intensity(s.intensity)}`,
  ];
  if (s.classCounts) {
    const total = s.classCounts.reduce((a, b) => a + b, 0);
    const counts = s.classCounts.map((n, c) => `${classNames[c]} ${count(n, total)}`);
    lines.push(`label counts: ${counts.join(', ')}`);
  }
  return lines;
}

function intensity(stats: IntensityStats): string {
  return `min ${num(stats.min)}, max ${num(stats.max)}, mean ${num(stats.mean)}`;
}

function count(n: number, total: number): string {
  return `${n} (${((100 * n) / total).toFixed(1)}%)`;
}

function num(x: number): string {
  return String(Number(x.toPrecision(6)));
}
