import type { Command } from 'commander';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeReporter } from '../progress.js';
import { formatSummaryTable } from '../summary-table.js';

/** `contraseg demo`: baseline vs self-training vs proposed on the built-in phantom. */
export function register(program: Command): void {
  program
    .command('demo')
    .description('the method on the built-in phantom: baseline vs self-training vs proposed')
    .option('--json', 'print {"baseline": {"dice": ...}, ..., "seconds": ...}')
    .option('--out <dir>', 'keep the run directory here (default: a temporary one, removed after)')
    .option('--threads <n>', 'threads', (v) => parseInt(v, 10))
    .option('--device <device>', "'cpu' or 'cuda'", 'cpu')
    .action(async (o: { json?: boolean; out?: string; threads?: number; device: string }) => {
      // Imported here: the commands that need no LibTorch must not load it.
      const { runPipeline } = await import('../../method/run.js');
      const { parseConfig } = await import('../../method/config.js');
      const { demoConfig } = await import('../../method/presets.js');
      const cfg = parseConfig(
        { ...demoConfig, threads: o.threads ?? demoConfig.threads, device: o.device },
        'demo',
      );
      const dir = o.out ?? mkdtempSync(join(tmpdir(), 'contraseg-demo-'));
      try {
        const summary = await runPipeline(cfg, { dir, reporter: makeReporter({ quiet: o.json }) });
        if (o.json) {
          const out: Record<string, unknown> = {};
          for (const r of summary.results) {
            out[r.method.replace('-', '_')] = {
              dice: r.test?.overall.dice.mean ?? null,
              dice_per_class: r.test?.perClass.map((c) => c.dice.mean) ?? null,
              hd95: r.test?.overall.hd95.mean ?? null,
              validation_dice: r.validation.dice,
            };
          }
          out.seconds = Math.round(summary.seconds * 10) / 10;
          process.stdout.write(`${JSON.stringify(out)}\n`);
        } else {
          process.stdout.write(
            `${formatSummaryTable(summary)}\ntotal ${summary.seconds.toFixed(0)} s\n`,
          );
        }
      } finally {
        if (!o.out) rmSync(dir, { recursive: true, force: true });
      }
    });
}
