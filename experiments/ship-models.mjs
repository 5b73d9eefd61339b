// Exports the selected (best-on-validation) checkpoints of the proposed method and of the
// labeled-only baseline of the same run (configs/hours) as float16 models under models/, each
// with a model card (models/<name>.md) and the card's validation numbers in the file's metadata
// (test/models/shipped.test.ts checks them). Each model also records the classes whose largest
// connected component `predict` keeps (nnU-Net's post-processing): those where that raises the
// mean validation Dice of the selected checkpoint (`contraseg evaluate --keep-largest`).
// Usage: node experiments/ship-models.mjs [name | setting=CONFIG ...]   (default all; after
// `bash experiments/queue.sh configs/hours/*.json`; needs dist/)
// `setting=CONFIG` ships both models of a setting (e.g. acdc-1) from CONFIG's run, RUNS/<CONFIG's
// file name>, instead of configs/hours: a variant that adopted the baseline of the setting's run
// (experiments/variant-configs.mjs, `contraseg run --baseline-from`).
// A GPU run (experiments/gpu/run-all.sh) sets SHIP_CONFIGS and SHIP_RUNS to its folders and
// SHIP_GPU to the machine, which the cards then name.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { KEEP_LARGEST_KEY } from '../dist/src/io/keep-largest-entry.js';
import { exportModel, loadModel } from '../dist/src/method/model-file.js';
import { runFiles } from '../dist/src/method/run-dir.js';
import { loadSafetensors } from '../dist/src/nn/safetensors.js';
import { dispose } from '../dist/src/torch/index.js';
import { summaryWithAdopted } from './adopted-summary.mjs';
import { keepLargestOnValidation } from './validation-keep-largest.mjs';

const CONFIGS = process.env.SHIP_CONFIGS ?? 'configs/hours';
const RUNS = process.env.SHIP_RUNS ?? 'runs';
const GPU = process.env.SHIP_GPU;
/** [model name, setting, its run, method]: the proposed method's model and the baseline's of one run. */
const SHIPPED = [
  ['acdc-1', 'acdc-1-seed0'],
  ['acdc-3', 'acdc-3-seed0'],
  ['acdc-7', 'acdc-7-seed0'],
  ['promise12-1', 'promise12-1-seed0'],
  ['promise12-2', 'promise12-2-seed0'],
].flatMap(([setting, run]) => [
  [setting, setting, run, 'proposed'],
  [`${setting}-baseline`, setting, run, 'baseline'],
]);
/** What a model's method is, with the config's departures from the paper's proposed stage. */
function methodText(method, cfg) {
  if (method === 'baseline')
    return 'labeled-only baseline (supervised on the labeled slices alone), selected checkpoint';
  const pseudoSeg = cfg.joint?.pseudoSegBatchSize ?? 0;
  const lr = cfg.joint?.lr;
  const p = cfg.pseudo ?? {};
  const parts = [
    'local contrastive loss + CRF pseudo-label self-training (method.md)',
    p.crf
      ? `CRF \`pseudo.crf\` [${p.crf.join(', ')}] (${p.crfUnits ?? 'px'})`
      : 'argmax pseudo-labels',
    pseudoSeg > 0 &&
      `${pseudoSeg} pseudo-labeled slices in each segmentation batch (method.md C.4 step 5; the released code trains the segmentation on labeled slices only)`,
    p.keepLargest && 'pseudo-labels reduced to the largest 3-D component of each class',
    p.minConfidence !== undefined &&
      `pseudo-labeled pixels below confidence ${p.minConfidence} left out of the losses`,
    cfg.bnUpdate?.source === 'labeled' && 'batch-norm statistics re-estimated from labeled batches',
    cfg.baseline.handoff === undefined && "starting from the end of the baseline's training",
    lr !== undefined && `learning rate ${lr}`,
    'selected checkpoint of the proposed stage',
  ];
  return parts.filter(Boolean).join(', ');
}

const f1 = (v) => (Number.isFinite(v) ? v.toFixed(1) : '–');
const readLines = (p) =>
  readFileSync(p, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

/** The labeled cases of a config: the first N patients (ACDC) or cases (PNG slices) of train.list. */
function labeledCases(cfg) {
  const train = readLines(join(cfg.data.root, 'train.list'));
  if (cfg.data.kind === 'acdc-h5') {
    const patients = [...new Set(train.map((v) => v.replace(/_frame\d+$/, '')))];
    return patients.slice(0, cfg.data.labeledPatients);
  }
  return train.slice(0, cfg.data.labeledCases);
}

/** Dice % of the classes `keep` post-processed and the others as they are, per class and mean. */
function postProcessedDice(e, keep) {
  const perClass = e.perClass.map((c, i) =>
    keep.includes(c.label) ? e.keepLargest.perClass[i] : c,
  );
  const hd95 = perClass.map((c) => c.hd95.mean);
  return {
    dice: perClass.map((c) => c.dice.mean),
    hd95,
    meanDice: perClass.reduce((a, c) => a + c.dice.mean, 0) / perClass.length,
  };
}

mkdirSync('models', { recursive: true });
const args = process.argv.slice(2);
const variants = new Map(args.filter((a) => a.includes('=')).map((a) => a.split('=')));
const wanted = ([name, setting]) =>
  args.length === 0 || args.includes(name) || variants.has(setting);
for (const [name, setting, settingRun, method] of SHIPPED.filter(wanted)) {
  const configPath = variants.get(setting) ?? `${CONFIGS}/${settingRun}.json`;
  const run = basename(configPath, '.json');
  const summaryPath = runFiles(join(RUNS, run)).summary;
  if (!existsSync(summaryPath)) {
    console.log(`${name}: run ${run} has no summary.json (not finished), skipped`);
    continue;
  }
  const cfg = JSON.parse(readFileSync(configPath, 'utf8'));
  // A variant run trains some methods only; the others of its setting are in the adopted run.
  const { summary, from: fromName } = summaryWithAdopted(join(RUNS, run));
  const runCommand = `npx contraseg run --config ${configPath} --out runs/${run}`;
  const command = GPU
    ? `\`bash experiments/gpu/run-all.sh\` on one GPU (docs/results.md, "GPU runs")`
    : fromName
      ? `\`bash experiments/queue.sh ${CONFIGS}/${fromName}.json\`, then \`${runCommand} --baseline-from runs/${fromName}\` (its baseline is that run's), then \`node experiments/ship-models.mjs ${setting}=${configPath}\``
      : `\`bash experiments/queue.sh ${configPath}\` (= \`${runCommand}\`), then \`node experiments/ship-models.mjs\``;
  const otherResults = summary.results.filter((r) => r.method !== method);
  const result = summary.results.find((r) => r.method === method);
  const ckpt = loadSafetensors(result.checkpoint);
  dispose(ckpt.tensors);
  const trainer = JSON.parse(ckpt.metadata['contraseg.trainer']);
  const val = result.validationMetrics.selected;
  const classes = summary.classNames.slice(1);
  const acdc = cfg.data.kind === 'acdc-h5';
  const cases = labeledCases(cfg);
  const out = join('models', `${name}.safetensors`);
  const evaluation = keepLargestOnValidation(cfg, result.checkpoint);
  const keep = evaluation.keepLargest.classes;
  const post = postProcessedDice(evaluation, keep);
  exportModel(result.checkpoint, out, {
    extra: {
      [KEEP_LARGEST_KEY]: JSON.stringify(keep),
      'card.validation_dice_keep_largest': String(post.meanDice),
      'card.run': run,
      'card.config': configPath,
      'card.method': method,
      'card.labeled': cases.join(','),
      'card.validation_dice': String(val.overall.dice.mean),
      'card.validation_hd95': String(val.overall.hd95.mean),
    },
  });
  const shipped = loadModel(out);
  const parameters = shipped.net.numParameters().toLocaleString('en-US');
  shipped.net.dispose();
  const sha = createHash('sha256').update(readFileSync(out)).digest('hex');
  const minutes =
    method === 'baseline'
      ? result.trainSeconds / 60
      : (result.startSeconds + result.pseudoLabelSeconds + result.trainSeconds) / 60;
  const pre = cfg.preprocess;
  const card = `# ${name}: contraseg, ${method === 'proposed' ? 'proposed method' : 'labeled-only baseline'}, ${acdc ? 'ACDC' : 'PROMISE12'}, ${cases.length} labeled ${acdc ? 'patient' : 'case'}${cases.length > 1 ? 's' : ''}

| | |
|---|---|
| task | ${acdc ? 'cardiac cine MRI, short-axis slices: background, RV, Myo, LV' : 'prostate T2 MRI, axial slices: background, prostate'} |
| data | ${acdc ? 'ACDC in the SSL4MIS layout (train.list, train_slices.list, val.list)' : 'PROMISE12 PNG slices (train.list, val.list)'} |
| labeled | ${cases.join(', ')} (${acdc ? 'both frames, all slices; every other patient' : 'all slices; every other case'} of train.list unlabeled) |
| method | ${methodText(method, cfg)} (iteration ${trainer.bestIteration}) |
| input | 2-D slices resized to ${pre.size.join('×')}${pre.percentiles ? `, intensities normalised by the percentiles ${pre.percentiles.join(' and ')} of each volume` : ''}; predictions mapped back to the input geometry |
| network | the paper's 2-D UNet, ${parameters} parameters, float16 weights |
| post-processing | ${keep.length > 0 ? `only the largest connected component of ${keep.map((c) => summary.classNames[c]).join(', ')} is kept (\`predict --keep-largest none\` turns it off): it raised the mean validation Dice of ${keep.length > 1 ? 'these classes' : 'this class'} and not of the others` : 'none: keeping only the largest connected component raised the mean validation Dice of no class'} |
| config | \`${configPath}\` (seed ${cfg.seed}) |
| command | ${command} |
| training compute | ${f1(minutes)} min ${GPU ? `on ${GPU}, shared by the runs of every setting` : 'of one thread on a 2-core CPU shared by two runs'} (docs/results.md; ${method === 'baseline' ? 'its whole stage' : cfg.baseline.handoff === undefined ? 'the whole baseline, whose end it starts from, its pseudo-labels and its own stage' : 'the baseline part before the handoff, pseudo-labels and its own stage'}) |
| sha256 | \`${sha}\` |

Validation (${val.volumes} volumes of val.list, at native resolution; HD95 in pixels because the
data keep no spacing). The checkpoint was selected on these volumes, so they are optimistic.

| | ${classes.join(' | ')} | mean |
|---|${classes.map(() => '---|').join('')}---|
| Dice % | ${val.perClass.map((c) => f1(100 * c.dice.mean)).join(' | ')} | ${f1(100 * val.overall.dice.mean)} |
| HD95 px | ${val.perClass.map((c) => f1(c.hd95.mean)).join(' | ')} | ${f1(val.overall.hd95.mean)} |
| Dice %, post-processed | ${post.dice.map((d) => f1(100 * d)).join(' | ')} | ${f1(100 * post.meanDice)} |
| HD95 px, post-processed | ${post.hd95.map((d) => f1(d)).join(' | ')} | ${f1(post.hd95.reduce((a, b) => a + b, 0) / post.hd95.length)} |

The post-processed rows are what \`predict\` gives with this file; the classes it applies to were
chosen on these same volumes.

The other methods of the same ${fromName ? 'setting and baseline' : 'run and budget'}, best-on-validation Dice %: ${otherResults
    .map((r) => `${r.method} ${f1(100 * r.validation.dice)}`)
    .join(', ')} (docs/results.md discusses why).

Use:

\`\`\`
npx contraseg predict --model models/${name}.safetensors --input <scan, or folder of scans> --output <dir>
\`\`\`

Evaluate on an SSL4MIS test list (volumes \`data/<id>.h5\` of the ACDC layout, or PROMISE12 case ids):

\`\`\`
npx contraseg predict --model models/${name}.safetensors --input ${acdc ? '<ACDC>/data' : '<PROMISE12>'} --list <test.list> --output pred-${name}
npx contraseg evaluate --pred pred-${name} --gt ${acdc ? '<ACDC>' : '<PROMISE12>'} --list <test.list> --out ${name}-test.csv
\`\`\`

Limitations: trained ${GPU ? 'for minutes on one GPU' : 'on a CPU'}, a fraction of the GPU hours published methods use
(docs/results.md compares them); 2-D; research use only, not for clinical decisions.
`;
  writeFileSync(join('models', `${name}.md`), card);
  console.log(
    `${out}: ${method} of ${run}, validation Dice ${f1(100 * val.overall.dice.mean)} %, post-processed ${f1(100 * post.meanDice)} % (largest component of ${keep.join(',') || 'no class'}), sha256 ${sha.slice(0, 12)}`,
  );
}
