#!/usr/bin/env node
// Runs every compiled test file (dist/test/**/*.test.js) with Node's built-in test runner, one
// process per file: two files at a time, then the files of SERIAL one at a time (they spawn heavy
// child processes, drive Chromium with timeouts, or measure memory). Prints one TAP stream with
// one plan and one closing summary (tests, suites, pass, fail, ..., duration_ms), as `node --test`.
// Usage: node scripts/run-tests.mjs [substring filter ...]
// CONTRASEG_TEST_CONCURRENCY=1 runs every file one at a time.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { run } from 'node:test';
import { tap } from 'node:test/reporters';

/** Files that run alone, after the others. */
const SERIAL = [
  'dist/test/method/resume.test.js', // trains in child processes, SIGKILLs and resumes them
  'dist/test/method/bench-train-cli.test.js', // a benchmark run in a child process
  'dist/test/method/losses-contrastive-bench.test.js', // timing (opt-in)
  'dist/test/view/view.test.js', // Chromium, server and page timeouts
  'dist/test/eval/report.test.js', // Chromium, page timeout
  'dist/test/nn/leak.test.js', // memory
  'dist/test/torch/memory.test.js', // memory
  'dist/test/torch/errors.test.js', // child processes with timeouts
];
const CONCURRENCY = Number(process.env.CONTRASEG_TEST_CONCURRENCY ?? 2);

function collect(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...collect(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const filters = process.argv.slice(2);
const files = collect('dist/test')
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error('run-tests: no test files matched');
  process.exit(1);
}
const serial = files.filter((f) => SERIAL.includes(f));
const parallel = files.filter((f) => !serial.includes(f));

const SUMMARY = /^(tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) (\d+(\.\d+)?)$/;
const totals = { tests: 0, suites: 0, pass: 0, fail: 0, cancelled: 0, skipped: 0, todo: 0 };

/** The events of both runs as one run: top-level numbers continue, one plan, one summary. */
async function* events() {
  const start = performance.now();
  let offset = 0;
  let planned = 0;
  const batches = [
    [parallel, CONCURRENCY],
    [serial, 1],
  ];
  for (const [batch, concurrency] of batches) {
    if (batch.length === 0) continue;
    let top = 0;
    for await (const event of run({ files: batch, concurrency })) {
      const { type, data } = event;
      if (data?.nesting === 0) {
        if (type === 'test:plan') {
          planned += data.count;
          continue;
        }
        if (type === 'test:diagnostic' && SUMMARY.test(data.message)) {
          const [, key, value] = SUMMARY.exec(data.message);
          if (key in totals) totals[key] += Number(value);
          continue;
        }
        if ((type === 'test:pass' || type === 'test:fail') && data.testNumber !== undefined) {
          top = Math.max(top, data.testNumber);
          yield { type, data: { ...data, testNumber: data.testNumber + offset } };
          continue;
        }
      }
      yield event;
    }
    offset += top;
  }
  yield { type: 'test:plan', data: { nesting: 0, count: planned } };
  for (const [key, value] of Object.entries(totals)) {
    yield { type: 'test:diagnostic', data: { nesting: 0, message: `${key} ${value}` } };
  }
  const ms = performance.now() - start;
  yield { type: 'test:diagnostic', data: { nesting: 0, message: `duration_ms ${ms}` } };
}

for await (const chunk of tap(events())) process.stdout.write(chunk);
process.exitCode = totals.fail + totals.cancelled > 0 ? 1 : 0;
