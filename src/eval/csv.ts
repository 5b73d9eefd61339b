import { writeFileAtomic } from '../util/atomic.js';
import type { VolumeMetrics } from '../metrics/evaluate.js';

/** A volume's metrics under its case id. */
export interface NamedVolumeMetrics {
  id: string;
  metrics: VolumeMetrics;
}

const HEADER = ['volume', 'label', 'dice', 'hd95', 'assd', 'unit', 'pred_voxels', 'gt_voxels'];

/**
 * RFC 4180 CSV with one row per volume and class, columns `volume,label,dice,hd95,assd,unit,
 * pred_voxels,gt_voxels`, LF line ends. Numbers are written in full (shortest round-trip
 * representation), undefined metrics as `NaN`, which pandas and numpy read back as NaN.
 */
export function formatMetricsCsv(rows: readonly NamedVolumeMetrics[]): string {
  const lines = [HEADER.join(',')];
  for (const { id, metrics } of rows) {
    for (const c of metrics.classes) {
      const fields = [c.label, c.dice, c.hd95, c.assd, metrics.unit, c.predVoxels, c.gtVoxels];
      lines.push([quoteField(id), ...fields.map(String)].join(','));
    }
  }
  return lines.join('\n') + '\n';
}

/** Writes `formatMetricsCsv(rows)` to `path` atomically. */
export function writeMetricsCsv(path: string, rows: readonly NamedVolumeMetrics[]): void {
  writeFileAtomic(path, formatMetricsCsv(rows));
}

/** A field quoted (with inner quotes doubled) when it holds a comma, quote or line break. */
function quoteField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
