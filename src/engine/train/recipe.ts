// The one run recipe: from a model folder and dataset files to a Trainer ready to run. Fine-tuning (prepareRun) is
// what `layerwise train` and the studio's training run do; masked-LM training on text (prepareMlmRun) is what
// `layerwise pretrain` and the studio's "Adapt to my text" do. The hosts only read files, report progress and write
// the result, so that a studio run's TrainConfig replays exactly with `layerwise train --config`.
import type { Dataset, ExampleDataset } from '../../formats/datasets/index';
import type { SourceFolder } from '../../formats/source-file';
import type { TextTokenizer } from '../../formats/tokenizer';
import { LayerwiseError } from '../../lib/errors';
import { streamId } from '../../lib/random';
import type { PreparePhase } from '../../protocol/messages';
import type { TaskHeadConfig, TrainConfig } from '../../protocol/train-config';
import { deriveSchedule } from '../../protocol/schedule';
import { augmentSplits } from '../data/augment';
import { encodeExamples, type EncodedDataset, type MlmMode } from '../data/encode';
import { mlmTokenizerInfo } from '../data/mlm-collator';
import { makeSplits } from '../data/split';
import type { DataWarning } from '../data/warnings';
import { loadModelFolder, type LoadedModel } from '../load';
import { majorityBaseline, multiLabelMajorityBaseline, type MajorityBaseline } from '../metrics/classification';
import { withDecision } from '../decision';
import { runLossOptions } from './class-weights';
import { maxSequenceLength } from '../models/validate-inputs';
import { addLoraAdapters } from '../params/lora';
import { addBottleneckAdapters } from '../params/bottleneck';
import { planMemory, type MemoryLimits, type MemoryPlan, type TensorLimit } from '../../protocol/memory-plan';
import { fitToMemory, plannerModel } from './memory';
import { randomModel } from './init';
import { initialiseWordEmbeddingsFromText, type PpmiInitReport } from './ppmi-init';
import { checkClasses, encodeRunData, readerWarnings, runLabels, splitRunData, type RunData } from './prepare';
import type { RunCheckpoint } from './run-checkpoint';
import { Trainer, tfSeed, type TrainerOptions } from './trainer';
import type { RunDataFile, RunRecord } from '../export/model-folder';
import { addTaskHeads, setTaskLosses, splitTasks, type TaskSources } from './multitask';


/** How a host follows and cancels a preparation, and what it asks of the Trainer. */
export interface RecipeOptions {
  signal?: AbortSignal;
  /** A step of the preparation began; `done` / `total` count examples while tokenising. */
  onPhase?: (phase: PreparePhase, done: number, total: number) => void;
  /** Continue this run checkpoint (its weights replace the folder's when the run starts). */
  resumeFrom?: RunCheckpoint;
  /** Per-group telemetry (a readback of every group's norms) on about this many steps of the run; 0 turns it off; default every 10 steps. */
  telemetryPoints?: number;
  checkpointEvery?: TrainerOptions['checkpointEvery'];
  /** Train on weights that hold NaN or ±Inf (the command line's --allow-non-finite); refused otherwise. */
  allowNonFinite?: boolean;
  /** A fine-tuning run stopped after its first step ends with an evaluation too (the studio's runs). */
  evaluateOnStop?: boolean;
  /** The backend's limits: the run is planned against them (micro-batches, checkpointing: engine/train/memory.ts). */
  memory?: MemoryLimits;
  /** The largest tensor the backend holds (RELIABILITY M20): the folder's tensors are checked against it as it loads. */
  tensorLimit?: TensorLimit;
}

export interface FineTuneSources {
  /** The model folder the run starts from. */
  folder: SourceFolder;
  train: Dataset;
  /** A validation file, or null to hold config.validationSplit of the training file out. */
  validation: Dataset | null;
  /** A multi-task run (config.tasks): each head's files, in its order (train and validation above are then unused). */
  heads?: TaskSources[];
}

/** One head of a multi-task run as prepared: its classes, its encoded data and its majority baseline. */
export interface PreparedHead {
  name: string;
  task: 'seq-cls' | 'token-cls';
  weight: number;
  labels: string[];
  data: RunData;
  baseline: MajorityBaseline | null;
}

export interface PreparedRun {
  model: LoadedModel;
  trainer: Trainer;
  /** The config as the run uses it: maxLength cut to the model's positions. */
  config: TrainConfig;
  /** Class names in id order (the new head's id2label); empty for masked LM. */
  labels: string[];
  data: RunData;
  /** Always predicting the evaluation data's most frequent class; null for masked LM or without evaluation data. */
  baseline: MajorityBaseline | null;
  loadMs: number;
  /** The memory plan the run was fitted to (RecipeOptions.memory), or null. */
  memoryPlan: MemoryPlan | null;
  /** A multi-task run's heads (labels, data and baseline above are then the first head's), else absent. */
  heads?: PreparedHead[];
}

const cancelled = () => new LayerwiseError('TRAIN_CANCELLED', 'Training was stopped before its first step.');

function checkSignal(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelled();
}

/** LoRA trains a classification head on a frozen base; refused before any work for masked-LM training. */
function checkLoraTask(config: TrainConfig): void {
  if (config.lora !== null && config.task === 'mlm') {
    throw new LayerwiseError('LORA_TASK_UNSUPPORTED', 'LoRA trains sequence and token classification here; masked-LM training updates the whole model (set lora to null).', { field: 'lora' });
  }
}

/** The checks every run makes of the model it trains: finite weights, and a tokenizer to read the data with. */
function checkTrainable(model: LoadedModel, allowNonFinite: boolean): TextTokenizer {
  if (model.nonFinite.size > 0 && !allowNonFinite) {
    const names = [...model.nonFinite.keys()];
    throw new LayerwiseError(
      'CHECKPOINT_NON_FINITE',
      `${names.length} tensors of this model hold NaN or infinite values (${names.slice(0, 3).join(', ')}${names.length > 3 ? ', …' : ''}): training on them is blocked (--allow-non-finite on the command line, "Train anyway" in the studio's Model panel, trains anyway).`,
      { tensor: names[0] },
    );
  }
  if (model.tokenizer === null) throw new LayerwiseError('TOKENIZER_MISSING', 'The model folder has no tokenizer (tokenizer.json, vocab.txt, or vocab.json with merges.txt), so it cannot read the data.', { file: 'tokenizer.json' });
  return model.tokenizer;
}

/** Runs `build` on a freshly loaded model; a failure frees the model before it is thrown on. */
async function withModel<T>(model: LoadedModel, build: () => Promise<T>): Promise<T> {
  try {
    return await build();
  } catch (err) {
    model.params.dispose();
    throw err;
  }
}

/** TrainerOptions.groupTelemetryEvery for about `points` telemetry steps over the run. */
function telemetryEvery(points: number | undefined, config: TrainConfig, examples: number): number | undefined {
  if (points === undefined || points === 0) return points;
  const steps = deriveSchedule(config, Math.ceil(examples / config.batchSize)).totalSteps;
  return Math.max(1, Math.ceil(steps / points));
}

/** The majority-class baseline of the evaluation data: its sequence labels, or every labelled token. */
function baselineOf(validation: EncodedDataset | null, labels: readonly string[]): MajorityBaseline | null {
  if (validation === null || validation.task === 'mlm') return null;
  if (validation.multiLabel) {
    // Per text (windows of one text count once): its labels as 0/1 cells.
    const first = new Map<number, number>();
    validation.source.forEach((s, i) => first.has(s) || first.set(s, i));
    const truth = new Uint8Array(first.size * labels.length);
    [...first.values()].forEach((i, row) => {
      for (const id of validation.examples[i].labelSet ?? []) truth[row * labels.length + id] = 1;
    });
    return multiLabelMajorityBaseline(truth, labels);
  }
  const ids = validation.task === 'token-cls' ? validation.examples.flatMap((e) => Array.from(e.tokenLabels ?? [])) : validation.examples.map((e) => e.label);
  return majorityBaseline(ids, labels);
}

/**
 * Fine-tuning: the split (the validation file, or a stratified seeded share of the training file), augmentation of
 * the training split, the class list, the model (the folder's weights with a head sized and seeded for the classes,
 * or with `init: 'random'` its architecture freshly initialised), tokenisation, and the Trainer.
 */
export async function prepareRun(sources: FineTuneSources, config: TrainConfig, opts: RecipeOptions & { init?: 'pretrained' | 'random' } = {}): Promise<PreparedRun> {
  if (config.tasks !== null) return prepareMultiTaskRun(sources, config, config.tasks, opts);
  const { task } = config;
  checkLoraTask(config);
  opts.onPhase?.('split', 0, 0);
  let splits = splitRunData(task, sources.train, sources.validation, config);
  if (config.augment.copies > 0) splits = augmentSplits(splits, { seed: config.seed, ...config.augment });
  const dataLabels = runLabels(task, splits.train);
  const multiLabel = config.problemType === 'multi_label_classification';
  checkClasses(task, splits.train, dataLabels, multiLabel);
  checkSignal(opts.signal);

  opts.onPhase?.('model', 0, 0);
  const started = performance.now();
  const classes = task === 'mlm' ? undefined : dataLabels;
  const model =
    opts.init === 'random'
      ? await randomModel(sources.folder, { task, labels: classes, seed: config.seed, headInit: config.headInit })
      : await loadModelFolder(sources.folder, { task, labels: classes, seed: tfSeed(config.seed, streamId('head')), headInit: config.headInit, tensorLimit: opts.tensorLimit });
  const loadMs = performance.now() - started;
  return withModel(model, async () => {
    const tokenizer = checkTrainable(model, opts.allowNonFinite === true);
    // Classes in the head's order: a checkpoint trained on the same names keeps its order (load.ts, matched by name).
    const labels = task === 'mlm' ? [] : model.config.id2label;
    checkSignal(opts.signal);
    const total = splits.train.kind === 'tokens' ? splits.train.sentences.length : splits.train.rows.length;
    opts.onPhase?.('tokenise', 0, total);
    const data = await encodeRunData(splits, tokenizer, task, { maxLength: config.maxLength, modelMaxLength: maxSequenceLength(model.config), labels, signal: opts.signal, multiLabel, windows: config.windows });
    // The head's meaning travels in config.json (decision.ts): problem_type, the windows; the thresholds when the run ends.
    if (task !== 'mlm') model.rawConfig = withDecision(model.rawConfig, task, labels, { problemType: config.problemType, thresholds: null, windows: config.windows && { ...config.windows, maxLength: data.maxLength } });
    const loss = runLossOptions(config, data.train);
    if (loss.weights !== null) {
      const shown = labels.slice(0, 8).map((l, i) => `${JSON.stringify(l)} ${Number((loss.weights as Float32Array)[i].toPrecision(3))}`).join(', ');
      data.warnings.push({ code: 'TRAIN_CLASS_WEIGHTS', level: 'info', message: `${multiLabel ? 'Positive weights per label' : 'Class weights'} (${typeof config.classWeights === 'string' ? config.classWeights : 'as given'}): ${shown}${labels.length > 8 ? ', …' : ''}.` });
    }
    data.warnings.unshift(...readerWarnings(sources.train, sources.validation));
    checkSignal(opts.signal);
    // LoRA: adapters on the targeted layers before the Trainer plans the groups (a resumed run's values replace them).
    if (config.lora !== null) model.lora = addLoraAdapters(model.params, model, config.lora, tfSeed(config.seed, streamId('lora')));
    if (config.adapters !== null) model.adapters = addBottleneckAdapters(model.params, model, config.adapters, tfSeed(config.seed, streamId('adapters')));
    const asked = { ...config, maxLength: data.maxLength };
    const anchors = opts.telemetryPoints !== 0 || config.l2sp > 0;
    const memoryPlan = opts.memory ? planMemory(plannerModel(model), asked, data.maxLength, opts.memory, anchors) : null;
    const runConfig = memoryPlan ? fitToMemory(memoryPlan, asked) : asked;
    const trainer = new Trainer({
      model: { family: model.family, config: model.config, task: model.task, params: model.params, lora: model.lora, adapters: model.adapters, loss },
      train: data.train,
      validation: data.validation,
      config: runConfig,
      padId: tokenizer.special.pad,
      masking: task === 'mlm' ? mlmTokenizerInfo(tokenizer) : null,
      resumeFrom: opts.resumeFrom,
      groupTelemetryEvery: telemetryEvery(opts.telemetryPoints, runConfig, data.train.examples.length),
      checkpointEvery: opts.checkpointEvery,
      allowNonFinite: opts.allowNonFinite,
      evaluateOnStop: opts.evaluateOnStop,
      memory: opts.memory ?? null,
    });
    return { model, trainer, config: runConfig, labels, data, baseline: baselineOf(data.validation, labels), loadMs, memoryPlan };
  });
}

/**
 * A multi-task run (engine/train/multitask.ts): each head's split and classes, the model loaded with the first head
 * and the other heads added beside it (each seeded, headInit where the checkpoint has none), each head's data
 * tokenised with its classes, and the Trainer over all of them.
 */
async function prepareMultiTaskRun(sources: FineTuneSources, config: TrainConfig, heads: TaskHeadConfig[], opts: RecipeOptions & { init?: 'pretrained' | 'random' }): Promise<PreparedRun> {
  if (opts.init === 'random') {
    throw new LayerwiseError('TRAIN_TASKS_INIT', 'A multi-task run fine-tunes the folder\'s weights: --init random is not offered for it.', { field: 'init' });
  }
  opts.onPhase?.('split', 0, 0);
  const split = splitTasks(heads, sources.heads ?? [], config);
  checkSignal(opts.signal);
  opts.onPhase?.('model', 0, 0);
  const started = performance.now();
  const headSeed = (i: number) => (i === 0 ? tfSeed(config.seed, streamId('head')) : tfSeed(config.seed, streamId('head'), i));
  const model = await loadModelFolder(sources.folder, { task: heads[0].task, labels: split[0].labels, seed: headSeed(0), headInit: config.headInit, tensorLimit: opts.tensorLimit });
  const loadMs = performance.now() - started;
  return withModel(model, async () => {
    await addTaskHeads(model, sources.folder, heads, split.map((s) => s.labels), config, heads.map((_, i) => headSeed(i)));
    const taskHeads = model.heads ?? [];
    const tokenizer = checkTrainable(model, opts.allowNonFinite === true);
    checkSignal(opts.signal);
    const sizes = split.map((s) => (s.splits.train.kind === 'tokens' ? s.splits.train.sentences.length : s.splits.train.rows.length));
    const total = sizes.reduce((a, b) => a + b, 0);
    opts.onPhase?.('tokenise', 0, total);
    const data: RunData[] = [];
    for (const [i, h] of heads.entries()) {
      data.push(await encodeRunData(split[i].splits, tokenizer, h.task, { maxLength: config.maxLength, modelMaxLength: maxSequenceLength(model.config), labels: taskHeads[i].config.id2label, signal: opts.signal }));
      opts.onPhase?.('tokenise', sizes.slice(0, i + 1).reduce((a, b) => a + b, 0), total);
    }
    setTaskLosses(taskHeads, data.map((d) => d.train), config);
    const watch = config.multiTask.watch;
    const watched = heads.findIndex((h) => h.name === watch);
    if (watched >= 0 && (data[watched].validation?.examples.length ?? 0) === 0) {
      throw new LayerwiseError('TRAIN_NO_VALIDATION', `Head "${watch}", which the run watches (multiTask.watch), has no evaluation data: give it a validation file or a validationSplit above 0.`, { field: 'multiTask.watch' });
    }
    const warnings = [
      ...heads.flatMap((h, i) => readerWarnings(sources.heads?.[i].train as Dataset, sources.heads?.[i].validation ?? null).map((w) => ({ ...w, message: `head "${h.name}": ${w.message}` }))),
      ...data.flatMap((d, i) => d.warnings.map((w) => ({ ...w, message: `head "${heads[i].name}": ${w.message}` }))),
    ];
    checkSignal(opts.signal);
    if (config.adapters !== null) model.adapters = addBottleneckAdapters(model.params, model, config.adapters, tfSeed(config.seed, streamId('adapters')));
    const asked = { ...config, maxLength: data[0].maxLength };
    const anchors = opts.telemetryPoints !== 0 || config.l2sp > 0;
    const memoryPlan = opts.memory ? planMemory(plannerModel(model), asked, data[0].maxLength, opts.memory, anchors) : null;
    const runConfig = memoryPlan ? fitToMemory(memoryPlan, asked) : asked;
    const examples = data.reduce((n, d) => n + d.train.examples.length, 0);
    const trainer = new Trainer({
      model: { family: model.family, config: model.config, task: model.task, params: model.params, adapters: model.adapters, loss: taskHeads[0].loss, heads: taskHeads },
      train: data[0].train,
      validation: data[0].validation,
      tasks: { train: data.map((d) => d.train), validation: data.map((d) => d.validation) },
      config: runConfig,
      padId: tokenizer.special.pad,
      masking: null,
      resumeFrom: opts.resumeFrom,
      groupTelemetryEvery: telemetryEvery(opts.telemetryPoints, runConfig, examples),
      checkpointEvery: opts.checkpointEvery,
      allowNonFinite: opts.allowNonFinite,
      evaluateOnStop: opts.evaluateOnStop,
      memory: opts.memory ?? null,
    });
    const prepared = heads.map((h, i): PreparedHead => {
      const labels = taskHeads[i].config.id2label;
      return { name: h.name, task: h.task, weight: h.weight, labels, data: data[i], baseline: baselineOf(data[i].validation, labels) };
    });
    return { model, trainer, config: runConfig, labels: prepared[0].labels, data: { ...data[0], warnings }, baseline: prepared[0].baseline, loadMs, memoryPlan, heads: prepared };
  });
}

export interface MlmSources {
  folder: SourceFolder;
  /** Unlabeled text, one example per row (textCorpus turns any dataset into this). */
  text: ExampleDataset;
  /** Held-out text, or null to hold `validationShare` of the rows out (seeded). */
  heldOut: ExampleDataset | null;
  validationShare: number;
}

export interface MlmOptions extends RecipeOptions {
  /** 'pretrained' continues the folder's weights; 'random' and 'ppmi' train its architecture from a fresh start. */
  init?: 'pretrained' | 'random' | 'ppmi';
  /** --init ppmi: std of each PPMI word-vector component. */
  ppmiScale?: number;
  /** How text becomes examples: one line per example cut into windows, lines grouped into blocks, or one line truncated. */
  mode: MlmMode;
  /** The config once the number of training windows is known (the studio's adaptation caps its steps by them). */
  fitToData?: (trainExamples: number) => TrainConfig;
}

export interface PreparedMlmRun {
  model: LoadedModel;
  trainer: Trainer;
  config: TrainConfig;
  train: EncodedDataset;
  validation: EncodedDataset | null;
  /** Rows of text held out for evaluation. */
  heldOutRows: number;
  warnings: DataWarning[];
  /** The PPMI initialisation of the word embeddings (init 'ppmi' on a fresh run), else null. */
  ppmi: PpmiInitReport | null;
}

/**
 * Masked-LM training on text: the held-out split, the model with its masked-LM head (its weights, or a fresh
 * initialisation, with PPMI word vectors for `init: 'ppmi'`), tokenisation into windows, and the Trainer.
 */
export async function prepareMlmRun(sources: MlmSources, config: TrainConfig, opts: MlmOptions): Promise<PreparedMlmRun> {
  const { seed } = config;
  checkLoraTask({ ...config, task: 'mlm' });
  opts.onPhase?.('split', 0, 0);
  const splits = makeSplits({ train: sources.text, validation: sources.heldOut }, { validation: sources.validationShare, test: 0 }, seed);
  checkSignal(opts.signal);

  opts.onPhase?.('model', 0, 0);
  const init = opts.init ?? 'pretrained';
  const model = init === 'pretrained' ? await loadModelFolder(sources.folder, { task: 'mlm', seed: tfSeed(seed, streamId('head')) }) : await randomModel(sources.folder, { task: 'mlm', seed });
  return withModel(model, async () => {
    const tokenizer = checkTrainable(model, opts.allowNonFinite === true);
    checkSignal(opts.signal);
    const wanted = config.maxLength;
    const maxLength = Math.min(wanted, maxSequenceLength(model.config));
    const warnings: DataWarning[] = [...readerWarnings(sources.text, sources.heldOut), ...splits.warnings];
    if (maxLength < wanted) {
      warnings.push({ code: 'TRAIN_MAX_LENGTH_CLAMPED', level: 'warning', message: `maxLength ${wanted} is more than the model's ${maxLength} positions: windows of ${maxLength} tokens.` });
    }
    const rows = splits.train.rows.length + (splits.validation?.rows.length ?? 0);
    const encode = (ds: ExampleDataset, offset: number) =>
      encodeExamples(ds, tokenizer, 'mlm', { maxLength, mlmMode: opts.mode, signal: opts.signal, onProgress: (done) => opts.onPhase?.('tokenise', offset + done, rows) });
    opts.onPhase?.('tokenise', 0, rows);
    const train = await encode(splits.train as ExampleDataset, 0);
    const validation = splits.validation === null ? null : await encode(splits.validation as ExampleDataset, splits.train.rows.length);
    warnings.push(...train.warnings);
    checkSignal(opts.signal);
    const runConfig = { ...(opts.fitToData?.(train.examples.length) ?? config), maxLength };
    // A resumed run's weights come from its checkpoint: the embeddings are computed only when a run starts.
    const ppmi = init === 'ppmi' && opts.resumeFrom === undefined
      ? initialiseWordEmbeddingsFromText(model, train.examples.map((e) => e.ids), { seed: runConfig.seed, scale: opts.ppmiScale ?? 0.2 })
      : null;
    const trainer = new Trainer({
      model: { family: model.family, config: model.config, task: 'mlm', params: model.params },
      train,
      validation,
      config: runConfig,
      padId: tokenizer.special.pad,
      masking: mlmTokenizerInfo(tokenizer),
      resumeFrom: opts.resumeFrom,
      groupTelemetryEvery: telemetryEvery(opts.telemetryPoints, runConfig, train.examples.length),
      checkpointEvery: opts.checkpointEvery,
      allowNonFinite: opts.allowNonFinite,
    });
    return { model, trainer, config: runConfig, train, validation, heldOutRows: splits.validation?.rows.length ?? 0, warnings, ppmi };
  });
}

/**
 * What the model card says of a fine-tuning run before it ends: where it started, its data files, its config and the
 * baseline; the evaluations and the run's figures are added when it has ended. The same for the CLI and the studio.
 */
export function runRecordOf(
  run: PreparedRun,
  meta: {
    baseModel: string;
    init: 'pretrained' | 'random';
    train: Omit<RunDataFile, 'examples'>;
    validation: Omit<RunDataFile, 'examples'> | null;
    /** A multi-task run: each head's files, in its order. */
    heads?: { train: Omit<RunDataFile, 'examples'>; validation: Omit<RunDataFile, 'examples'> | null }[];
  },
): Omit<RunRecord, 'metrics' | 'history' | 'restoredBestStep' | 'summary'> {
  const { data } = run;
  const heads = run.heads?.map((h, i) => {
    const files = meta.heads?.[i] ?? { train: meta.train, validation: meta.validation };
    return {
      name: h.name,
      task: h.task,
      weight: h.weight,
      labels: h.labels,
      train: { ...files.train, examples: h.data.train.examples.length },
      validation: files.validation && { ...files.validation, examples: h.data.validation?.examples.length ?? 0 },
      validationSource: h.data.validationSource,
      baseline: h.baseline,
    };
  });
  return {
    ...(heads === undefined ? {} : { heads }),
    baseModel: meta.baseModel,
    init: meta.init,
    train: { ...meta.train, examples: data.train.examples.length },
    validation: meta.validation && { ...meta.validation, examples: data.validation?.examples.length ?? 0 },
    validationSource: data.validationSource,
    config: run.config,
    baseline: run.baseline,
  };
}
