import * as torch from '../../torch/index.js';
import { InputError } from '../../errors.js';
import type { Rng } from '../../util/rng.js';
import type { World } from './world.js';

/** A rank's random streams in a checkpoint: host-side Rng state, LibTorch generator (base64). */
export interface RankStreams {
  rng: number[];
  torch: string;
}

/** The seed of `rank`'s own copy of a stream (SEED_STREAMS.rank, src/method/methods/streams.ts). */
export { rankSeed } from '../seed-streams.js';

/** Every rank's streams, gathered on every rank (checkpoints of multi-rank runs), else undefined. */
export function gatherStreams(world: World, rng: Rng): RankStreams[] | undefined {
  if (world.size === 1) return undefined;
  const generator = torch.getRngState();
  const mine = {
    rng: rng.getState(),
    torch: Buffer.from(generator.data() as Uint8Array).toString('base64'),
  };
  generator.dispose();
  return world.gather(mine);
}

/**
 * Restores this rank's streams from a resumed checkpoint's `ranks`. The world size must be the
 * one the checkpoint was written with.
 */
export function restoreStreams(
  world: World,
  ranks: RankStreams[] | undefined,
  rng: Rng,
  file: string,
): void {
  const saved = ranks?.length ?? 1;
  if (saved !== world.size)
    throw new InputError(
      `the checkpoint was written by ${saved} rank(s); resume it with the same world size, not ${world.size}`,
      file,
    );
  if (!ranks) return;
  const mine = ranks[world.rank];
  rng.setState(mine.rng);
  const bytes = new Uint8Array(Buffer.from(mine.torch, 'base64'));
  const state = torch.tensor(bytes, [bytes.length]);
  torch.setRngState(state);
  state.dispose();
}
