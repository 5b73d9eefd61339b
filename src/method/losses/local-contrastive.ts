/**
 * The local (pixel-level) contrastive loss of stage 2 (method.md C; the released code's
 * `joint_tr_unet_seg_loss_and_local_cont_loss`), fully vectorised: no per-pixel, per-pair or
 * per-class JavaScript loops.
 *
 * Batch: 2B embedding maps Z (2B, D, H, W), raw (un-normalised), and label maps Y (2B, H, W); image
 * k is paired with image k + B. F is the class set {1..C−1} (background excluded, the code's
 * behaviour) or {0..C−1} with `includeBackground`. With one foreground class (C = 2) F = {1}
 * gives no signal (no negatives; the intra loss is 0): the run config's 'auto'
 * (`resolveIncludeBackground`) then includes the background.
 *
 *   prototype    μ_n,c = mean of Z_n(p) over {p : Y_n(p) = c}   (gradients flow into it; undefined
 *                when c is absent from n)
 *   similarity   s(u, v) = ⟨û, v̂⟩ / τ,  x̂ = x / sqrt(max(Σx², 1e-12))   (TF l2_normalize)
 *   anchors      for each pair (a, b) and each c ∈ F present in BOTH a and b: P pixels of class c
 *                drawn uniformly with replacement in a, and P in b (`sampleAnchors`)
 *   intra        ℓ(a, p, c) = LSE_{c'∈F}[s(Z_a(p), μ_a,c')] − s(Z_a(p), μ_a,c)
 *   inter        D = LSE_{c'∈F}[s(Z_a(p), μ_a,c'), s(Z_a(p), μ_b,c')]
 *                ℓ(a, p, c) = (D − s(Z_a(p), μ_a,c)) + (D − s(Z_a(p), μ_b,c))
 *                (anchors of b symmetrically, a and b swapped)
 *   pair sum     T_k = Σ_{c∈F} Σ_j [ℓ(a, p_j, c) + ℓ(b, q_j, c)]
 *   normaliser   N = P·|F| (intra), 2·P·|F| (inter), fixed: absent classes still count
 *   'uniform'    L = (1/B) Σ_k T_k / N                        (method.md C.3, the intended loss)
 *   'code-exact' L = ((…((T_0/N + T_1)/N + T_2)/N …) + T_{B−1})/N / B   (method.md I-1)
 *
 * Guards of the code, as boolean masks (method.md C.3, I-7; no sentinel index): a class absent from
 * an image, or whose prototype is exactly zero, is dropped from that image's denominator terms and
 * its positive term is 0; an anchor whose embedding is exactly zero contributes nothing. A pair
 * without shared classes contributes 0, and a batch without any gives loss 0 (finite, zero
 * gradient). Not reproduced: the code's "similarity exactly 0" guard (a measure-zero event).
 * Denominators use log-sum-exp.
 */
import { InputError } from '../../errors.js';
import * as torch from '../../torch/index.js';
import type { Tensor } from '../../torch/index.js';

/** Anything with a uniform() on [0, 1), such as src/util/rng.ts's Rng. */
export interface UniformSource {
  uniform(): number;
}

export interface AnchorSamplingOptions {
  /** Anchors P drawn per class and image (default 3, `no_of_pos_eles`). */
  positivesPerClass?: number;
  /** Include class 0 in F (default false, as the code). Labels outside [0, C) are in no class. */
  includeBackground?: boolean;
  /**
   * Source of the sampling's uniforms (2B·|F|·P numbers); default LibTorch's generator
   * (torch.rand, seeded by torch.manualSeed).
   */
  rng?: UniformSource;
}

export interface LocalContrastiveOptions extends AnchorSamplingOptions {
  /** 'inter' (default, `local_loss_exp_no = 1`) or 'intra' (`local_loss_exp_no = 0`). */
  variant?: 'inter' | 'intra';
  /** Temperature τ (default 0.1). */
  tau?: number;
  /** 'uniform' (default) or 'code-exact' (the released code's cumulative division, I-1). */
  normalisation?: 'uniform' | 'code-exact';
  /**
   * Anchor pixels to use instead of sampling: int64 (2B, |F|, P) flat indices h·W + w, as returned
   * by `sampleAnchors`. Entries of classes not shared by the pair are ignored.
   */
  anchors?: Tensor;
  /** Stop gradients into the prototypes (default false; the paper lets them flow). */
  detachPrototypes?: boolean;
}

export interface LocalContrastiveResult {
  /** The scalar loss, in Z's dtype. */
  loss: Tensor;
  /** Loss terms that contributed: valid anchors × (1 intra, ≤ 2 inter positives). */
  terms: number;
  /** (pair, class) slots whose class is present in both images of the pair. */
  sharedClasses: number;
  /** The normaliser N. */
  n: number;
}

/** The classes F used by the loss: 1..C−1, or 0..C−1 with the background. */
export function contrastiveClasses(numClasses: number, includeBackground = false): number[] {
  const first = includeBackground ? 0 : 1;
  return Array.from({ length: numClasses - first }, (_, i) => i + first);
}

/**
 * Resolves the `joint.includeBackground` setting for `numClasses` classes (background included):
 * 'auto' includes the background only when there are fewer than two foreground classes. With a
 * single foreground class and the background excluded, F = {1}: the inter-image loss has no
 * negatives and the intra-image loss is identically 0, so the contrastive term gives no signal.
 */
export function resolveIncludeBackground(
  setting: boolean | 'auto' | undefined,
  numClasses: number,
): boolean {
  if (setting === true || setting === false) return setting;
  return numClasses - 1 < 2;
}

function checkCommon(numClasses: number, includeBackground: boolean, p: number, who: string): void {
  if (!Number.isInteger(numClasses) || numClasses < (includeBackground ? 1 : 2)) {
    throw new InputError(`${who}: numClasses must be an integer ≥ 2 (≥ 1 with the background)`);
  }
  if (!Number.isInteger(p) || p < 1) {
    throw new InputError(`${who}: positivesPerClass must be a positive integer, got ${p}`);
  }
}

/**
 * The class bin of every pixel, int64 (2B, H, W): i for the i-th class of F (label − first class),
 * |F| for any other label (the background when excluded, or labels outside [0, C)).
 */
function classBins(labels: Tensor, numClasses: number, first: number): Tensor {
  const nf = numClasses - first;
  const inF = labels.ge(first).logicalAnd(labels.lt(numClasses));
  return torch.where(inF, labels.sub(first), nf);
}

/** (2B·|F|·P) uniforms on [0, 1) in float64, from `rng` or LibTorch's generator. */
function uniforms(shape: number[], rng: UniformSource | undefined, device: string): Tensor {
  if (!rng) return torch.rand(shape, { dtype: 'float64', device });
  const v = new Float64Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < v.length; i++) v[i] = rng.uniform();
  return torch.tensor(v, shape, { device });
}

/**
 * Per image, class of F and row: the pixel counts, float64 (2B, |F|, H), by one scatter-add of
 * ones over the class bins.
 */
function rowCounts(bins: Tensor, nf: number): Tensor {
  const [n2, h, w] = bins.shape;
  const o = { dtype: 'float64', device: bins.device } as const;
  const ones = torch.ones([1, 1, 1], o).expand(n2, h, w);
  const perRow = torch.zeros([n2, h, nf + 1], o).scatterAdd(2, bins, ones);
  return perRow.narrow(2, 0, nf).transpose(1, 2);
}

/**
 * The sampling of `sampleAnchors` from the class bins (2B, H, W) and their row counts: a two-level
 * inverse-CDF search, so that nothing of the images' size is created. The r-th class pixel
 * (r = ⌊u·count⌋, 0-based, row-major) lies in the row whose cumulative row count first exceeds r,
 * at the column whose cumulative count within that row first exceeds the remainder.
 */
function sampleFromBins(
  bins: Tensor,
  rows: Tensor,
  p: number,
  rng: UniformSource | undefined,
): Tensor {
  const [n2, h, w] = bins.shape;
  const nf = rows.shape[1];
  const cumRows = rows.cumsum(2); // (2B, |F|, H)
  const counts = cumRows.narrow(2, h - 1, 1); // (2B, |F|, 1)
  // (2B, |F|, P) ranks r = ⌊u·count⌋ in [0, count − 1]
  const rank = uniforms([n2, nf, p], rng, bins.device)
    .mul(counts)
    .floor()
    .minimum(counts.sub(1))
    .clampMin(0);
  const row = cumRows
    .unsqueeze(2)
    .le(rank.unsqueeze(3))
    .sum(3)
    .clamp(0, h - 1); // int64
  const inRow = rank.sub(cumRows.sub(rows).gather(2, row)); // rank within the row
  const np = nf * p;
  const rowBins = bins.gather(1, row.reshape(n2, np, 1).expand(n2, np, w)); // (2B, |F|·P, W)
  const slotClass = torch.arange(0, np, 1, { device: bins.device }).div(p).floor().long();
  const hit = rowBins
    .eq(slotClass.view(1, np, 1))
    .to('float64')
    .cumsum(2);
  const col = hit
    .le(inRow.reshape(n2, np, 1))
    .sum(2)
    .clamp(0, w - 1)
    .view(n2, nf, p);
  const idx = row.mul(w).add(col);
  return torch.where(counts.gt(0), idx, 0);
}

/**
 * Draws the anchor pixels (method.md C.2): for each image n and class c ∈ F, P flat pixel indices
 * (h·W + w) uniformly with replacement among the pixels with label c; 0 where c is absent from n.
 * Returns int64 (2B, |F|, P). Vectorised (an inverse-CDF search on row and column counts).
 */
export function sampleAnchors(
  labels: Tensor,
  numClasses: number,
  o: AnchorSamplingOptions = {},
): Tensor {
  const p = o.positivesPerClass ?? 3;
  const includeBackground = o.includeBackground ?? false;
  checkCommon(numClasses, includeBackground, p, 'sampleAnchors');
  if (labels.ndim !== 3 || labels.dtype !== 'int64') {
    throw new InputError(`sampleAnchors: labels must be int64 (2B, H, W), got [${labels.shape}]`);
  }
  const first = includeBackground ? 0 : 1;
  return torch.tidy(() => {
    const bins = classBins(labels, numClasses, first);
    return sampleFromBins(bins, rowCounts(bins, numClasses - first), p, o.rng);
  });
}

/** x / sqrt(max(Σx², 1e-12)) along the last axis (TF l2_normalize). */
function l2Normalise(x: Tensor): Tensor {
  return x.mul(x.square().sum(-1, true).clampMin(1e-12).rsqrt());
}

/** The loss of the module comment, with diagnostics. `labels` are int64 (2B, H, W). */
export function localContrastiveLoss(
  z: Tensor,
  labels: Tensor,
  numClasses: number,
  o: LocalContrastiveOptions = {},
): LocalContrastiveResult {
  const who = 'localContrastiveLoss';
  const p = o.positivesPerClass ?? 3;
  const includeBackground = o.includeBackground ?? false;
  const inter = (o.variant ?? 'inter') === 'inter';
  const tau = o.tau ?? 0.1;
  checkCommon(numClasses, includeBackground, p, who);
  if (!(tau > 0)) throw new InputError(`${who}: tau must be positive, got ${tau}`);
  if (o.variant !== undefined && o.variant !== 'inter' && o.variant !== 'intra') {
    throw new InputError(`${who}: unknown variant ${String(o.variant)}`);
  }
  const norm = o.normalisation ?? 'uniform';
  if (norm !== 'uniform' && norm !== 'code-exact') {
    throw new InputError(`${who}: unknown normalisation ${String(norm)}`);
  }
  if (z.ndim !== 4 || z.shape[0] % 2 !== 0 || z.shape[0] === 0) {
    throw new InputError(`${who}: embeddings must be (2B, D, H, W) with B ≥ 1, got [${z.shape}]`);
  }
  if (!z.dtype.startsWith('float')) throw new InputError(`${who}: embeddings must be float`);
  const [n2, d, h, w] = z.shape;
  if (
    labels.ndim !== 3 ||
    labels.shape[0] !== n2 ||
    labels.shape[1] !== h ||
    labels.shape[2] !== w
  ) {
    throw new InputError(`${who}: labels [${labels.shape}] must be [${[n2, h, w]}]`);
  }
  if (labels.dtype !== 'int64') throw new InputError(`${who}: labels must be int64`);
  if (labels.device !== z.device || (o.anchors && o.anchors.device !== z.device)) {
    throw new InputError(`${who}: embeddings, labels and anchors must be on one device`);
  }
  const b = n2 / 2;
  const hw = h * w;
  const classes = contrastiveClasses(numClasses, includeBackground);
  const nf = classes.length;
  const np = nf * p;
  if (o.anchors) {
    const s = o.anchors.shape;
    if (o.anchors.dtype !== 'int64' || s.length !== 3 || s[0] !== n2 || s[1] !== nf || s[2] !== p) {
      throw new InputError(`${who}: anchors must be int64 [${[n2, nf, p]}], got [${s}]`);
    }
  }
  const nNorm = (inter ? 2 : 1) * p * nf;

  let counts = [0, 0];
  const loss = torch.tidy(() => {
    const dtype = z.dtype;
    const device = z.device;
    const bins0 = classBins(labels, numClasses, includeBackground ? 0 : 1); // (2B, H, W)
    const rows = rowCounts(bins0, nf); // (2B, |F|, H)
    const cnt = rows.sum(2).to(dtype); // (2B, |F|)
    const present = cnt.gt(0);
    const idx = (o.anchors ?? sampleFromBins(bins0, rows, p, o.rng)).clamp(0, hw - 1).view(n2, np);

    // One scatter-add of Z into bins gives the class sums and the anchor embeddings, and its
    // backward (a gather) writes dL/dZ in one pass. Bins: 0..|F|−1 the classes, |F| the rest,
    // |F|+1+s anchor slot s: each anchor pixel is moved out of its class bin into its own bin.
    const nBins = nf + 1 + np;
    const slotBins = torch
      .arange(nf + 1, nBins, 1, { device })
      .view(1, np)
      .expand(n2, np);
    const bins = bins0.view(n2, hw).scatter(1, idx, slotBins);
    const zf = z.reshape(n2, d, hw);
    const sums = torch
      .zeros([n2, d, nBins], { dtype, device })
      .scatterAdd(2, bins.unsqueeze(1).expand(n2, d, hw), zf); // (2B, D, bins)
    // Class sums: the class bin plus the anchor bins of its pixels (a pixel drawn twice lands in
    // one of its slots' bins; the other stays empty).
    const anchorClass = bins0.view(n2, hw).gather(1, idx); // (2B, |F|·P) in 0..|F|
    const fold = torch.F.oneHot(anchorClass, nf + 1)
      .narrow(2, 0, nf)
      .to(dtype); // (2B, |F|·P, |F|)
    const classSums = sums.narrow(2, 0, nf).add(sums.narrow(2, nf + 1, np).matmul(fold));
    // Anchor embeddings (2B, |F|·P, D): the bin each anchor pixel ended up in.
    const slotBin = bins.gather(1, idx);
    const anchors = sums.gather(2, slotBin.unsqueeze(1).expand(n2, d, np)).transpose(1, 2);

    // Prototypes μ (2B, |F|, D) (absent classes: 0, masked below).
    let mu = classSums.transpose(1, 2).div(cnt.clampMin(1).unsqueeze(2));
    if (o.detachPrototypes) mu = mu.detach();
    const defined = present.logicalAnd(mu.abs().sum(2).gt(0)); // the code's NaN/zero guard
    const muN = l2Normalise(mu);
    const muPartner = muN.roll([b], [0]); // image n's partner is (n + B) mod 2B
    const definedPartner = defined.roll([b], [0]);
    const anchorNonzero = anchors.abs().sum(2).gt(0); // (2B, |F|·P)
    const an = l2Normalise(anchors);

    // Slot masks (2B, |F|·P): class shared by the pair, and positive prototype defined.
    const perSlot = (m: Tensor): Tensor => m.unsqueeze(2).expand(n2, nf, p).reshape(n2, np);
    const shared = present.logicalAnd(present.roll([b], [0]));
    const base = perSlot(shared).logicalAnd(anchorNonzero);
    const ownValid = base.logicalAnd(perSlot(defined));

    const classOfSlot = torch
      .tensor(
        BigInt64Array.from({ length: np }, (_, i) => BigInt(Math.floor(i / p))),
        [1, np, 1],
        { device },
      )
      .expand(n2, np, 1);
    const sOwn = an.matmul(muN.transpose(1, 2)).div(tau); // (2B, |F|·P, |F|)
    const posOwn = sOwn.gather(2, classOfSlot).squeeze(2);
    // Absent/undefined prototypes leave the denominator: a large negative logit (exp → 0 exactly,
    // and finite, so fully masked rows give no NaN).
    const fill = -1e9;
    let termSum: Tensor;
    let validCount: Tensor;
    if (inter) {
      const sOther = an.matmul(muPartner.transpose(1, 2)).div(tau);
      const posOther = sOther.gather(2, classOfSlot).squeeze(2);
      const denomMask = torch.cat([defined, definedPartner], 1).logicalNot().unsqueeze(1);
      const lse = torch.cat([sOwn, sOther], 2).maskedFill(denomMask, fill).logsumexp(2);
      const otherValid = base.logicalAnd(perSlot(definedPartner));
      termSum = torch
        .where(ownValid, lse.sub(posOwn), 0)
        .add(torch.where(otherValid, lse.sub(posOther), 0));
      validCount = ownValid.sum().add(otherValid.sum());
    } else {
      const lse = sOwn.maskedFill(defined.logicalNot().unsqueeze(1), fill).logsumexp(2);
      termSum = torch.where(ownValid, lse.sub(posOwn), 0);
      validCount = ownValid.sum();
    }
    const perImage = termSum.sum(1); // (2B)
    const pairSums = perImage.narrow(0, 0, b).add(perImage.narrow(0, b, b)); // T_k (B)
    counts = [validCount.item(), shared.narrow(0, 0, b).sum().item()];
    if (norm === 'uniform') return pairSums.sum().div(nNorm * b);
    // Pair k's weight in the cumulative form: 1 / (B · N^(B−k)).
    const weights = Float64Array.from({ length: b }, (_, k) => 1 / (b * Math.pow(nNorm, b - k)));
    return pairSums.mul(torch.tensor(weights, [b], { dtype, device })).sum();
  });
  return { loss, terms: counts[0], sharedClasses: counts[1], n: nNorm };
}

/** MONAI-style wrapper: the options are fixed at construction. */
export class LocalContrastiveLoss {
  constructor(
    readonly numClasses: number,
    readonly options: LocalContrastiveOptions = {},
  ) {}
  forward(z: Tensor, labels: Tensor): LocalContrastiveResult {
    return localContrastiveLoss(z, labels, this.numClasses, this.options);
  }
}
