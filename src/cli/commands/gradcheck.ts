// `layerwise gradcheck`: the engine's gradients against central finite differences on a few examples of a dataset
// (engine/train/gradcheck.ts), per module, with a pass/fail verdict: what to run before trusting a new model family
// or a custom head. The run is prepared by the engine's recipe, as `train` prepares it (the head sized for the data's
// classes), on the backend training uses (wasm by default: its own kernels' gradients are checked too; cpu is plain
// JavaScript, about thirty times slower, and computes in the same float32). Exits 1 when a module fails.
import { LayerwiseError } from '../../lib/errors';
import { parseTrainConfig } from '../../protocol/train-config';
import { checkBatch, GRADCHECK_DEFAULTS, gradcheck, type GradcheckReport } from '../../engine/train/gradcheck';
import { taskForData } from '../../engine/train/prepare';
import { prepareRun } from '../../engine/train/recipe';
import { numberOption, parseOptions, required } from '../args';
import { startCliBackend } from '../backend-option';
import { readJsonFile } from '../batch-file';
import { nodeFolder } from '../node-files';
import { columnOptions, DATASET_FLAGS, jsonText, readDatasetFile, resolveModelDir, taskOption } from '../train-data';

export const summary = "check the engine's gradients against finite differences on a few examples, per module";

const USAGE = `usage: layerwise gradcheck --model DIR|default --data FILE [--task seq-cls|token-cls|mlm] [--text-col NAME]
                           [--label-col NAME] [--examples 4] [--samples ${GRADCHECK_DEFAULTS.samplesPerTensor}] [--step ${GRADCHECK_DEFAULTS.step}]
                           [--threshold ${GRADCHECK_DEFAULTS.threshold}] [--max-length 32] [--config CONFIG.json]
                           [--backend wasm|cpu|webgpu] [--json]

Loads the model as \`train\` would for this data (a new head for its classes), takes its first --examples examples,
and for each parameter tensor compares the autodiff gradient of the eval-mode loss with (L(w+h) - L(w-h)) / 2h at the
--samples entries with the largest gradients. Prints the worst relative error per module (embeddings, attention,
feed-forward, LayerNorm, head; lora and adapters when the --config TrainConfig turns them on, e.g.
{"adapters": {"kind": "houlsby"}}) and pass/fail at --threshold; exits 1 when a module fails. tfjs computes in
float32, so the step and threshold are set for float32 (engine/train/gradcheck.ts says why).`;

function integer(value: unknown, flag: string, fallback: number): number {
  const n = numberOption(value, flag, fallback);
  if (!(Number.isSafeInteger(n) && n > 0)) throw new LayerwiseError('CLI_BAD_ARGUMENT', `--${flag} must be a positive integer, got ${String(value)}`, { field: flag });
  return n;
}

function positive(value: unknown, flag: string, fallback: number): number {
  const n = numberOption(value, flag, fallback);
  if (!(n > 0)) throw new LayerwiseError('CLI_BAD_ARGUMENT', `--${flag} must be a number > 0, got ${String(value)}`, { field: flag });
  return n;
}

function table(report: GradcheckReport): string {
  const rows = report.modules.map((m) => {
    const w = m.worst;
    return `${m.pass ? 'pass' : 'FAIL'}  ${m.module.padEnd(12)} ${String(m.checked).padStart(4)} entries, worst ${w.relativeError.toExponential(2)} ` +
      `at ${w.name}[${w.index}] (autodiff ${w.analytic.toExponential(3)}, finite difference ${w.numeric.toExponential(3)})`;
  });
  return [`loss ${report.loss.toFixed(6)} on ${report.examples} examples; step ${report.options.step}, threshold ${report.options.threshold}`, ...rows, report.pass ? 'gradients agree' : 'GRADIENTS DISAGREE'].join('\n');
}

export async function run(argv: string[]): Promise<number> {
  const opts = parseOptions(argv, {
    model: { type: 'string' },
    data: { type: 'string' },
    task: { type: 'string' },
    ...DATASET_FLAGS,
    examples: { type: 'string' },
    samples: { type: 'string' },
    step: { type: 'string' },
    threshold: { type: 'string' },
    'max-length': { type: 'string' },
    config: { type: 'string' },
    backend: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (opts.help) {
    console.log(USAGE);
    return 0;
  }
  const modelDir = resolveModelDir(required(opts.model, 'model'));
  const dataPath = required(opts.data, 'data');
  const taskFlag = taskOption(opts.task);
  const examples = integer(opts.examples, 'examples', 4);
  const options = {
    samplesPerTensor: integer(opts.samples, 'samples', GRADCHECK_DEFAULTS.samplesPerTensor),
    step: positive(opts.step, 'step', GRADCHECK_DEFAULTS.step),
    threshold: positive(opts.threshold, 'threshold', GRADCHECK_DEFAULTS.threshold),
  };
  const maxLength = integer(opts['max-length'], 'max-length', 32);
  await startCliBackend(opts.backend, 'gradcheck');
  const data = await readDatasetFile(dataPath, 'data', columnOptions(opts['text-col'], opts['label-col']));
  let given: Record<string, unknown> = {};
  let configFile: string | undefined;
  if (typeof opts.config === 'string') {
    const read = await readJsonFile(opts.config);
    if (typeof read.value !== 'object' || read.value === null || Array.isArray(read.value)) {
      throw new LayerwiseError('TRAIN_CONFIG_INVALID', `${read.file} must hold a JSON object of TrainConfig fields`, { file: read.file });
    }
    given = read.value as Record<string, unknown>;
    configFile = read.file;
  }
  const task = taskFlag ?? (typeof given.task === 'string' ? undefined : taskForData(data));
  const config = parseTrainConfig({ ...given, ...(task === undefined ? {} : { task }), maxLength, validationSplit: 0 }, configFile);
  const prepared = await prepareRun({ folder: nodeFolder(modelDir), train: data, validation: null }, config);
  try {
    const report = gradcheck(prepared.model, checkBatch(prepared, examples), options);
    console.log(opts.json ? jsonText(report) : table(report));
    return report.pass ? 0 : 1;
  } finally {
    prepared.trainer.dispose();
    prepared.model.params.dispose();
  }
}
