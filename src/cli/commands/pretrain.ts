// `layerwise pretrain`: masked-LM pretraining on unlabeled text, from a fresh initialisation of a folder's
// architecture (--init random: config.json + tokenizer; --init ppmi: the same with word embeddings from the text's
// co-occurrence statistics) or continued from a checkpoint's weights (domain adaptation). Text files of any dataset
// format (a text column of a CSV, lines of a .txt) are read with the same readDataset as everything else; each line
// is one example and longer lines become consecutive windows (no text is cut away). Checkpoints, exact resume,
// progress and the output folder are `layerwise train`'s (run-trainer.ts).
import { statSync } from 'node:fs';
import path from 'node:path';
import { LayerwiseError } from '../../lib/errors';
import type { Dataset, ExampleDataset } from '../../formats/datasets/index';
import { DEFAULT_TRAIN_CONFIG, parseTrainConfig, type TrainConfig } from '../../protocol/train-config';
import { textCorpus } from '../../engine/data/text-corpus';
import { prepareMlmRun } from '../../engine/train/recipe';
import { numberOption, parseOptions, required } from '../args';
import { startCliBackend } from '../backend-option';
import { readJsonFile } from '../batch-file';
import { nodeFolder } from '../node-files';
import { checkCheckpointFolder, checkOutFolder } from '../out-folder';
import { readCheckpoint, runTrainer } from '../run-trainer';
import { columnOptions, readDatasetFile, resolveModelDir } from '../train-data';

export const summary = 'masked-LM pretraining on text files, from scratch (--init random|ppmi) or continued; writes a Hugging Face folder';

/**
 * Pretraining defaults where they differ from fine-tuning's: a larger learning rate with a short warmup, as small
 * BERTs are pretrained (Turc et al. 2019 used 1e-4 at batch 256; this is for batches of 32–64 lines), evaluation
 * every 500 steps rather than per epoch, and no held-out split unless asked for.
 */
export const PRETRAIN_DEFAULTS: Partial<TrainConfig> = {
  task: 'mlm',
  epochs: 1,
  batchSize: 32,
  learningRate: 5e-4,
  weightDecay: 0.01,
  maxLength: 128,
  maxGradNorm: 1,
  evalEvery: 500,
  schedule: { ...DEFAULT_TRAIN_CONFIG.schedule, type: 'linear', warmupRatio: 0.05 },
};

const USAGE = `usage: layerwise pretrain --model DIR|default --text FILE [--text FILE ...] --out DIR
                          [--init random|ppmi [--ppmi-scale 0.2]] [--validation FILE | --validation-split X] [--text-col NAME]
                          [--whole-word] [--mlm-probability 0.15] [--mode window|group|line]
                          [--config CONFIG.json] [--epochs N] [--max-steps N] [--lr X] [--batch-size N]
                          [--max-length N] [--eval-every N] [--seed N]
                          [--checkpoint-dir DIR] [--resume DIR] [--backend wasm|cpu|webgpu] [--overwrite] [--json]

  --model       the architecture and tokenizer (config.json + tokenizer files); its weights are the starting point
                unless --init is given (continued pretraining adapts a model to new text)
  --init        random: every weight freshly initialised, as transformers does; ppmi: the same, but the word
                embeddings are the training text's PPMI-SVD vectors (co-occurrence within 5 tokens; Levy et al. 2015),
                so pretraining starts from word similarity rather than noise
  --ppmi-scale  std of each PPMI word-vector component (default 0.2, ten times BERT's initializer_range: the word
                then outweighs the random position and type vectors at the embedding LayerNorm, and the updates
                of pretraining and fine-tuning move it relatively less; 0.02 gave 2 points less on SST-2 2k)
  --text        unlabeled text: .txt (one example per line), the text column of a CSV/TSV/JSONL (--text-col; labels
                are ignored), or the sentences of a CoNLL file
  --validation  held-out text for eval_loss, masked-token accuracy and perplexity; or --validation-split X,
                a seeded share of the lines
  --whole-word  mask all subwords of a word together (DataCollatorForWholeWordMask)
  --mode        window (default): one line per example, longer lines cut into consecutive windows of max-length;
                group: lines concatenated and cut into blocks (run_mlm.py); line: one line, truncated
  --checkpoint-dir DIR  checkpoint after every evaluation;  --resume DIR  continue it exactly
  --overwrite   replace --out when it already holds files (it is never the --model folder)

Defaults: ${JSON.stringify({ ...PRETRAIN_DEFAULTS, schedule: { type: 'linear', warmupRatio: 0.05 } })}.
Prints one JSON line per evaluation with --json (step, eval_loss, accuracy = masked-token accuracy, perplexity).
Writes to --out, as one folder once the run has ended: config.json, model.safetensors (…ForMaskedLM), the tokenizer
files, README.md (a model card) and metrics.json.`;

const START: Record<string, string> = {
  random: 'from a random initialisation',
  ppmi: 'from a random initialisation with PPMI-SVD word embeddings',
  pretrained: 'continued from the checkpoint',
};

const OVERRIDES = [
  ['epochs', 'epochs'],
  ['max-steps', 'maxSteps'],
  ['lr', 'learningRate'],
  ['batch-size', 'batchSize'],
  ['max-length', 'maxLength'],
  ['eval-every', 'evalEvery'],
  ['seed', 'seed'],
] as const;

/** The lines of several datasets as one single-column text dataset (textCorpus: labels dropped, CoNLL words joined). */
function joinTexts(files: Dataset[]): ExampleDataset {
  const corpora = files.map(textCorpus);
  // Every file's reader warnings, each naming its file when there are several.
  const warnings = corpora.flatMap((c) => c.warnings.map((w) => (corpora.length > 1 ? { ...w, message: `${c.file}: ${w.message}` } : w)));
  return { ...corpora[0], file: files.map((f) => f.file).join(' + '), rows: corpora.flatMap((c) => c.rows), rowLines: corpora.flatMap((c) => c.rowLines), warnings };
}

async function pretrainConfig(opts: Record<string, unknown>): Promise<{ input: Record<string, unknown>; file?: string }> {
  let input: Record<string, unknown> = { ...PRETRAIN_DEFAULTS };
  let file: string | undefined;
  if (typeof opts.config === 'string') {
    const read = await readJsonFile(opts.config);
    if (typeof read.value !== 'object' || read.value === null || Array.isArray(read.value)) {
      throw new LayerwiseError('TRAIN_CONFIG_INVALID', `${read.file} must hold a JSON object of TrainConfig fields`, { file: read.file });
    }
    input = { ...input, ...(read.value as Record<string, unknown>) };
    file = read.file;
  }
  for (const [flag, field] of OVERRIDES) if (opts[flag] !== undefined) input[field] = numberOption(opts[flag], flag, 0);
  const mlm = { ...DEFAULT_TRAIN_CONFIG.mlm, ...((input.mlm as object | undefined) ?? {}) };
  if (opts['whole-word'] === true) mlm.wholeWord = true;
  if (opts['mlm-probability'] !== undefined) mlm.probability = numberOption(opts['mlm-probability'], 'mlm-probability', 0.15);
  input.mlm = mlm;
  if (opts['validation-split'] !== undefined) input.validationSplit = numberOption(opts['validation-split'], 'validation-split', 0);
  else if (input.validationSplit === undefined) input.validationSplit = 0;
  if (input.task !== 'mlm') throw new LayerwiseError('TRAIN_CONFIG_INVALID', `pretrain trains a masked LM: the config's task must be "mlm", got ${JSON.stringify(input.task)}`, { file, field: 'task' });
  return { input, file };
}

export async function run(argv: string[]): Promise<number> {
  const opts = parseOptions(argv, {
    model: { type: 'string' },
    text: { type: 'string', multiple: true },
    validation: { type: 'string' },
    'validation-split': { type: 'string' },
    'text-col': { type: 'string' },
    init: { type: 'string' },
    'ppmi-scale': { type: 'string' },
    'whole-word': { type: 'boolean' },
    'mlm-probability': { type: 'string' },
    mode: { type: 'string' },
    config: { type: 'string' },
    epochs: { type: 'string' },
    'max-steps': { type: 'string' },
    lr: { type: 'string' },
    'batch-size': { type: 'string' },
    'max-length': { type: 'string' },
    'eval-every': { type: 'string' },
    seed: { type: 'string' },
    'checkpoint-dir': { type: 'string' },
    resume: { type: 'string' },
    backend: { type: 'string' },
    out: { type: 'string' },
    overwrite: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (opts.help) {
    console.log(USAGE);
    return 0;
  }
  const modelDir = resolveModelDir(required(opts.model, 'model'));
  const texts = opts.text ?? [];
  if (texts.length === 0) throw new LayerwiseError('CLI_MISSING_ARGUMENT', '--text FILE is required (give it more than once for several files)', { field: 'text' });
  const out = required(opts.out, 'out');
  checkOutFolder(out, { inputs: [modelDir], overwrite: opts.overwrite === true });
  if (opts['checkpoint-dir'] !== undefined) checkCheckpointFolder(opts['checkpoint-dir'], { model: modelDir, out });
  if (opts.init !== undefined && opts.init !== 'random' && opts.init !== 'ppmi') {
    throw new LayerwiseError('CLI_BAD_ARGUMENT', `--init takes "random" or "ppmi", got "${opts.init}"`, { field: 'init' });
  }
  if (opts['ppmi-scale'] !== undefined && opts.init !== 'ppmi') throw new LayerwiseError('CLI_BAD_ARGUMENT', '--ppmi-scale goes with --init ppmi', { field: 'ppmi-scale' });
  const ppmiScale = numberOption(opts['ppmi-scale'], 'ppmi-scale', 0.2);
  const mode = opts.mode ?? 'window';
  if (mode !== 'window' && mode !== 'group' && mode !== 'line') {
    throw new LayerwiseError('CLI_BAD_ARGUMENT', `--mode must be window, group or line, got "${mode}"`, { field: 'mode' });
  }
  if (opts.validation !== undefined && opts['validation-split'] !== undefined) {
    throw new LayerwiseError('CLI_BAD_ARGUMENT', 'give --validation FILE or --validation-split X, not both', { field: 'validation-split' });
  }
  const resume = opts.resume === undefined ? null : await readCheckpoint(opts.resume);
  if (resume !== null) {
    const flags: Record<string, unknown> = opts;
    const given = [...OVERRIDES.map(([flag]) => flag), 'config', 'whole-word', 'mlm-probability', 'validation-split', 'ppmi-scale'].filter((f) => flags[f] !== undefined);
    if (given.length > 0) throw new LayerwiseError('CLI_BAD_ARGUMENT', `--resume continues the saved run with its own config; drop ${given.map((f) => `--${f}`).join(', ')}`, { field: given[0] });
  }
  const { input, file: configFile } = resume !== null ? { input: { ...resume.config }, file: undefined } : await pretrainConfig(opts);
  const config: TrainConfig = parseTrainConfig(input, configFile);
  const backend = await startCliBackend(opts.backend, 'pretrain');

  const columns = columnOptions(opts['text-col'] === undefined ? undefined : [opts['text-col']], undefined);
  const text = joinTexts(await Promise.all(texts.map((t) => readDatasetFile(t, 'text', columns))));
  const heldOut = opts.validation === undefined ? null : joinTexts([await readDatasetFile(opts.validation, 'validation', columns)]);
  const folder = nodeFolder(modelDir);
  const init = opts.init ?? 'pretrained';
  const checkpointDir = opts['checkpoint-dir'];
  const t0 = performance.now();
  const run = await prepareMlmRun({ folder, text, heldOut, validationShare: config.validationSplit }, config, {
    init,
    ppmiScale,
    mode,
    resumeFrom: resume ?? undefined,
    checkpointEvery: checkpointDir === undefined ? null : 'evaluation',
  });
  const { model, trainer, train, validation } = run;
  try {
    for (const m of model.messages) console.error(`layerwise pretrain: ${m.level}: ${m.code}: ${m.message}`);
    for (const w of run.warnings) console.error(`layerwise pretrain: ${w.level === 'info' ? 'note' : 'warning'}: ${w.code}: ${w.message}`);
    const r = run.ppmi;
    if (r !== null) {
      console.error(`layerwise pretrain: note: PPMI_INIT: ${r.covered} of ${r.vocabSize} rows of ${r.name} from PPMI-SVD of the training text (${r.pairs} positive pairs, ${r.dim} dimensions; prepared in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    }
    const trainTokens = train.examples.reduce((n, e) => n + e.ids.length, 0);
    const bytes = (files: string[]) => files.reduce((n, f) => n + statSync(f).size, 0);
    await runTrainer({
      command: 'pretrain',
      trainer,
      model,
      folder,
      out,
      json: opts.json === true,
      checkpointDir,
      allowNonFinite: false,
      startNote: `${trainTokens} tokens per epoch in ${mode} mode; ${START[init]}; backend ${backend}`,
      record: {
        baseModel: opts.model === 'default' ? 'layerwise built-in model' : path.basename(path.resolve(modelDir)),
        init,
        train: { name: texts.map((t) => path.basename(t)).join(' + '), bytes: bytes(texts), examples: train.examples.length },
        validation: opts.validation === undefined ? null : { name: path.basename(opts.validation), bytes: bytes([opts.validation]), examples: validation?.examples.length ?? 0 },
        validationSource: opts.validation !== undefined ? 'file' : config.validationSplit > 0 ? 'split' : 'none',
        config: run.config,
        baseline: null,
      },
      describe: {
        text_files: texts,
        validation: opts.validation ?? (config.validationSplit > 0 ? `split ${config.validationSplit}` : 'none'),
        mode,
        train_examples: train.examples.length,
        train_tokens_per_epoch: trainTokens,
        validation_examples: validation?.examples.length ?? 0,
        max_length: run.config.maxLength,
        backend,
        init,
      },
    });
  } finally {
    trainer.dispose();
    model.params.dispose();
  }
  return 0;
}
