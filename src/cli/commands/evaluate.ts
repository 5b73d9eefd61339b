import type { Command } from 'commander';
import { InputError } from '../../errors.js';
import { writeMetricsCsv } from '../../eval/csv.js';
import {
  evaluatePredictionFolder,
  evaluationSummaryJson,
  type FolderEvaluation,
} from '../../eval/evaluate-folder.js';
import { openGroundTruth } from '../../eval/ground-truth.js';
import { writeFileAtomic } from '../../util/atomic.js';
import { fileProgress, type FileProgress } from '../file-progress.js';

interface EvaluateOptions {
  pred: string;
  gt: string;
  out: string;
  list?: string;
  classes?: string;
  summary?: string;
  keepLargest?: boolean;
  quiet?: boolean;
}

/** `metrics.csv` -> `metrics.json`; any other name gets `.json` appended. */
export function defaultSummaryPath(csv: string): string {
  return csv.toLowerCase().endsWith('.csv') ? `${csv.slice(0, -4)}.json` : `${csv}.json`;
}

const num = (x: number, digits: number) => (Number.isFinite(x) ? x.toFixed(digits) : 'NaN');

function formatSummary(e: FolderEvaluation): string {
  const unit = e.summary.unit === 'mm' ? 'mm' : 'voxels';
  const lines = [`${e.summary.volumes} volume(s); HD95 and ASSD in ${unit}; mean ± std (median)`];
  const rows = (summary: FolderEvaluation['summary']) => {
    const row = (name: string, m: FolderEvaluation['summary']['overall']) => {
      const cell = (s: typeof m.dice, d: number) =>
        `${num(s.mean, d)} ± ${num(s.std, d)} (${num(s.median, d)})${s.nanCount ? ` [${s.nanCount} NaN]` : ''}`;
      return `${name.padEnd(12)} Dice ${cell(m.dice, 4)}  HD95 ${cell(m.hd95, 2)}  ASSD ${cell(m.assd, 2)}`;
    };
    for (const c of summary.perClass) lines.push(row(e.classNames[c.label], c));
    lines.push(row('overall', summary.overall));
  };
  rows(e.summary);
  if (e.keepLargest) {
    const { classes, summary } = e.keepLargest;
    lines.push('with only the largest connected component of every class:');
    rows(summary);
    lines.push(
      classes.length > 0
        ? `it raises the mean Dice of ${classes.map((c) => e.classNames[c]).join(', ')}: ` +
            `export the model with --keep-largest ${classes.join(',')}`
        : 'it raises the mean Dice of no class',
    );
  }
  return lines.join('\n') + '\n';
}

/** `contraseg evaluate`: Dice, HD95 and ASSD of a folder of predictions against ground truth. */
export function register(program: Command): void {
  program
    .command('evaluate')
    .description(
      'score predicted label maps against ground truth (a folder of label maps, or a data set ' +
        'folder: ACDC h5, PNG slices, MSD/nnU-Net) by case id; writes the per-volume per-class ' +
        'CSV and a JSON summary (mean, std, median per class and overall)',
    )
    .requiredOption('--pred <folder>', 'predicted label maps, <case>.nii.gz')
    .requiredOption('--gt <folder>', 'ground-truth label maps or a data set folder')
    .requiredOption('--out <file.csv>', 'per-volume per-class metrics')
    .option(
      '--list <file>',
      "case ids to evaluate, one a line (default: the data set's val/test lists or every label map)",
    )
    .option(
      '--classes <n>',
      "number of classes including background (default: the data set's, else max label + 1)",
    )
    .option('--summary <file.json>', 'JSON summary (default: the CSV path with .json)')
    .option(
      '--keep-largest',
      'also score the predictions with only the largest connected component of every class ' +
        "(nnU-Net's post-processing) and name the classes where it raises the mean Dice",
    )
    .option('--quiet', 'no progress output')
    .action(async (o: EvaluateOptions) => {
      let classes: number | undefined;
      if (o.classes !== undefined) {
        classes = Number(o.classes);
        if (!Number.isInteger(classes) || classes < 2) {
          throw new InputError(`must be an integer >= 2, got '${o.classes}'`, '--classes');
        }
      }
      const gt = openGroundTruth(o.gt);
      let progress: FileProgress | null = null;
      let result: FolderEvaluation;
      try {
        result = await evaluatePredictionFolder(o.pred, gt, {
          list: o.list,
          classes,
          chooseKeepLargest: o.keepLargest,
          onStart: (total) => (progress = fileProgress('evaluate', total, { quiet: o.quiet })),
          onCase: (id) => progress?.tick(id),
        });
      } finally {
        (progress as FileProgress | null)?.stop();
      }
      const summaryPath = o.summary ?? defaultSummaryPath(o.out);
      writeMetricsCsv(o.out, result.rows);
      const json = evaluationSummaryJson(result, { pred: o.pred, gt: o.gt, list: o.list });
      writeFileAtomic(summaryPath, `${JSON.stringify(json, null, 2)}\n`);
      if (result.unused.length > 0 && !o.quiet) {
        process.stderr.write(
          `evaluate: ${result.unused.length} prediction file(s) not in the case list were ignored\n`,
        );
      }
      process.stdout.write(`${formatSummary(result)}metrics: ${o.out}\nsummary: ${summaryPath}\n`);
    });
}
