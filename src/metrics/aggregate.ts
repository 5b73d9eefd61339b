import { InputError } from '../errors.js';
import type { ClassMetrics, DistanceUnit, VolumeMetrics } from './evaluate.js';
import { describe, type Summary } from './stats.js';

/** Summaries of the three metrics over a set of values. */
export interface MetricSummaries {
  dice: Summary;
  hd95: Summary;
  assd: Summary;
}

/** Statistics of per-volume metrics over a set of volumes. */
export interface EvaluationSummary {
  volumes: number;
  unit: DistanceUnit;
  /** One entry per foreground class, over volumes. */
  perClass: ({ label: number } & MetricSummaries)[];
  /** Over all (volume, class) values pooled. */
  overall: MetricSummaries;
}

const METRICS = ['dice', 'hd95', 'assd'] as const;

/**
 * Mean, population std and median of Dice, HD95 and ASSD per class over volumes, and overall over
 * every (volume, class) value pooled; the overall mean equals the mean of the per-class means when
 * no value is NaN. NaN values (empty masks, see `evaluateVolume`) are skipped and counted in each
 * Summary's nanCount rather than propagated. All results must score the same classes in the same
 * unit; otherwise, or for an empty list, throws InputError.
 */
export function summarizeVolumes(results: readonly VolumeMetrics[]): EvaluationSummary {
  if (results.length === 0) throw new InputError('summarizeVolumes: no volumes to summarize');
  const { unit, classes } = results[0];
  const labels = classes.map((c) => c.label);
  for (const r of results) {
    if (r.unit !== unit) {
      throw new InputError(`summarizeVolumes: distances mix units '${unit}' and '${r.unit}'`);
    }
    if (r.classes.length !== labels.length || r.classes.some((c, i) => c.label !== labels[i])) {
      throw new InputError(
        `summarizeVolumes: volumes score different classes ([${labels.join(', ')}] vs ` +
          `[${r.classes.map((c) => c.label).join(', ')}])`,
      );
    }
  }
  const perClass = labels.map((label, i) => ({
    label,
    ...summarize(results.map((r) => r.classes[i])),
  }));
  return {
    volumes: results.length,
    unit,
    perClass,
    overall: summarize(results.flatMap((r) => r.classes)),
  };
}

function summarize(values: ClassMetrics[]): MetricSummaries {
  const [dice, hd95, assd] = METRICS.map((m) => describe(values.map((v) => v[m])));
  return { dice, hd95, assd };
}
