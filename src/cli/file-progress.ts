import cliProgress from 'cli-progress';

/** Progress over a list of files: `tick` after each one, `message` for lines in between. */
export interface FileProgress {
  tick(name: string): void;
  message(text: string): void;
  stop(): void;
}

/**
 * On a terminal: a progress bar `label |bar| done/total name ETA`. Otherwise (logs, CI): one plain
 * line per file, `label done/total name (seconds)`. Everything goes to stderr.
 */
export function fileProgress(
  label: string,
  total: number,
  o: { quiet?: boolean } = {},
): FileProgress {
  if (o.quiet) return { tick() {}, message() {}, stop() {} };
  const started = performance.now();
  let done = 0;
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${label} |{bar}| {value}/{total} {name} ETA {eta_formatted}`,
        stream: process.stderr,
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { name: '' });
    return {
      tick(name) {
        bar.increment(1, { name });
      },
      message(text) {
        bar.stop();
        process.stderr.write(`${text}\n`);
        bar.start(total, bar.getProgress() * total, { name: '' });
      },
      stop() {
        bar.stop();
      },
    };
  }
  return {
    tick(name) {
      done++;
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      process.stderr.write(`${label} ${done}/${total} ${name} (${seconds} s)\n`);
    },
    message(text) {
      process.stderr.write(`${text}\n`);
    },
    stop() {},
  };
}
