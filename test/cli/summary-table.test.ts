// The table `contraseg run`, `train` and `demo` print: on test volumes where the run has them, on
// the validation volumes where it has none (real data), never a row of dashes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatSummaryTable } from '../../src/cli/summary-table.js';
import { summarizeVolumes } from '../../src/metrics/aggregate.js';
import type { MethodResult, RunSummary } from '../../src/method/run.js';

/** Two volumes whose classes 1 and 2 have these Dice values (HD95 = 2 · class label). */
const scores = (dice1: number, dice2: number) =>
  summarizeVolumes(
    [0, 1].map(() => ({
      unit: 'voxel' as const,
      classes: [1, 2].map((label) => ({
        label,
        dice: label === 1 ? dice1 : dice2,
        hd95: 2 * label,
        assd: label,
        predVoxels: 10,
        gtVoxels: 10,
      })),
    })),
  );

function result(method: string, test: boolean): MethodResult {
  const selected = scores(0.5, 0.7);
  return {
    method,
    checkpoint: `${method}/best.safetensors`,
    validation: { dice: 0.6, perClass: [0.5, 0.7] },
    validationMetrics: { selected, last: scores(0.4, 0.6) },
    test: test ? scores(0.81, 0.93) : null,
    trainSeconds: 100,
    validationSeconds: 5,
    pseudoLabelSeconds: 10,
    startSeconds: 20,
    cpuSeconds: { train: 100, pseudoLabels: 10, start: 20 },
    skippedIterations: 0,
  };
}

const summary = (test: boolean): RunSummary => ({
  name: 'run',
  classNames: ['background', 'A', 'B'],
  results: [result('baseline', test), result('proposed', test)],
  seconds: 300,
});

test('without test volumes the table scores the validation volumes and names them', () => {
  const text = formatSummaryTable(summary(false));
  const [head, row] = text.split('\n');
  assert.deepEqual(head.trim().split(/\s+/), [
    'method',
    'A',
    'B',
    'Dice',
    'HD95',
    'val',
    'last',
    'total',
    's',
  ]);
  // Per class 50.0 / 70.0, mean 60.0, HD95 3 (mean of 2 and 4), last 50.0, 130 s in all.
  assert.deepEqual(row.trim().split(/\s+/), [
    'baseline',
    '50.0',
    '70.0',
    '60.0',
    '3.00',
    '50.0',
    '130',
  ]);
  assert.match(text, /on the 2 validation volumes .* of the checkpoint selected on them/);
  assert.doesNotMatch(text, / - /);
});

test('with test volumes the table scores them and adds the validation Dice', () => {
  const text = formatSummaryTable(summary(true));
  const row = text.split('\n')[2];
  assert.deepEqual(row.trim().split(/\s+/), [
    'proposed',
    '81.0',
    '93.0',
    '87.0',
    '3.00',
    '60.0',
    '50.0',
    '130',
  ]);
  assert.match(text, /on 2 test volumes/);
});
