import type { RunSummary } from '../method/run.js';

const pct = (v: number | undefined) =>
  v === undefined || Number.isNaN(v) ? '   -  ' : (100 * v).toFixed(1).padStart(6);
const num = (v: number | undefined) =>
  v === undefined || Number.isNaN(v) ? '   -  ' : v.toFixed(2).padStart(6);

/**
 * A plain-text table of a run's results: test Dice per class and overall, HD95, validation Dice
 * and HD95, and each method's seconds in all (the baseline's before it, pseudo-labels, its own).
 */
export function formatSummaryTable(s: RunSummary): string {
  const fg = s.classNames.slice(1);
  const head = [
    'method'.padEnd(14),
    ...fg.map((c) => c.padStart(6)),
    '  Dice',
    '  HD95',
    'val Dice',
    'val HD95',
    ' total s',
  ];
  const lines = [head.join(' ')];
  for (const r of s.results) {
    const t = r.test;
    lines.push(
      [
        r.method.padEnd(14),
        ...fg.map((_, i) => pct(t?.perClass[i]?.dice.mean)),
        pct(t?.overall.dice.mean),
        num(t?.overall.hd95.mean),
        pct(r.validation.dice).padStart(8),
        num(r.validationMetrics.selected.overall.hd95.mean).padStart(8),
        (r.startSeconds + r.pseudoLabelSeconds + r.trainSeconds).toFixed(0).padStart(8),
      ].join(' '),
    );
  }
  const unit = s.results[0]?.test?.unit;
  lines.push(
    `Dice in % on ${s.results[0]?.test?.volumes ?? 0} test volumes (mean over volumes); HD95 in ${unit ?? '-'}.`,
  );
  return lines.join('\n');
}
