// `layerwise eval`: the metrics of a checkpoint on a dataset file, in eval mode, with the keys `train` writes to
// metrics.json (eval_loss, accuracy, f1_macro, f1_micro, f1_weighted, per_class, confusion_matrix; token-cls also
// entity_precision, entity_recall, entity_f1, per_entity). Classes are the checkpoint's id2label. A multi-label model
// (problem_type) is scored at its own thresholds (config.json's layerwise.thresholds) with subset accuracy and Hamming
// loss, and `tuned` says what thresholds tuned on this file would give; long texts are read as its config.json says.
import { LayerwiseError } from '../../lib/errors';
import { DEFAULT_TRAIN_CONFIG } from '../../protocol/train-config';
import { mlmTokenizerInfo } from '../../engine/data/mlm-collator';
import { maxSequenceLength } from '../../engine/models/validate-inputs';
import { decisionOf } from '../../engine/decision';
import { evaluate } from '../../engine/train/evaluate';
import { checkTaskData, encodeRunData, readerWarnings } from '../../engine/train/prepare';
import { numberOption, parseOptions, required } from '../args';
import { startCliBackend } from '../backend-option';
import { loadModelForCommand } from '../load-model';
import { nodeFolder } from '../node-files';
import { columnOptions, DATASET_FLAGS, jsonText, readDatasetFile, resolveModelDir, taskOption } from '../train-data';

export const summary = 'print the metrics of a model on a dataset file (eval mode)';

const USAGE = `usage: layerwise eval --model DIR|default --data FILE [--task seq-cls|token-cls|mlm] [--text-col NAME]
                      [--label-col NAME] [--label-sep SEP|none] [--label-cols A,B,C] [--batch-size 16] [--max-length 128]
                      [--seed 42] [--adapter DIR] [--thresholds model|0.5]
                      [--backend wasm|cpu|webgpu] [--json]

Prints eval_loss, accuracy, f1_macro, f1_micro, f1_weighted, per_class, confusion_matrix (token-cls also
entity_precision, entity_recall, entity_f1, per_entity; mlm perplexity, with a masking seeded by --seed).
--adapter DIR loads a PEFT LoRA adapter (adapter_config.json, adapter_model.safetensors) onto the --model folder.
A multi-label model is scored at its own thresholds (config.json's layerwise.thresholds; --thresholds 0.5 at 0.5),
with subset accuracy as accuracy, hamming_loss, and "tuned": the scores at thresholds tuned on this file (optimistic).`;

export async function run(argv: string[]): Promise<number> {
  const opts = parseOptions(argv, {
    model: { type: 'string' },
    data: { type: 'string' },
    task: { type: 'string' },
    ...DATASET_FLAGS,
    'batch-size': { type: 'string' },
    'max-length': { type: 'string' },
    seed: { type: 'string' },
    adapter: { type: 'string' },
    thresholds: { type: 'string' },
    backend: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (opts.help) {
    console.log(USAGE);
    return 0;
  }
  const modelDir = resolveModelDir(required(opts.model, 'model'));
  const dataPath = required(opts.data, 'data');
  const task = taskOption(opts.task);
  const batchSize = numberOption(opts['batch-size'], 'batch-size', DEFAULT_TRAIN_CONFIG.batchSize);
  const maxLength = numberOption(opts['max-length'], 'max-length', DEFAULT_TRAIN_CONFIG.maxLength);
  const seed = numberOption(opts.seed, 'seed', DEFAULT_TRAIN_CONFIG.seed);
  for (const [flag, value] of [['batch-size', batchSize], ['max-length', maxLength]] as const) {
    if (!(Number.isSafeInteger(value) && value > 0)) throw new LayerwiseError('CLI_BAD_ARGUMENT', `--${flag} must be a positive integer, got ${value}`, { field: flag });
  }
  if (opts.thresholds !== undefined && opts.thresholds !== 'model' && opts.thresholds !== '0.5') {
    throw new LayerwiseError('CLI_BAD_ARGUMENT', `--thresholds takes "model" or "0.5", got "${opts.thresholds}"`, { field: 'thresholds' });
  }
  await startCliBackend(opts.backend, 'eval');
  const data = await readDatasetFile(dataPath, 'data', columnOptions(opts['text-col'], opts['label-col'], { labelSep: opts['label-sep'], labelCols: opts['label-cols'] }));
  const model = await loadModelForCommand(nodeFolder(modelDir), 'eval', task === undefined ? {} : { task }, opts.adapter);
  try {
    checkTaskData(model.task, data);
    if (model.tokenizer === null) throw new LayerwiseError('TOKENIZER_MISSING', 'the model folder has no tokenizer', { file: 'tokenizer.json' });
    const labels = model.task === 'mlm' ? [] : model.config.id2label;
    const splits = { train: data, validation: null, test: null, source: 'files' as const, warnings: [] };
    const decision = model.task === 'mlm' ? null : decisionOf(model.rawConfig, model.task, labels);
    const multiLabel = decision?.problemType === 'multi_label_classification';
    const encoded = await encodeRunData(splits, model.tokenizer, model.task, { maxLength, modelMaxLength: maxSequenceLength(model.config), labels, multiLabel, windows: decision?.windows ?? null });
    for (const w of [...readerWarnings(data, null), ...encoded.warnings]) console.error(`layerwise eval: ${w.level === 'info' ? 'note' : 'warning'}: ${w.code}: ${w.message}`);
    if (encoded.train.examples.length === 0) {
      throw new LayerwiseError('EVAL_NO_EXAMPLES', `no example of ${data.file} has a label the model knows (${labels.join(', ')})`, { file: data.file });
    }
    const metrics = await evaluate(
      { family: model.family, config: model.config, task: model.task, params: model.params, loss: { multiLabel } },
      encoded.train,
      {
        batchSize,
        seed,
        padding: { padId: model.tokenizer.special.pad, maxLength: encoded.maxLength },
        masking: model.task === 'mlm' ? { info: mlmTokenizerInfo(model.tokenizer), options: {} } : null,
        thresholds: opts.thresholds === '0.5' ? null : (decision?.thresholds ?? null),
      },
    );
    if (!Number.isFinite(metrics.eval_loss)) {
      // Accuracy of NaN logits is the argmax of nothing: no metric of such a model is worth printing.
      throw new LayerwiseError('EVAL_NON_FINITE', `eval_loss is ${metrics.eval_loss} on ${data.file}: the model's outputs are not numbers (its weights hold NaN or Inf, or are so large that the forward pass overflows; was it trained to divergence?)`, { file: data.file });
    }
    console.log(opts.json ? jsonText(metrics) : jsonText(metrics, 2));
  } finally {
    model.params.dispose();
  }
  return 0;
}
