import type { Command } from 'commander';
import { InputError } from '../../errors.js';
import type { CrfSetting } from '../../method/diagnose.js';
import type { CrfUnits } from '../../method/pseudo/crf.js';

const UNITS = ['px', 'mm', 'fov'];

/** Parses `a,b,c,d,e,f` (the paper's CRF list) for --crf. */
export function parseCrfList(text: string): number[] {
  const v = text.split(',').map((t) => Number(t.trim()));
  if (v.length !== 6 || !v.every(Number.isFinite)) {
    throw new InputError(
      `--crf expects 6 comma-separated numbers a_sxy,a_srgb,a_w1,g_sxy,g_w2,n_iter, got '${text}'`,
    );
  }
  return v;
}

/** Parses `t1,t2,...` (confidences in [0, 1]) for --min-confidence. */
export function parseConfidences(text: string): number[] {
  const v = text.split(',').map((t) => Number(t.trim()));
  if (v.length === 0 || !v.every((t) => t >= 0 && t <= 1)) {
    throw new InputError(
      `--min-confidence expects numbers in [0, 1] separated by commas, got '${text}'`,
    );
  }
  return v;
}

/** `contraseg diagnose pseudo-labels <run-dir>`: pseudo-label Dice against withheld labels. */
export function register(program: Command): void {
  program
    .command('diagnose')
    .description('diagnostics of a run (uses withheld labels; never part of training)')
    .command('pseudo-labels <run-dir>')
    .description('Dice of every saved round of pseudo-labels against the withheld labels')
    .option('--json', 'print JSON')
    .option('--argmax', 'also score the plain argmax (no CRF) of the checkpoint round 0 came from')
    .option(
      '--crf <list>',
      'also score round-0 pseudo-labels of that checkpoint with this CRF a_sxy,a_srgb,a_w1,g_sxy,g_w2,n_iter (repeatable)',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option('--crf-units <units>', "units of the --crf widths: px, mm or fov (default: the run's)")
    .option(
      '--min-confidence <list>',
      "also score round-0 pseudo-labels with the run's CRF, leaving out pixels below each confidence t1,t2,... (config pseudo.minConfidence)",
    )
    .option('--no-saved', 'skip the saved pseudo-label files')
    .option(
      '--keep-largest',
      'also score every saved file with only the largest 3-D component of each class per volume (config pseudo.keepLargest)',
    )
    .action(
      async (
        runDir: string,
        o: {
          json?: boolean;
          argmax?: boolean;
          crf: string[];
          crfUnits?: string;
          minConfidence?: string;
          saved: boolean;
          keepLargest?: boolean;
        },
      ) => {
        if (o.crfUnits !== undefined && !UNITS.includes(o.crfUnits)) {
          throw new InputError(
            `--crf-units must be one of ${UNITS.join(', ')}, got '${o.crfUnits}'`,
          );
        }
        const units = o.crfUnits as CrfUnits | undefined;
        const settings: CrfSetting[] = o.crf.map((t) => ({ crf: parseCrfList(t), units }));
        const confidences = o.minConfidence === undefined ? [] : parseConfidences(o.minConfidence);
        const { pseudoLabelQuality } = await import('../../method/diagnose.js');
        const q = await pseudoLabelQuality(runDir, {
          minConfidence: confidences,
          argmax: o.argmax,
          settings,
          saved: o.saved,
          keepLargest: o.keepLargest,
        });
        if (o.json) {
          process.stdout.write(`${JSON.stringify(q)}\n`);
          return;
        }
        for (const r of q) {
          const per = r.perClass.map((d) => (100 * d).toFixed(1)).join(' / ');
          process.stdout.write(
            `${r.stage} round ${r.round}: Dice ${(100 * r.dice).toFixed(1)} (${per}), all-class slices ${(100 * r.allClassSlices).toFixed(0)}%${r.coverage < 1 ? `, pixels kept ${(100 * r.coverage).toFixed(1)}%` : ''}\n`,
          );
        }
      },
    );
}
