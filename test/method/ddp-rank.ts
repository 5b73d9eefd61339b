// One rank of test/method/distributed.test.ts's equivalence check: joins the Gloo group from
// torchrun's variables, trains, and writes its weights as JSON to argv[2].
import { writeFileSync } from 'node:fs';
import * as torch from '../../src/torch/index.js';
import { launchEnv, joinWorld } from '../../src/method/distributed/join.js';
import { dataParallelWeights } from './ddp-steps.js';

torch.setNumThreads(1);
const env = launchEnv();
if (!env) throw new Error('WORLD_SIZE is not set');
const { world } = joinWorld(env, { device: 'cpu', timeoutSeconds: 30, syncBatchNorm: true });
const weights = dataParallelWeights(world);
writeFileSync(
  process.argv[2],
  JSON.stringify(Object.fromEntries(Object.entries(weights).map(([k, v]) => [k, [...v]]))),
);
torch.distributed.barrier();
torch.distributed.destroyProcessGroup();
