import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { InputError } from '../errors.js';
import { DEFAULT_METHODS, SEMI_SUPERVISED_METHODS, methodConfigSections } from './method-config.js';
import { stageScheduleFields } from './schedule-fields.js';

/**
 * The configuration of a training run, validated at the edge. Defaults reproduce the paper
 * (method.md quick reference); every run writes its resolved config next to its checkpoints.
 */
const pair = z.tuple([z.number().positive(), z.number().positive()]);
const intPair = z.tuple([z.number().int().positive(), z.number().int().positive()]);

/** Data set specs, with the option names of src/data/index.ts (DatasetSpec). */
const dataSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('phantom'),
      seed: z.number().int().default(0),
      labeledVolumes: z.number().int().min(1).default(1),
      unlabeledVolumes: z.number().int().min(0).default(16),
      validationVolumes: z.number().int().min(1).default(2),
      testVolumes: z.number().int().min(0).default(10),
      slices: z.number().int().min(1).default(8),
      size: z.number().int().min(32).default(128),
    })
    .strict(),
  z
    .object({
      kind: z.literal('acdc-h5'),
      root: z.string(),
      labeledPatients: z.number().int().min(1),
      valList: z.string().optional(),
      testList: z.string().optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('png-slices'),
      root: z.string(),
      labeledCases: z.number().int().min(1),
      testList: z.string().optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('nifti'),
      root: z.string(),
      labeledCount: z.number().int().min(1),
      valFraction: z.number().min(0).max(1).optional(),
      valCases: z.array(z.string()).optional(),
      testCases: z.array(z.string()).optional(),
    })
    .strict(),
]);

const preprocessSchema = z.discriminatedUnion('mode', [
  z
    .object({
      mode: z.literal('spacing'),
      targetSpacing: pair,
      cropSize: intPair,
      percentiles: z.tuple([z.number(), z.number()]).nullable().optional(),
      inverse: z.enum(['linear', 'nearest']).optional(),
    })
    .strict(),
  z
    .object({
      mode: z.literal('resize'),
      size: intPair,
      imageOrder: z.union([z.literal(0), z.literal(1)]).optional(),
      percentiles: z.tuple([z.number(), z.number()]).nullable().optional(),
      inverse: z.enum(['linear', 'nearest']).optional(),
    })
    .strict(),
]);

const optimizerSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('adam'),
      lr: z.number().positive().default(1e-3),
      weightDecay: z.number().min(0).default(0),
    })
    .strict(),
  z
    .object({
      kind: z.literal('sgd'),
      lr: z.number().positive().default(0.01),
      momentum: z.number().min(0).default(0.9),
      weightDecay: z.number().min(0).default(1e-4),
      poly: z.boolean().default(true),
    })
    .strict(),
]);

const augmentSchema = z
  .object({
    affine: z.boolean().default(true),
    elastic: z.boolean().default(true),
    elasticSigma: z.number().min(0).default(5),
    /** The contrast/brightness change the released code computes but never applies (I-3). */
    intensity: z.boolean().default(false),
    /**
     * The brightness/contrast/clip transform of the contrastive views and of FixMatch's strong
     * view (method.md C.4 step 4): δ ~ U(−brightness, brightness), then contrast f ~ U(lo, hi)
     * around the image mean, then clip (null: none). The code's clip to [0, 1.5] turns every pixel
     * darker than −δ into background: on images normalised to [0, 1] with dark tissue, use null.
     */
    views: z
      .object({
        brightness: z.number().min(0).default(0.3),
        contrast: z.tuple([z.number().positive(), z.number().positive()]).default([0.7, 1.3]),
        clip: z.tuple([z.number(), z.number()]).nullable().default([0, 1.5]),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export const configSchema = z
  .object({
    name: z.string().default('run'),
    seed: z.number().int().default(0),
    threads: z.number().int().min(1).default(2),
    device: z.string().default('cpu'),
    data: dataSchema,
    preprocess: preprocessSchema,
    model: z
      .object({
        filters: z.array(z.number().int().positive()).min(2).default([16, 32, 64, 128, 128, 128]),
        embeddingDim: z.number().int().positive().default(16),
        bnEps: z.number().positive().default(1e-3),
        bnMomentum: z.number().positive().max(1).default(0.01),
      })
      .strict()
      .prefault({}),
    loss: z
      .object({ seg: z.enum(['dice', 'dice-nobg', 'ce', 'dice-ce']).default('dice') })
      .strict()
      .prefault({}),
    optimizer: optimizerSchema.prefault({ kind: 'adam' }),
    /**
     * Batch-norm statistics re-estimated before every validation (hence in every saved
     * checkpoint and for every pseudo-label pass) as the average over `batches` training batches
     * drawn and augmented as the stage draws them (src/method/bn-update.ts), instead of a moving
     * average that a fresh start resets to (0, 1) and that lags behind the weights.
     */
    bnUpdate: z
      .object({
        enabled: z.boolean().default(true),
        batches: z.number().int().min(1).default(8),
        /**
         * The batches of the stages after the baseline: 'stage' (absent) those the stage draws
         * (pseudo-labeled and contrastive slices included), 'labeled' augmented labeled batches
         * as the baseline draws them. Not in the paper. At PROMISE12-2 the stages' own statistics
         * cost the baseline's weights 2.5 to 6 points at a stage's start; with 'labeled' the
         * proposed method beat the baseline there (76.8 against 75.1, docs/results.md).
         * Optional, so that config.json of a run that does not set it stays as it was.
         */
        source: z.enum(['stage', 'labeled']).optional(),
      })
      .strict()
      .prefault({}),
    /**
     * How checkpoints are selected during training: 'native' scores validation volumes at their
     * native geometry (method.md G); 'network' at training resolution, several times cheaper.
     * `volumes`: how many of them (drawn at random once per run, seeded; default all). The
     * selected and last checkpoints are always scored natively on every validation volume at the
     * end.
     */
    validation: z
      .object({
        space: z.enum(['native', 'network']).default('native'),
        volumes: z.number().int().min(1).optional(),
      })
      .strict()
      .prefault({}),
    augment: augmentSchema.prefault({}),
    baseline: z
      .object({
        iterations: z.number().int().min(1).default(5001),
        batchSize: z.number().int().min(1).default(20),
        /**
         * Iterations after which the semi-supervised methods start from the baseline's best
         * checkpoint so far, while the baseline trains on to `iterations` (equal-budget
         * comparisons). Default: `iterations`.
         */
        handoff: z.number().int().min(1).optional(),
        ...stageScheduleFields,
      })
      .strict()
      .prefault({}),
    pseudo: z
      .object({
        /** Dense CRF parameters [a_sxy, a_srgb, a_w1, g_sxy, g_w2, n_iter], or null for plain argmax. */
        crf: z
          .tuple([z.number(), z.number(), z.number(), z.number(), z.number(), z.number().int()])
          .nullable()
          .default([0.01, 0.5, 10, 10, 30, 30]),
        /**
         * Units of the CRF's spatial widths a_sxy and g_sxy (src/method/pseudo/crf.ts
         * `crfListInPixels`): 'px' (default) pixels of the network input; 'mm' millimetres
         * (preprocess mode 'spacing' only: 'resize' has no constant pixel size); 'fov' fractions
         * of the input's side, for data resized whole to the input. Anatomical units keep the
         * smoothing the same when the input resolution changes: the paper's 10 px at
         * 1.367 mm/pixel is 13.7 mm, but 7 px at 128×128 over ACDC's ~350 mm is ~19 mm and erases
         * a myocardium the network is unsure of (docs/results.md). On a synthetic thin ring
         * (experiments/crf-ring-sweep.mjs; no real labels) [0.0001, 0.5, 10, 0.023, 10, 10] in
         * 'fov' (g_sxy ≈ 8 mm, about the myocardium's thickness, and a Potts weight of 10) keeps
         * the ring where the configs' 7 px at weight 30 erases it; compare settings on a run with
         * experiments/crf-sweep.mjs.
         */
        crfUnits: z.enum(['px', 'mm', 'fov']).default('px'),
        /**
         * Keep only the largest 3-D connected component of every foreground class in each
         * unlabeled volume's pseudo-labels (nnU-Net's post-processing; not in the paper). On the
         * hours runs it raised the Dice of the later rounds' pseudo-labels by 2–4.5 points
         * (docs/results.md). Optional, so that config.json of a run that does not set it stays
         * as it was.
         */
        keepLargest: z.boolean().optional(),
        /**
         * Pixels where the network's softmax probability of their pseudo-label (after the CRF,
         * whose marginals are all but one-hot) is below this are left out of every loss that
         * reads pseudo-labels (label IGNORE_LABEL, src/method/pools.ts), as FixMatch leaves out
         * its unconfident pixels; not in the paper. Left-out pixels also hold no class for the
         * contrastive loss's need of slices that hold every class, so a high threshold leaves
         * it fewer slices to pair. Optional, so that config.json of a run that does not set it
         * stays as it was.
         */
        minConfidence: z.number().min(0).max(1).optional(),
        tta: z.boolean().default(false),
        ttaThreshold: z.number().min(0).max(1).default(0.9),
        batchSize: z.number().int().min(1).default(20),
      })
      .strict()
      .prefault({}),
    joint: z
      .object({
        rounds: z.number().int().min(1).default(3),
        iterationsPerRound: z.number().int().min(1).default(5000),
        /**
         * Iterations per round of self-training, when it should differ from the proposed
         * method's (equal wall-clock: a self-training iteration is cheaper). Default: the same.
         */
        selfTrainingIterationsPerRound: z.number().int().min(1).optional(),
        segBatchSize: z.number().int().min(1).default(20),
        /**
         * Pseudo-labeled slices added to the proposed method's segmentation batch (drawn with
         * replacement, augmented alike), so that its Dice loss also learns from the pseudo-labels
         * as self-training does. The paper's code trains the segmentation on labeled slices only
         * (0, the default); its pseudo-labels then reach the network through the contrastive loss
         * alone. Optional, so that config.json of a run that does not set it stays as it was.
         */
        pseudoSegBatchSize: z.number().int().min(0).optional(),
        /** Contrastive pairs B: 2B images per iteration. */
        pairs: z.number().int().min(2).default(10),
        lambda: z.number().min(0).default(0.1),
        variant: z.enum(['inter', 'intra']).default('inter'),
        tau: z.number().positive().default(0.1),
        positives: z.number().int().min(1).default(3),
        /**
         * Whether the background (class 0) is one of the contrastive classes F (method.md C.1).
         * 'auto' (default): only when there are fewer than two foreground classes, so that a
         * single foreground class (PROMISE12: background, prostate) still has a negative and the
         * loss a signal; with two or more (ACDC) the background stays out, as in the paper's code.
         * true/false force it.
         */
        includeBackground: z.union([z.boolean(), z.literal('auto')]).default('auto'),
        normalisation: z.enum(['uniform', 'code-exact']).default('uniform'),
        /**
         * What the first round takes from the baseline: 'backbone' (the paper, A.2: encoder and
         * decoder, with fresh heads and BN statistics) or 'full' (every weight and BN statistic,
         * as FixMatch does; for short budgets, where relearning the heads costs most of a round).
         */
        init: z.enum(['backbone', 'full']).default('backbone'),
        /** Checkpoint that starts each round and re-estimates pseudo-labels (method.md I-9). */
        selection: z.enum(['global-best', 'latest-best']).default('global-best'),
        ...stageScheduleFields,
      })
      .strict()
      .prefault({}),
    /** The methods' own sections (src/method/method-config.ts), after the joint stages'. */
    ...methodConfigSections,
    /**
     * Data-parallel training (`--nproc`, `--nnodes`, or torchrun's WORLD_SIZE/RANK; docs in the
     * README). Optional, so that config.json of a run that does not set it stays as it was.
     * Batch sizes are totals over the ranks. `syncBatchNorm`: batch-norm statistics over the
     * union of the ranks' batches (SyncBatchNorm, default) or each rank's own batch (with the
     * running statistics of rank 0, as DistributedDataParallel's broadcast_buffers).
     * `timeoutSeconds`: how long a rank waits for the others in the rendezvous and in every
     * collective before the job ends with an error naming the collective.
     */
    distributed: z
      .object({
        syncBatchNorm: z.boolean().default(true),
        timeoutSeconds: z.number().positive().default(600),
      })
      .strict()
      .optional(),
    /** Methods `contraseg run` trains after the baseline. */
    methods: z.array(z.enum(SEMI_SUPERVISED_METHODS)).default([...DEFAULT_METHODS]),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    const { crf, crfUnits } = cfg.pseudo;
    if (crfUnits === 'mm' && cfg.preprocess.mode !== 'spacing') {
      ctx.addIssue({
        code: 'custom',
        path: ['pseudo', 'crfUnits'],
        message:
          "'mm' needs a constant pixel size, i.e. preprocess mode 'spacing' (mode 'resize' scales every slice differently); use 'fov' or 'px'",
      });
    }
    if (crf && crfUnits === 'fov' && !(crf[0] > 0 && crf[0] <= 1 && crf[3] > 0 && crf[3] <= 1)) {
      ctx.addIssue({
        code: 'custom',
        path: ['pseudo', 'crf'],
        message: `with crfUnits 'fov' the widths a_sxy and g_sxy are fractions of the input side in (0, 1], got ${crf[0]} and ${crf[3]}`,
      });
    }
  });

export type RunConfig = z.output<typeof configSchema>;

export type RunConfigInput = z.input<typeof configSchema>;

/** Validates a config object; errors name the field (e.g. `joint.lambda`). */
export function parseConfig(raw: unknown, source = 'config'): RunConfig {
  const r = configSchema.safeParse(raw);
  if (!r.success) {
    const msgs = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new InputError(`invalid config: ${msgs.join('; ')}`, source);
  }
  const cfg = r.data;
  if (cfg.baseline.handoff !== undefined && cfg.baseline.handoff > cfg.baseline.iterations) {
    throw new InputError(
      `invalid config: baseline.handoff (${cfg.baseline.handoff}) exceeds baseline.iterations (${cfg.baseline.iterations})`,
      source,
    );
  }
  const down = 2 ** (cfg.model.filters.length - 1);
  const size = cfg.preprocess.mode === 'spacing' ? cfg.preprocess.cropSize : cfg.preprocess.size;
  if (size.some((s) => s % down !== 0)) {
    throw new InputError(
      `invalid config: preprocess size ${size.join('x')} must be divisible by ${down} for ${cfg.model.filters.length} UNet levels`,
      source,
    );
  }
  return cfg;
}

/** Reads and validates a JSON config file. */
export function loadConfig(path: string): RunConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new InputError(
      `cannot read config (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      path,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new InputError(`not valid JSON: ${(err as Error).message}`, path);
  }
  return parseConfig(raw, path);
}
