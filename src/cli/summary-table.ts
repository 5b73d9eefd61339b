import type { EvaluationSummary } from '../metrics/aggregate.js';
import type { MethodResult, RunSummary } from '../method/run.js';

const pct = (v: number | undefined) =>
  v === undefined || Number.isNaN(v) ? '   -  ' : (100 * v).toFixed(1).padStart(6);
const num = (v: number | undefined) =>
  v === undefined || Number.isNaN(v) ? '   -  ' : v.toFixed(2).padStart(6);

/**
 * A plain-text table of a run's results: Dice per class and overall and HD95 of each method's
 * selected checkpoint on the test volumes, or on the validation volumes where the run has no test
 * set (real data: the test patients are withheld); the validation Dice of the selected and of the
 * last checkpoint; each method's seconds in all (the baseline's before it, pseudo-labels, its own).
 */
export function formatSummaryTable(s: RunSummary): string {
  const fg = s.classNames.slice(1);
  const onTest = s.results.some((r) => r.test !== null);
  const scored = (r: MethodResult): EvaluationSummary | null =>
    onTest ? r.test : r.validationMetrics.selected;
  const head = [
    'method'.padEnd(14),
    ...fg.map((c) => c.padStart(6)),
    '  Dice',
    '  HD95',
    ...(onTest ? ['val Dice'] : []),
    'val last',
    ' total s',
  ];
  const lines = [head.join(' ')];
  for (const r of s.results) {
    const e = scored(r);
    lines.push(
      [
        r.method.padEnd(14),
        ...fg.map((_, i) => pct(e?.perClass[i]?.dice.mean)),
        pct(e?.overall.dice.mean),
        num(e?.overall.hd95.mean),
        ...(onTest ? [pct(r.validation.dice).padStart(8)] : []),
        pct(r.validationMetrics.last.overall.dice.mean).padStart(8),
        (r.startSeconds + r.pseudoLabelSeconds + r.trainSeconds).toFixed(0).padStart(8),
      ].join(' '),
    );
  }
  const first = s.results.map(scored).find((e) => e !== null);
  const n = first?.volumes ?? 0;
  lines.push(
    onTest
      ? `Dice in % on ${n} test volumes (mean over volumes) of the selected checkpoint; HD95 in ${first?.unit ?? '-'}; val Dice, val last: validation Dice of the selected and of the last checkpoint.`
      : `Dice in % on the ${n} validation volumes (mean over volumes) of the checkpoint selected on them, so optimistic (the run has no test volumes); HD95 in ${first?.unit ?? '-'}; val last: validation Dice of the last checkpoint.`,
  );
  return lines.join('\n');
}
