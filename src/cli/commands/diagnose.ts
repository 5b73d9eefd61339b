import type { Command } from 'commander';
import { pseudoLabelQuality } from '../../method/diagnose.js';

/** `contraseg diagnose pseudo-labels <run-dir>`: pseudo-label Dice against withheld labels. */
export function register(program: Command): void {
  program
    .command('diagnose')
    .description('diagnostics of a run (uses withheld labels; never part of training)')
    .command('pseudo-labels <run-dir>')
    .description('Dice of every saved round of pseudo-labels against the withheld labels')
    .option('--json', 'print JSON')
    .option('--argmax', 'also score the plain argmax (no CRF) of the checkpoint round 0 came from')
    .action(async (runDir: string, o: { json?: boolean; argmax?: boolean }) => {
      const q = await pseudoLabelQuality(runDir, { argmax: o.argmax });
      if (o.json) {
        process.stdout.write(`${JSON.stringify(q)}\n`);
        return;
      }
      for (const r of q) {
        const per = r.perClass.map((d) => (100 * d).toFixed(1)).join(' / ');
        process.stdout.write(
          `${r.stage} round ${r.round}: Dice ${(100 * r.dice).toFixed(1)} (${per}), all-class slices ${(100 * r.allClassSlices).toFixed(0)}%\n`,
        );
      }
    });
}
