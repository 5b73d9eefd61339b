import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../../util/atomic.js';

/** One line of metrics.jsonl. */
export interface MetricsRecord {
  stage: string;
  iter: number;
  kind: 'train' | 'val' | 'event';
  [key: string]: unknown;
}

/**
 * metrics.jsonl of a run: one JSON object per line. On resume, lines written after the checkpoint
 * being resumed (same stage, iter at or past it) are dropped, so the log matches an uninterrupted run.
 */
export class MetricsLog {
  /** `path` null: a log that keeps nothing (the ranks of a data-parallel run other than 0). */
  constructor(readonly path: string | null) {}

  append(rec: MetricsRecord): void {
    if (this.path !== null) appendFileSync(this.path, `${JSON.stringify(rec)}\n`);
  }

  read(): MetricsRecord[] {
    if (this.path === null || !existsSync(this.path)) return [];
    return readFileSync(this.path, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .flatMap((l) => {
        try {
          return [JSON.parse(l) as MetricsRecord];
        } catch {
          return []; // a line cut by a kill mid-write
        }
      });
  }

  /** Keeps only the records of `stage` before `iter` and the records of other stages. */
  truncate(stage: string, iter: number): void {
    if (this.path === null) return;
    const kept = this.read().filter((r) => r.stage !== stage || r.iter < iter);
    writeFileAtomic(this.path, kept.map((r) => `${JSON.stringify(r)}\n`).join(''));
  }
}
