import type { Command } from 'commander';
import { InputError } from '../../errors.js';
import {
  listPredictInputs,
  predictCase,
  predictionPath,
  prepareOutputFolder,
} from '../../eval/predict-files.js';
import type { Predictor, TestTimeAugmentation } from '../../eval/predictor.js';
import { fileProgress } from '../file-progress.js';
import type { CaseFiles } from '../../eval/case-files.js';
import { readListFile } from '../../data/inputs.js';
import { parseKeepLargest } from '../../io/keep-largest-entry.js';

interface PredictOptions {
  model: string;
  input: string;
  output: string;
  batchSize: string;
  threads?: string;
  tta?: string;
  list?: string;
  keepLargest?: string;
  device: string;
  engine: string;
  quiet?: boolean;
}

/** Engine, model kind and device agree (checked before anything is read). */
function checkEngine(o: PredictOptions): void {
  if (o.engine === 'onnx') {
    if (o.device !== 'cpu')
      throw new InputError('the onnx engine runs on the CPU only (use --engine torch)', '--device');
    if (!o.model.endsWith('.onnx'))
      throw new InputError('--engine onnx takes a .onnx model (contraseg export --onnx)', o.model);
  } else if (o.engine !== 'torch') {
    throw new InputError(`unknown engine '${o.engine}' (use torch or onnx)`, '--engine');
  } else if (o.model.endsWith('.onnx')) {
    throw new InputError('an ONNX model needs --engine onnx', o.model);
  }
}

/**
 * The model on the chosen engine. Both are imported on demand: `--engine onnx` never loads
 * src/torch (hence not the LibTorch addon), `--engine torch` never loads ONNX Runtime.
 */
async function loadPredictor(o: PredictOptions, threads: number | undefined): Promise<Predictor> {
  if (o.engine === 'onnx') {
    const { loadOnnxPredictor } = await import('../../onnx/session.js');
    return loadOnnxPredictor(o.model, { threads });
  }
  const torch = await import('../../torch/index.js');
  const { loadModel } = await import('../../method/model-file.js');
  const { torchPredictor } = await import('../../eval/predict-volume.js');
  if (threads !== undefined) torch.setNumThreads(threads);
  return torchPredictor(loadModel(o.model, o.device));
}

function positiveInt(value: string, option: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new InputError(`must be a positive integer, got '${value}'`, option);
  return n;
}

/** The cases named by a list file, in list order; every listed id must be among the inputs. */
function selectCases(cases: CaseFiles[], list: string | undefined): CaseFiles[] {
  if (list === undefined) return cases;
  const byId = new Map(cases.map((c) => [c.id, c]));
  return readListFile(list).map((id) => {
    const c = byId.get(id);
    if (!c) throw new InputError(`lists case ${id}, which is not among the inputs`, list);
    return c;
  });
}

/**
 * `contraseg predict`: label maps for NIfTI, SSL4MIS HDF5 or PNG-slice inputs, written as uint8
 * NIfTI files `<output>/<case>.nii.gz` in each input's own geometry.
 */
export function register(program: Command): void {
  program
    .command('predict')
    .description(
      'segment volumes with a trained model: NIfTI (.nii, .nii.gz), SSL4MIS HDF5 (.h5 volume or ' +
        'slice) or PNG slices (a PROMISE12 Img/ folder, one volume per case); writes one uint8 ' +
        'label map <output>/<case>.nii.gz per case in the input geometry (the input affine for ' +
        'NIfTI; unit pixel sizes and no affine for HDF5 and PNG, which do not keep them)',
    )
    .requiredOption(
      '--model <file>',
      'checkpoint or exported model (.safetensors; .onnx with --engine onnx)',
    )
    .requiredOption('--input <path>', 'a volume file or a folder of them')
    .requiredOption('--output <folder>', 'folder for the label maps')
    .option('--batch-size <n>', 'slices per forward pass', '20')
    .option('--threads <n>', 'CPU threads of the engine (default: the engine decides)')
    .option(
      '--engine <engine>',
      "'torch' (LibTorch, .safetensors models) or 'onnx' (ONNX Runtime, .onnx models from " +
        '`contraseg export --onnx`; needs no LibTorch)',
      'torch',
    )
    .option(
      '--tta <kind>',
      "test-time augmentation: 'flip' averages the image and its left-right mirror",
    )
    .option(
      '--list <file>',
      'predict only the case ids listed, one a line (e.g. an SSL4MIS test.list)',
    )
    .option(
      '--keep-largest <classes>',
      'keep only the largest connected component of these classes (e.g. 1,2,3), or none; ' +
        'default: the classes the model file names (export --keep-largest), else none',
    )
    .option('--device <device>', 'device to run on (cpu, cuda, cuda:1, ...)', 'cpu')
    .option('--quiet', 'no progress output')
    .action(async (o: PredictOptions) => {
      checkEngine(o);
      const batchSize = positiveInt(o.batchSize, '--batch-size');
      const threads = o.threads === undefined ? undefined : positiveInt(o.threads, '--threads');
      if (o.tta !== undefined && o.tta !== 'flip' && o.tta !== 'none') {
        throw new InputError(`unknown test-time augmentation '${o.tta}' (use flip)`, '--tta');
      }
      const tta = (o.tta ?? 'none') as TestTimeAugmentation;
      const cases = selectCases(listPredictInputs(o.input), o.list);
      const model = await loadPredictor(o, threads);
      let keepLargest: number[] | undefined;
      try {
        if (o.keepLargest !== undefined)
          keepLargest = parseKeepLargest(o.keepLargest, model.numClasses, '--keep-largest');
        prepareOutputFolder(o.output);
      } catch (err) {
        await model.dispose();
        throw err;
      }
      const progress = fileProgress('predict', cases.length, { quiet: o.quiet });
      let slices = 0;
      let seconds = 0;
      try {
        for (const c of cases) {
          const r = await predictCase(model, c, o.output, { batchSize, tta, keepLargest });
          slices += r.slices;
          seconds += r.seconds;
          progress.tick(c.id);
        }
      } finally {
        progress.stop();
        await model.dispose();
      }
      const where = cases.length === 1 ? predictionPath(o.output, cases[0].id) : o.output;
      process.stdout.write(
        `predicted ${cases.length} case(s), ${slices} slice(s) in ${seconds.toFixed(1)} s: ${where}\n`,
      );
    });
}
