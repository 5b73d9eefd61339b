import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as torch from '../../src/torch/index.js';
import { STEPS, unionWeights } from './ddp-steps.js';
import { tinyConfig } from './tiny-config.js';
import { runToEnd, tensorBytes } from './run-cli.js';
import { runFiles, STAGE_FILES } from '../../src/method/run-dir.js';
import { rankDevice } from '../../src/method/distributed/join.js';
import { freePort } from '../../src/util/free-port.js';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join('bin', 'contraseg.js');

const exited = (child: ChildProcess) =>
  new Promise<number | null>((res) =>
    child.exitCode !== null ? res(child.exitCode) : child.on('exit', (code) => res(code)),
  );

test('a rank trains on cuda:LOCAL_RANK, and a local rank without a GPU of its own is an error', () => {
  assert.equal(rankDevice('cuda', 1, 2), 'cuda:1');
  assert.equal(rankDevice('cpu', 3, 0), 'cpu');
  assert.equal(rankDevice('cuda:0', 1, 1), 'cuda:0'); // an explicit device is the user's choice
  // Two ranks on one GPU: NCCL would reject the group ("Duplicate GPU detected").
  assert.throws(() => rankDevice('cuda', 1, 1), /local rank 1 has no GPU of its own \(1 visible\)/);
});

test('2 ranks over Gloo end with the weights of one process on the union of their batches', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ddp-'));
  try {
    const port = await freePort();
    const ranks = [0, 1].map((rank) =>
      spawn(process.execPath, [join(here, 'ddp-rank.js'), join(dir, `rank${rank}.json`)], {
        env: {
          ...process.env,
          WORLD_SIZE: '2',
          RANK: String(rank),
          MASTER_ADDR: '127.0.0.1',
          MASTER_PORT: String(port),
        },
        stdio: ['ignore', 'ignore', 'inherit'],
      }),
    );
    assert.deepEqual(await Promise.all(ranks.map(exited)), [0, 0]);
    const read = (r: number) =>
      JSON.parse(readFileSync(join(dir, `rank${r}.json`), 'utf8')) as Record<string, number[]>;
    const [w0, w1] = [read(0), read(1)];
    assert.deepEqual(w0, w1, 'every rank holds the same weights');

    torch.setNumThreads(1);
    const union = unionWeights(2);
    let worst = 0;
    let moved = 0;
    for (const [k, v] of Object.entries(union)) {
      assert.ok(w0[k], `rank 0 has ${k}`);
      v.forEach((x, i) => (worst = Math.max(worst, Math.abs(x - w0[k][i]))));
    }
    const fresh = unionWeights(2, 0); // the starting weights
    for (const [k, v] of Object.entries(fresh))
      v.forEach((x, i) => (moved = Math.max(moved, Math.abs(x - union[k][i]))));
    assert.ok(worst < 2e-4, `data-parallel vs union: max |Δw| = ${worst}`);
    assert.ok(moved > 100 * 2e-4, `${STEPS} steps moved the weights by ${moved}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A run of `contraseg` in its own process group (the launcher and its ranks). */
function startJob(args: string[]): { child: ChildProcess; stderr: () => string } {
  const child = spawn(process.execPath, [cli, ...args], {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (err += c));
  return { child, stderr: () => err };
}

/** The pid of rank `rank` among the launcher's children. */
function rankPid(launcher: number, rank: number): number {
  const children = readFileSync(`/proc/${launcher}/task/${launcher}/children`, 'utf8')
    .trim()
    .split(/\s+/)
    .map(Number);
  const pid = children.find((p) =>
    readFileSync(`/proc/${p}/environ`, 'utf8').split('\0').includes(`RANK=${rank}`),
  );
  assert.ok(pid, `rank ${rank} among ${children}`);
  return pid;
}

async function waitForLines(path: string, lines: number, child: ChildProcess): Promise<void> {
  const count = () => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').length - 1 : 0);
  while (count() < lines) {
    assert.equal(child.exitCode, null, 'the job ended before training');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function distributedConfig(dir: string, extra: object = {}): Promise<string[]> {
  const config = join(dir, 'config.json');
  writeFileSync(
    config,
    JSON.stringify({
      ...tinyConfig,
      joint: { ...tinyConfig.joint, pairs: 4 },
      methods: ['fixmatch'],
      fixmatch: {
        iterations: 6,
        labeledBatchSize: 2,
        unlabeledBatchSize: 2,
        valEvery: 2,
        checkpointEvery: 2,
      },
      distributed: { timeoutSeconds: 4 },
      ...extra,
    }),
  );
  return ['run', '--config', config, '--nproc', '2', '--master-port', String(await freePort())];
}

for (const fault of ['SIGKILL', 'SIGSTOP'] as const) {
  test(`a rank that ${fault === 'SIGKILL' ? 'dies' : 'hangs'} ends the job with one clear error`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ddp-fault-'));
    try {
      const args = await distributedConfig(dir, {
        baseline: { ...tinyConfig.baseline, iterations: 100000 },
      });
      const out = join(dir, 'run');
      const job = startJob([...args, '--out', out]);
      await waitForLines(runFiles(out).metrics, 5, job.child);
      process.kill(rankPid(job.child.pid as number, 1), fault);
      const code = await exited(job.child);
      const errors = job
        .stderr()
        .split('\n')
        .filter((l) => l.startsWith('contraseg: error:'));
      assert.equal(code, 1);
      assert.equal(errors.length, 1, job.stderr());
      assert.match(
        errors[0],
        fault === 'SIGKILL'
          ? /rank (1 of 2 was killed \(SIGKILL\)|0 of 2 exited with code 1;.*peer died)/
          : /rank 0 of 2 exited with code 1;.*timed out on rank 0 of 2 after 4000 ms/,
      );
      assert.match(errors[0], /--resume/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('a data-parallel job killed mid-run resumes to the weights of an uninterrupted one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ddp-resume-'));
  try {
    const args = await distributedConfig(dir);
    const straight = join(dir, 'straight');
    runToEnd([...args, '--out', straight]);
    const killed = join(dir, 'killed');
    // During the baseline, then during FixMatch.
    for (const lines of [6, 22]) {
      const resume = existsSync(runFiles(killed).config) ? ['--resume'] : [];
      const job = startJob([...(await distributedConfig(dir)), '--out', killed, ...resume]);
      await waitForLines(runFiles(killed).metrics, lines, job.child);
      process.kill(-(job.child.pid as number), 'SIGKILL');
      await exited(job.child);
    }
    runToEnd([...(await distributedConfig(dir)), '--out', killed, '--resume']);
    for (const file of [
      join('baseline', STAGE_FILES.checkpoint),
      join('fixmatch', STAGE_FILES.checkpoint),
      join('fixmatch', STAGE_FILES.best),
    ])
      assert.ok(tensorBytes(join(straight, file)).equals(tensorBytes(join(killed, file))), file);
    const metrics = (d: string) => readFileSync(runFiles(d).metrics, 'utf8').split('\n').length;
    assert.equal(metrics(killed), metrics(straight));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
