import { InputError } from '../../errors.js';
import type { RunConfig } from '../config.js';
import { meanTeacherSettings } from '../method-config.js';

/** Training batch sizes of a config: a rank draws its share of each. */
const SHARED: ReadonlyArray<[string, string]> = [
  ['baseline', 'batchSize'],
  ['joint', 'segBatchSize'],
  ['joint', 'pairs'],
  ['fixmatch', 'labeledBatchSize'],
  ['fixmatch', 'unlabeledBatchSize'],
  ['meanTeacher', 'labeledBatchSize'],
  ['meanTeacher', 'unlabeledBatchSize'],
];

/**
 * The config one rank of `size` trains with: every training batch (config values are the total
 * over the ranks) divided by `size`, so that the ranks together draw the batch one process
 * would. Pseudo-labels, validation and the bnUpdate batches keep the global config.
 */
export function rankConfig(cfg: RunConfig, size: number): RunConfig {
  if (size === 1) return cfg;
  const out = structuredClone({
    ...cfg,
    meanTeacher: meanTeacherSettings(cfg),
  }) as unknown as Record<string, Record<string, number>>;
  for (const [section, key] of SHARED) {
    const total = out[section]?.[key];
    if (total === undefined) continue;
    const share = total / size;
    // Contrastive pairs come in halves (method.md C.4): a rank needs an even number of them.
    const unit = key === 'pairs' ? 2 : 1;
    if (!Number.isInteger(share / unit) || share < unit)
      throw new InputError(
        `${total} is not divisible into ${size} ranks${unit > 1 ? ' with an even share each' : ''}`,
        `${section}.${key}`,
      );
    out[section][key] = share;
  }
  return out as unknown as RunConfig;
}
