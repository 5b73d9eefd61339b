/**
 * `contraseg bench engine`: trains the paper's UNet (Dice loss, Adam) and runs eval-mode
 * inference in Node and in Debian's python3-torch in the same invocation, interleaving the two
 * step by step so that both see the same machine load, and reports medians and their ratios.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as torch from '../src/torch/index.js';
import { Adam, UNet } from '../src/nn/index.js';
import { diceLoss } from '../src/method/losses/index.js';

export interface EngineBenchOptions {
  batch: number;
  size: number;
  classes: number;
  threads: number;
  steps: number;
  warmup: number;
  inferBatch: number;
  inferReps: number;
  python: string;
  /** 'cpu' or 'cuda' (both engines). */
  device: string;
}

export const fullBench: EngineBenchOptions = {
  batch: 20,
  size: 192,
  classes: 4,
  threads: 2,
  steps: 10,
  warmup: 2,
  inferBatch: 10,
  inferReps: 10,
  python: '/usr/bin/python3',
  device: 'cpu',
};

export const quickBench: EngineBenchOptions = {
  ...fullBench,
  batch: 4,
  size: 96,
  steps: 5,
  warmup: 1,
  inferReps: 5,
};

export interface EngineBenchResult {
  node_step_ms: number;
  torch_step_ms: number;
  step_ratio: number;
  node_infer_ms: number;
  torch_infer_ms: number;
  infer_ratio: number;
  node_peak_rss_mb: number;
  torch_peak_rss_mb: number;
  rss_ratio: number;
  config: EngineBenchOptions;
}

const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

class PythonPeer {
  private readonly lines: AsyncIterableIterator<string>;
  private readonly proc;
  constructor(o: EngineBenchOptions) {
    const here = dirname(fileURLToPath(import.meta.url));
    // dist/bench -> bench/ in the repository
    const script = join(here, '..', '..', 'bench', 'engine_peer.py');
    const cfg = {
      batch: o.batch,
      size: o.size,
      classes: o.classes,
      threads: o.threads,
      infer_batch: o.inferBatch,
      device: o.device,
    };
    this.proc = spawn(o.python, [script, JSON.stringify(cfg)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    this.lines = createInterface({ input: this.proc.stdout })[Symbol.asyncIterator]();
  }
  private async read(): Promise<Record<string, number>> {
    const r = await this.lines.next();
    if (r.done)
      throw new Error('bench: the python3-torch peer exited early (is python3-torch installed?)');
    return JSON.parse(r.value) as Record<string, number>;
  }
  async ready(): Promise<void> {
    await this.read();
  }
  async run(cmd: 'train' | 'infer'): Promise<{ ms: number; peak_rss_mb: number }> {
    this.proc.stdin.write(`${cmd}\n`);
    return (await this.read()) as { ms: number; peak_rss_mb: number };
  }
  close(): void {
    this.proc.stdin.end('quit\n');
  }
}

/** Runs the interleaved benchmark; `log` receives progress lines. */
export async function benchEngine(
  o: EngineBenchOptions,
  log: (s: string) => void = () => {},
): Promise<EngineBenchResult> {
  torch.setNumThreads(o.threads);
  torch.manualSeed(0);
  const peer = new PythonPeer(o);
  const dev = { device: o.device };
  const net = new UNet({ numClasses: o.classes }).to(o.device);
  const opt = new Adam(net.parameters(), { lr: 1e-3 });
  const x = torch.randn([o.batch, 1, o.size, o.size], dev);
  const y = torch.randint(0, o.classes, [o.batch, o.size, o.size], dev);
  const onehot = torch.tidy(() => torch.F.oneHot(y, o.classes).permute(0, 3, 1, 2).float());
  const xi = torch.randn([o.inferBatch, 1, o.size, o.size], dev);
  const sync = () => {
    if (o.device !== 'cpu') torch.cuda.synchronize();
  };

  const nodeTrain = (): number => {
    const t0 = performance.now();
    net.train();
    opt.zeroGrad();
    const logits = net.forward(x);
    const loss = diceLoss(logits, onehot);
    logits.dispose();
    loss.backward();
    opt.step();
    loss.dispose();
    sync();
    torch.mallocTrim();
    return performance.now() - t0;
  };
  const nodeInfer = (): number => {
    const t0 = performance.now();
    net.eval();
    torch.noGrad(() => torch.tidy(() => net.forward(xi).argmax(1).sum().item()));
    sync();
    return performance.now() - t0;
  };

  await peer.ready();
  const nodeSteps: number[] = [];
  const torchSteps: number[] = [];
  let torchRss = 0;
  for (let i = 0; i < o.warmup + o.steps; i++) {
    const n = nodeTrain();
    await new Promise((r) => setImmediate(r)); // let finalizers of collected handles run
    const p = await peer.run('train');
    torchRss = Math.max(torchRss, p.peak_rss_mb);
    if (i >= o.warmup) {
      nodeSteps.push(n);
      torchSteps.push(p.ms);
    }
    log(
      `train step ${i + 1}/${o.warmup + o.steps}: node ${n.toFixed(0)} ms, torch ${p.ms.toFixed(0)} ms`,
    );
  }
  const nodeInf: number[] = [];
  const torchInf: number[] = [];
  for (let i = 0; i < 1 + o.inferReps; i++) {
    const n = nodeInfer();
    const p = await peer.run('infer');
    torchRss = Math.max(torchRss, p.peak_rss_mb);
    if (i >= 1) {
      nodeInf.push(n);
      torchInf.push(p.ms);
    }
  }
  peer.close();
  const nodeRss = process.resourceUsage().maxRSS / 1024;
  torch.dispose([x, y, onehot, xi]);
  opt.dispose();
  net.dispose();
  const r = (a: number, b: number) => Math.round((a / b) * 1000) / 1000;
  const ns = median(nodeSteps);
  const ts = median(torchSteps);
  const ni = median(nodeInf);
  const ti = median(torchInf);
  return {
    node_step_ms: Math.round(ns * 10) / 10,
    torch_step_ms: Math.round(ts * 10) / 10,
    step_ratio: r(ns, ts),
    node_infer_ms: Math.round(ni * 10) / 10,
    torch_infer_ms: Math.round(ti * 10) / 10,
    infer_ratio: r(ni, ti),
    node_peak_rss_mb: Math.round(nodeRss),
    torch_peak_rss_mb: Math.round(torchRss),
    rss_ratio: r(nodeRss, torchRss),
    config: o,
  };
}
