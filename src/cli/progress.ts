import cliProgress from 'cli-progress';
import type { Reporter } from '../method/train/reporter.js';

const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3));

/**
 * On a terminal: a progress bar with stage, iteration, losses, iterations per second and ETA.
 * Otherwise (logs, CI): a plain line every `everySeconds`. Messages always go to stderr as lines.
 */
export function makeReporter(o: { quiet?: boolean; everySeconds?: number } = {}): Reporter {
  if (o.quiet) return { stageStart() {}, iteration() {}, message() {}, stageEnd() {} };
  const tty = Boolean(process.stderr.isTTY);
  let bar: cliProgress.SingleBar | null = null;
  let stage = '';
  let total = 0;
  let startDone = 0;
  let startTime = 0;
  let lastLine = 0;
  const every = (o.everySeconds ?? 10) * 1000;
  const rate = (done: number) =>
    (done - startDone) / Math.max(1e-3, (performance.now() - startTime) / 1000);
  return {
    stageStart(name, t, done) {
      stage = name;
      total = t;
      startDone = done;
      startTime = performance.now();
      lastLine = 0;
      if (tty) {
        bar = new cliProgress.SingleBar(
          {
            format: `${name} |{bar}| {value}/{total} {losses} {rate} it/s ETA {eta_formatted}`,
            stream: process.stderr,
            hideCursor: true,
            etaBuffer: 50,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(t, done, { losses: '', rate: '0' });
      }
    },
    iteration(done, values) {
      const losses = Object.entries(values)
        .map(([k, v]) => `${k} ${fmt(v)}`)
        .join(' ');
      if (bar) {
        bar.update(done, { losses, rate: rate(done).toFixed(2) });
        return;
      }
      const now = performance.now();
      if (now - lastLine >= every || done === total) {
        lastLine = now;
        const r = rate(done);
        const eta = r > 0 ? Math.round((total - done) / r) : 0;
        process.stderr.write(
          `${stage} ${done}/${total} ${losses} ${r.toFixed(2)} it/s ETA ${eta}s\n`,
        );
      }
    },
    message(text) {
      if (bar) bar.stop();
      process.stderr.write(`${text}\n`);
      if (bar) {
        const b = bar as cliProgress.SingleBar;
        b.start(total, b.getProgress() * total);
      }
    },
    stageEnd() {
      bar?.stop();
      bar = null;
    },
  };
}
