import * as torch from '../../torch/index.js';
import type { UNet } from '../../nn/index.js';
import type { RunConfig } from '../config.js';
import { meanTeacherSettings } from '../method-config.js';
import type { SlicePool } from '../pools.js';
import type { SegLossFn } from '../setup.js';
import type { Rng } from '../../util/rng.js';
import { labeledAndWeakBatch } from './fixmatch.js';
import { type StageContext, type StepResult, backwardAndStep } from './loop.js';

/**
 * The consistency weight at `iteration` (Laine & Aila's sigmoid-shaped ramp-up, as SSL4MIS's
 * `sigmoid_rampup`): λ(t) = λ_max·exp(−5(1 − t/T)²) for t < T, λ_max after.
 */
export function consistencyWeight(iteration: number, lambda: number, rampup: number): number {
  if (rampup <= 0 || iteration >= rampup) return lambda;
  const phase = 1 - Math.max(0, iteration) / rampup;
  return lambda * Math.exp(-5 * phase * phase);
}

/**
 * teacher ← α·teacher + (1 − α)·student on the parameters (not the BN statistics, as SSL4MIS's
 * `update_ema_variables`), with α = min(1 − 1/(step + 1), decay): the teacher follows the student
 * closely in the first steps.
 */
export function updateTeacher(teacher: UNet, student: UNet, decay: number, step: number): void {
  const alpha = Math.min(1 - 1 / (step + 1), decay);
  const src = new Map(student.namedParameters());
  torch.noGrad(() => {
    for (const [name, p] of teacher.namedParameters()) {
      p.mul_(alpha).add_(src.get(name) as torch.Tensor, 1 - alpha);
    }
  });
}

/**
 * The batch of a Mean Teacher iteration: an augmented labeled batch and unlabeled slices drawn with
 * replacement under the affine augmentation.
 */
export function meanTeacherBatch(
  labeled: SlicePool,
  unlabeled: SlicePool,
  cfg: RunConfig,
  classes: number,
  rng: Rng,
  device: string,
): { lab: { images: torch.Tensor; targets: torch.Tensor }; unl: torch.Tensor } {
  const m = meanTeacherSettings(cfg);
  const { lab, weak } = labeledAndWeakBatch(
    labeled,
    unlabeled,
    [m.labeledBatchSize, m.unlabeledBatchSize],
    cfg,
    classes,
    rng,
    device,
  );
  return { lab, unl: weak };
}

/**
 * One iteration of Mean Teacher (Tarvainen & Valpola, NeurIPS 2017, as SSL4MIS trains it): the
 * labeled slices get the segmentation loss; the unlabeled ones the consistency loss, the mean
 * squared difference between the student's softmax and the teacher's softmax of the same slices
 * with Gaussian noise (σ = 0.1, clipped to ±0.2) added, weighted by λ(t); then the teacher moves
 * towards the student by an exponential moving average.
 */
export function meanTeacherStep(
  ctx: StageContext,
  teacher: UNet,
  labeled: SlicePool,
  unlabeled: SlicePool,
  cfg: RunConfig,
  loss: SegLossFn,
  iteration: number,
): StepResult {
  const m = meanTeacherSettings(cfg);
  const skip = torch.tidy(() => {
    const { lab, unl } = meanTeacherBatch(
      labeled,
      unlabeled,
      cfg,
      ctx.net.config.numClasses,
      ctx.rng,
      ctx.net.device,
    );
    const nl = lab.images.shape[0];
    const n = unl.shape[0];
    ctx.net.train();
    teacher.train();
    ctx.optimizer.zeroGrad();
    const noise = torch.randn(unl.shape, { device: unl.device }).mul(0.1).clamp(-0.2, 0.2);
    const target = torch.noGrad(() => teacher.forward(unl.add(noise)).softmax(1));
    const logits = ctx.net.forward(torch.cat([lab.images, unl]));
    const sup = loss(logits.narrow(0, 0, nl), lab.targets);
    const consistency = logits.narrow(0, nl, n).softmax(1).sub(target).square().mean();
    const weight = consistencyWeight(iteration, m.lambda, m.rampup ?? ctx.totalIterations);
    const total = sup.add(consistency.mul(weight));
    const values = {
      loss: total.item(),
      sup: sup.item(),
      consistency: consistency.item(),
      weight,
    };
    return { losses: values, skipped: !backwardAndStep(ctx, total, values.loss) };
  });
  if (!skip.skipped) updateTeacher(teacher, ctx.net, m.ema, iteration + 1);
  return skip;
}
