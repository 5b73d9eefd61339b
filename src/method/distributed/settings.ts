import type { RunConfig } from '../config.js';

/** The run's `distributed` section with its defaults. */
export function distributedSettings(cfg: RunConfig): {
  syncBatchNorm: boolean;
  timeoutSeconds: number;
} {
  return { syncBatchNorm: true, timeoutSeconds: 600, ...cfg.distributed };
}
