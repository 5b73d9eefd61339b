import type { Command } from 'commander';
import { InputError } from '../../errors.js';

interface ReportOptions {
  out?: string;
  threads?: string;
  overlays: boolean;
  quiet?: boolean;
}

/** `contraseg report <run-dir>`: one self-contained HTML page with curves, results and overlays. */
export function register(program: Command): void {
  program
    .command('report')
    .description(
      'write a self-contained HTML report of a run directory: results table, training curves ' +
        '(also as <name>-curves.png with headless Chromium) and overlays of the best, median and ' +
        'worst test volumes (also as <name>-best.png etc.)',
    )
    .argument('<run-dir>', 'directory written by contraseg run / train')
    .option('--out <file.html>', 'HTML file (default <run-dir>/report.html)')
    .option(
      '--threads <n>',
      "CPU threads for predicting the overlay volumes (default: the run config's)",
    )
    .option('--no-overlays', 'do not load the data and model for overlays')
    .option('--quiet', 'no progress output')
    .action(async (runDir: string, o: ReportOptions) => {
      let threads: number | undefined;
      if (o.threads !== undefined) {
        threads = Number(o.threads);
        if (!Number.isInteger(threads) || threads < 1) {
          throw new InputError(`must be a positive integer, got '${o.threads}'`, '--threads');
        }
      }
      const { generateReport } = await import('../../eval/report/report.js');
      const r = await generateReport(runDir, {
        out: o.out,
        threads,
        overlays: o.overlays,
        onMessage: o.quiet ? undefined : (text) => process.stderr.write(`report: ${text}\n`),
      });
      for (const note of r.notes) process.stderr.write(`report: note: ${note}\n`);
      process.stdout.write(`report: ${r.html}\n${r.pngs.map((p) => `image: ${p}\n`).join('')}`);
    });
}
