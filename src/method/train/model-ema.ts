import * as torch from '../../torch/index.js';
import { UNet } from '../../nn/index.js';

/** The model average's name among a stage's auxiliary modules (saved in its resume checkpoint). */
export const MODEL_EMA = 'ema';

/**
 * A copy of a network (weights and BN statistics, on its device). Creating the UNet draws from
 * LibTorch's generator, which is restored, so that a stage's random stream is the same with or
 * without the copy.
 */
export function copyOfNetwork(net: UNet): UNet {
  const generator = torch.getRngState();
  let copy = new UNet(net.config);
  torch.setRngState(generator);
  generator.dispose();
  if (net.device !== 'cpu') copy = copy.to(net.device);
  copy.loadStateDict(net.stateDict());
  return copy;
}

/**
 * Config `modelEmaDecay`: after the `updates`-th update of `net`, average ← α·average + (1 − α)·net
 * over every floating-point entry of the state dict (weights and BN statistics, as timm's
 * ModelEmaV2 and PyTorch's AveragedModel with `use_buffers`), with α = min(decay, 1 − 1/updates):
 * the first update copies the weights and the average follows closely while it has seen few
 * (Mean Teacher's warm-up). Integer entries (BN's batch count) are copied.
 */
export function updateModelEma(average: UNet, net: UNet, decay: number, updates: number): void {
  const alpha = Math.min(decay, 1 - 1 / Math.max(1, updates));
  const src = net.stateDict();
  torch.noGrad(() => {
    for (const [name, t] of Object.entries(average.stateDict())) {
      const s = src[name];
      if (t.dtype === 'float32' || t.dtype === 'float64') t.mul_(alpha).add_(s, 1 - alpha);
      else t.copy_(s);
    }
  });
}
