import { existsSync } from 'node:fs';
import * as torch from '../../torch/index.js';
import type { Module, Optimizer } from '../../nn/index.js';
import { loadSafetensors, saveSafetensors } from '../../nn/safetensors.js';
import type { Rng } from '../../util/rng.js';
import { fillTimeDefaults, type TrainerState } from '../trainer-state.js';

export type { TrainerState } from '../trainer-state.js';

const OPTIM = '__optim__.';
const RNG = '__rng__.torch';
/** Prefix of auxiliary modules' tensors (a Mean Teacher's EMA teacher): `__aux__.<name>.<key>`. */
const AUX = '__aux__.';

/**
 * Saves weights (plain PyTorch names, so the file is also a model for `predict`), optimiser state,
 * both random generators, the trainer state and the weights of auxiliary modules (`aux`) in one
 * safetensors file, written atomically.
 */
export function saveCheckpoint(
  path: string,
  model: Module,
  optimizer: Optimizer,
  state: TrainerState,
  metadata: Record<string, string>,
  aux: Record<string, Module> = {},
): void {
  const opt = optimizer.stateDict();
  const tensors: Record<string, torch.Tensor> = { ...model.stateDict() };
  for (const [k, t] of Object.entries(opt.tensors)) tensors[OPTIM + k] = t;
  for (const [name, m] of Object.entries(aux)) {
    for (const [k, t] of Object.entries(m.stateDict())) tensors[`${AUX}${name}.${k}`] = t;
  }
  const rng = torch.getRngState();
  tensors[RNG] = rng;
  try {
    saveSafetensors(path, tensors, {
      ...metadata,
      'contraseg.trainer': JSON.stringify(state),
      'contraseg.optimizer': JSON.stringify(opt.scalars),
    });
  } finally {
    rng.dispose();
  }
}

/**
 * Restores what saveCheckpoint wrote into the model, optimiser, generators and the auxiliary
 * modules given (others in the file are ignored); returns the state.
 */
export function loadCheckpoint(
  path: string,
  model: Module,
  optimizer: Optimizer | null,
  rng: Rng | null,
  aux: Record<string, Module> = {},
): TrainerState {
  const { tensors, metadata } = loadSafetensors(path);
  try {
    const { weights, optim, aux: auxWeights } = splitTensors(tensors);
    model.loadStateDict(weights);
    for (const [name, m] of Object.entries(aux)) {
      const w = auxWeights[name];
      if (!w) throw new Error(`${path}: no weights of the auxiliary module '${name}'`);
      m.loadStateDict(w);
    }
    if (optimizer) {
      optimizer.loadStateDict({
        scalars: JSON.parse(metadata['contraseg.optimizer'] ?? '{}'),
        tensors: optim,
      });
    }
    const state = JSON.parse(metadata['contraseg.trainer'] ?? 'null') as TrainerState | null;
    if (!state) throw new Error(`${path}: not a contraseg training checkpoint`);
    fillTimeDefaults(state);
    if (rng) {
      rng.setState(state.rng);
      torch.setRngState(tensors[RNG]);
    }
    return state;
  } finally {
    torch.dispose(tensors);
  }
}

type Tensors = Record<string, torch.Tensor>;

/** A checkpoint's tensors by role: plain weights, optimiser state, auxiliary modules' weights. */
function splitTensors(tensors: Tensors): {
  weights: Tensors;
  optim: Tensors;
  aux: Record<string, Tensors>;
} {
  const weights: Tensors = {};
  const optim: Tensors = {};
  const aux: Record<string, Tensors> = {};
  for (const [k, t] of Object.entries(tensors)) {
    if (k.startsWith(OPTIM)) optim[k.slice(OPTIM.length)] = t;
    else if (k.startsWith(AUX)) {
      const rest = k.slice(AUX.length);
      const dot = rest.indexOf('.');
      (aux[rest.slice(0, dot)] ??= {})[rest.slice(dot + 1)] = t;
    } else if (k !== RNG) weights[k] = t;
  }
  return { weights, optim, aux };
}

/**
 * Loads into `net` the weights of auxiliary module `aux` of checkpoint `path` when the file holds
 * them, else its plain weights (a stage's model average, src/method/train/model-ema.ts, or the
 * weights it trained).
 */
export function loadEvaluatedWeights(path: string, net: Module, aux: string): void {
  const { tensors } = loadSafetensors(path);
  try {
    const split = splitTensors(tensors);
    net.loadStateDict(split.aux[aux] ?? split.weights);
  } finally {
    torch.dispose(tensors);
  }
}

export function checkpointExists(path: string): boolean {
  return existsSync(path);
}
