// Loads a Hugging Face checkpoint folder strictly into a ParamStore (DESIGN.md "Loading is strict"; RELIABILITY
// M17, M19, M20, C3, C5, C6). Everything is checked from config.json and the safetensors headers first; only then
// are tensors read and variables made, and a failure disposes them, so a model loaded before stays untouched.
import * as tf from '@tensorflow/tfjs-core';
import { isolateName, LayerwiseError, type RetryWith } from '../lib/errors';
import type { ModelConfig } from '../formats/hf-config';
import { countNonFinite, readTensorFloat32 } from '../formats/safetensors';
import type { SourceFolder } from '../formats/source-file';
import { loadTokenizer, type TextTokenizer } from '../formats/tokenizer';
import { WASM_TENSOR_LIMIT, type TensorLimit } from '../protocol/memory-plan';
import { TASKS, type Task } from '../protocol/task';
import type { HeadInit } from '../protocol/train-config';
import { taskOfArchitectures } from './architectures';
import { readModelConfig, readModelWeights, type ModelTensor } from './model-folder-files';
import { getModelFamily, type ModelFamily } from './models/index';
import { resolveCheckpointName, type NameContext, type NameRule } from './params/checkpoint-names';
import { headInitTensor } from './params/head-init';
import { applyBottleneckAdapter, readBottleneckAdapter } from './bottleneck-load';
import type { LoraAdapters } from './params/lora';
import type { BottleneckAdapters } from './params/bottleneck';
import type { TaskHead } from './train/heads';
import { ParamStore } from './params/store';

export interface LoaderMessage {
  level: 'info' | 'warning';
  code: string;
  message: string;
  tensors?: string[];
}

export interface LoadedModel {
  /** The normalised view; id2label / num_labels follow opts.labels when given. */
  config: ModelConfig;
  /** config.json as written (never rewritten; the exporter derives its config.json from it). */
  rawConfig: Record<string, unknown>;
  task: Task;
  family: ModelFamily;
  params: ParamStore;
  tokenizer: TextTokenizer | null;
  /** Names of the tokenizer files in the folder, copied as they are on export. */
  tokenizerFiles: string[];
  messages: LoaderMessage[];
  parameterCount: number;
  /** Tensors holding NaN or ±Inf, with their counts (RELIABILITY M17: training is blocked unless overridden). */
  nonFinite: Map<string, number>;
  /** LoRA adapters a run added to params (params/lora.ts); the forward pass and the exporter read them. */
  lora?: LoraAdapters | null;
  /** Bottleneck adapters in params (params/bottleneck.ts): a run's, or the folder's adapter/ (bottleneck-load.ts). */
  adapters?: BottleneckAdapters | null;
  /**
   * A multi-task run's heads (train/heads.ts), each stored under heads.<name>.; `config` and `task` are then the
   * first (primary) head's, and the exporter writes a folder per head.
   */
  heads?: TaskHead[] | null;
}

export interface LoadOptions {
  /** The task head to build; by default the one config.architectures names. */
  task?: Task;
  /** Label names for a classification head; a count different from the checkpoint's head re-initialises it. */
  labels?: string[];
  /**
   * Largest tensor accepted, in float32 bytes, and what sets it (RELIABILITY M20): the backend's (protocol/memory-plan.ts
   * tensorLimit); default the wasm32 address space.
   */
  tensorLimit?: TensorLimit;
  /** Seed of the initialisation of a new head (nonzero: tfjs treats 0 as unseeded). */
  seed?: number;
  /** How a new head starts (TrainConfig.headInit); transformers' normal(0, initializer_range) by default. */
  headInit?: HeadInit;
}

/** The wasm32 address space: no single tensor of 4 GiB or more can live there. */
export const DEFAULT_MAX_TENSOR_BYTES = WASM_TENSOR_LIMIT.bytes;
const DEFAULT_INIT_SEED = 42;

const shapeText = (shape: readonly number[]) => `[${shape.join(', ')}]`;
const count = (n: number, what: string, plural = `${what}s`) => `${n} ${n === 1 ? what : plural}`;
/** Bytes of a tensor once converted to float32, as it will live on the device. */
const float32Bytes = (shape: readonly number[]) => 4 * shape.reduce((a, b) => a * b, 1);

function chooseTask(config: ModelConfig, task: Task | undefined): Task {
  if (task !== undefined) {
    if (!TASKS.includes(task)) {
      throw new LayerwiseError('CHECKPOINT_BAD_TASK', `unknown task "${String(task)}" (tasks: ${TASKS.join(', ')})`, { field: 'task' });
    }
    return task;
  }
  const fromConfig = taskOfArchitectures(config.architectures);
  if (fromConfig === null) {
    throw new LayerwiseError(
      'CHECKPOINT_TASK_UNKNOWN',
      `config.json architectures ${JSON.stringify(config.architectures)} name no task head: choose a task (${TASKS.join(', ')})`,
      { file: 'config.json', field: 'architectures' },
    );
  }
  return fromConfig;
}

/** transformers' names for classes it was never told: LABEL_0, LABEL_1, ... in id order. */
const placeholderLabels = (id2label: readonly string[]) => id2label.every((l, i) => l === `LABEL_${i}`);

/**
 * The run's classes against the checkpoint's id2label, matched by name (issue #15 item 1): the same names in any
 * order keep the head, and the run uses the checkpoint's order (output i stays the class it was trained for); other
 * names get a new head for the given classes, with the overlap said. A checkpoint that never named its classes
 * (LABEL_i) keeps its head by position when the count fits. `newHead`: every head tensor is freshly initialised.
 */
function withLabels(config: ModelConfig, task: Task, labels: string[] | undefined, messages: LoaderMessage[]): { config: ModelConfig; newHead: boolean } {
  if (labels === undefined) return { config, newHead: false };
  if (task === 'mlm') {
    messages.push({ level: 'warning', code: 'CHECKPOINT_LABELS_IGNORED', message: 'labels were given for a masked-LM model and are ignored' });
    return { config, newHead: false };
  }
  const seen = new Set<string>();
  for (const label of labels) {
    if (typeof label !== 'string' || seen.has(label)) {
      throw new LayerwiseError('CHECKPOINT_BAD_LABELS', `labels must be distinct strings; ${JSON.stringify(label)} is not`, { field: 'labels' });
    }
    seen.add(label);
  }
  if (labels.length === 0) throw new LayerwiseError('CHECKPOINT_BAD_LABELS', 'labels must not be empty', { field: 'labels' });
  const own = config.id2label;
  const quote = (xs: readonly string[]) => xs.map((x) => JSON.stringify(x)).join(', ');
  // config.json's names are distinct (hf-config refuses duplicates): the same count and every one given is the same set.
  if (labels.length === own.length && own.every((l) => seen.has(l))) {
    if (labels.some((l, i) => l !== own[i])) {
      messages.push({
        level: 'info',
        code: 'CHECKPOINT_LABELS_MATCHED',
        message: `the head's classes are matched by name: the run uses config.json's order (${quote(own)}), not the data's (${quote(labels)})`,
      });
    }
    return { config, newHead: false };
  }
  const renamed = { ...config, id2label: [...labels], num_labels: labels.length };
  if (placeholderLabels(own)) {
    if (labels.length === own.length) {
      messages.push({
        level: 'info',
        code: 'CHECKPOINT_LABELS_RENAMED',
        message: `config.json names its classes ${quote(own)} only (transformers' defaults): they become ${quote(labels)} by position, output i of the head stays class i`,
      });
    }
    return { config: renamed, newHead: false };
  }
  const shared = labels.filter((l) => own.includes(l));
  const onlyOwn = own.filter((l) => !seen.has(l));
  const onlyGiven = labels.filter((l) => !own.includes(l));
  messages.push({
    level: 'warning',
    code: 'CHECKPOINT_LABELS_CHANGED',
    message:
      `the data's classes are not the head's: ${shared.length > 0 ? `shared ${quote(shared)}; ` : 'none shared; '}only in config.json ${quote(onlyOwn) || 'none'}; ` +
      `only in the data ${quote(onlyGiven) || 'none'}. A new head is initialised for the data's ${count(labels.length, 'class', 'classes')} (no row of the old one is reused)`,
  });
  return { config: renamed, newHead: true };
}

/** A planned parameter: read from the file (source) or freshly initialised (source null). */
interface Planned {
  target: string;
  shape: number[];
  source: ModelTensor | null;
}

interface Plan {
  params: Planned[];
  messages: LoaderMessage[];
}

/** Matches the file's tensors to the model's parameters; throws one coded error listing every problem found. */
function planLoad(
  tensors: readonly ModelTensor[],
  family: ModelFamily,
  config: ModelConfig,
  task: Task,
  opts: LoadOptions,
  tokenizerVocab: number | null,
  renewHead = false,
): Plan {
  const expected = family.parameterShapes(config, task);
  // A new head for other classes replaces the tensors sized by the classes (the classifier), not the rest of the
  // head (BERT's pooler is pretrained): those whose shape changes with one class more.
  const oneMore = family.parameterShapes({ ...config, num_labels: config.num_labels + 1, id2label: [...config.id2label, ''] }, task);
  const sizedByClasses = (name: string) => !tf.util.arraysEqual(oneMore.get(name) ?? [], expected.get(name) ?? []);
  const otherHeads = new Set<string>();
  for (const other of TASKS) {
    if (other === task) continue;
    for (const name of family.parameterShapes(config, other).keys()) if (!expected.has(name)) otherHeads.add(name);
  }
  const basePrefix = family.basePrefix.replace(/\.$/, '');
  const ctx: NameContext = {
    basePrefix,
    expected,
    otherHeads,
    tieWordEmbeddings: config.tie_word_embeddings,
    tiedDecoder: family.tiedDecoder,
    pretrainingHeads: family.pretrainingHeads,
  };

  const applied = new Map<NameRule, string[]>();
  const note = (rule: NameRule, what: string) => applied.set(rule, [...(applied.get(rule) ?? []), what]);
  const found = new Map<string, ModelTensor>();
  const unexpected: ModelTensor[] = [];
  const duplicates: string[] = [];
  for (const t of tensors) {
    const r = resolveCheckpointName(t.name, ctx);
    if (r.kind === 'unexpected') unexpected.push(t);
    else if (r.kind === 'drop') note(r.rule, t.name);
    else if (found.has(r.target)) duplicates.push(`${t.name} and ${found.get(r.target)!.name} are both ${r.target}`);
    else {
      found.set(r.target, t);
      for (const rule of r.renames) note(rule, `${t.name} -> ${r.target}`);
    }
  }

  const problems: { code: string; text: string; at?: ModelTensor; retryWith?: RetryWith }[] = [];
  const wordEmbeddings = `${basePrefix}.embeddings.word_embeddings.weight`;
  const embedding = found.get(wordEmbeddings);
  if (embedding && embedding.shape.length === 2) {
    const rows = embedding.shape[0];
    // Token ids at or past the embedding rows would index outside the table (silent zeros on WebGPU, C3).
    if (rows !== config.vocab_size || (tokenizerVocab !== null && tokenizerVocab > rows)) {
      problems.push({
        code: 'CHECKPOINT_VOCAB_MISMATCH',
        text:
          `vocabulary sizes disagree: the word embedding ${embedding.name} has ${rows} rows, config.json vocab_size is ` +
          `${config.vocab_size}, the tokenizer has ${tokenizerVocab ?? 'no'} tokens`,
        at: embedding,
      });
    }
  }

  const limit = opts.tensorLimit ?? WASM_TENSOR_LIMIT;
  const maxBytes = limit.bytes;
  const tooLarge: ModelTensor[] = [];
  const badDtype: ModelTensor[] = [];
  const mismatched: { target: string; source: ModelTensor; text: string }[] = [];
  const headReplaced: string[] = [];
  const params: Planned[] = [];
  for (const [target, t] of found) {
    if (float32Bytes(t.shape) > maxBytes) tooLarge.push(t);
    if (!['F32', 'F16', 'BF16', 'F64'].includes(t.dtype)) badDtype.push(t);
    const want = expected.get(target)!;
    if (renewHead && sizedByClasses(target)) headReplaced.push(target);
    else if (tf.util.arraysEqual(want, t.shape)) params.push({ target, shape: want, source: t });
    else if (opts.labels !== undefined && task !== 'mlm' && family.isHeadParam(target, task)) headReplaced.push(target);
    else if (target !== wordEmbeddings || !problems.some((p) => p.code === 'CHECKPOINT_VOCAB_MISMATCH')) {
      mismatched.push({ target, source: t, text: `${t.name}: expected ${shapeText(want)}, found ${shapeText(t.shape)}` });
    }
  }
  const missing = [...expected.keys()].filter((n) => !found.has(n));
  const missingBackbone = missing.filter((n) => !family.isHeadParam(n, task));

  if (tooLarge.length > 0) {
    // Another backend that holds every one of them is offered, as data (retryWith) and in words.
    const fallback = limit.fallback && tooLarge.every((t) => float32Bytes(t.shape) <= limit.fallback!.bytes) ? limit.fallback : undefined;
    problems.unshift({
      code: 'CHECKPOINT_TENSOR_TOO_LARGE',
      text: `${count(tooLarge.length, 'tensor')} above the ${maxBytes.toLocaleString('en-US')}-byte limit per tensor of ${limit.label}: ${tooLarge
        .map((t) => `${t.name} ${shapeText(t.shape)} is ${float32Bytes(t.shape).toLocaleString('en-US')} bytes as float32`)
        .join('; ')}${fallback ? `; it fits on ${fallback.backend.toUpperCase()} (up to ${fallback.bytes.toLocaleString('en-US')} bytes per tensor): switch the backend to load it there` : ''}`,
      at: tooLarge[0],
      retryWith: fallback && { backend: fallback.backend },
    });
  }
  if (badDtype.length > 0) {
    problems.push({
      code: 'CHECKPOINT_BAD_DTYPE',
      text: `parameters must be floating point: ${badDtype.map((t) => `${t.name} (${t.dtype})`).join(', ')}`,
      at: badDtype[0],
    });
  }
  if (duplicates.length > 0) problems.push({ code: 'CHECKPOINT_DUPLICATE_TENSORS', text: duplicates.join('; ') });
  if (unexpected.length > 0) {
    problems.push({
      code: 'CHECKPOINT_UNEXPECTED_TENSORS',
      text: `${count(unexpected.length, 'unexpected tensor')} that ${family.basePrefix} for ${task} does not have: ${unexpected.map((t) => `${isolateName(t.name)} ${shapeText(t.shape)}`).join(', ')}`,
      at: unexpected[0],
    });
  }
  if (mismatched.length > 0) {
    // Only the head is off: the labels disagree with it (C5), and re-initialising it is the way out.
    const headHint = mismatched.every((m) => family.isHeadParam(m.target, task))
      ? ` (config.json id2label has ${config.num_labels} labels: give the labels to re-initialise the head)`
      : '';
    problems.push({
      code: 'CHECKPOINT_SHAPE_MISMATCH',
      text: `${count(mismatched.length, 'tensor')} with the wrong shape for config.json${headHint}: ${mismatched.map((m) => m.text).join('; ')}`,
      at: mismatched[0].source,
    });
  }
  if (missingBackbone.length > 0) {
    problems.push({
      code: 'CHECKPOINT_MISSING_TENSORS',
      text: `${count(missingBackbone.length, 'model tensor')} missing from the checkpoint: ${missingBackbone.join(', ')}`,
    });
  }
  if (problems.length > 0) {
    const first = problems[0];
    const where = first.at ? { file: first.at.file.name, tensor: first.at.name } : undefined;
    throw new LayerwiseError(first.code, problems.map((p) => p.text).join('. '), where, first.retryWith);
  }

  const messages: LoaderMessage[] = [];
  for (const [rule, list] of applied) {
    messages.push({ level: 'info', code: rule.code, message: `${count(list.length, 'tensor')}: ${rule.reason}`, tensors: list });
  }
  if (headReplaced.length > 0) {
    messages.push({
      level: 'warning',
      code: 'CHECKPOINT_HEAD_REINITIALISED',
      message: `the checkpoint's ${task} head does not fit ${renewHead ? `the classes ${config.id2label.map((l) => JSON.stringify(l)).join(', ')}` : count(config.num_labels, 'label')}: its ${count(headReplaced.length, 'tensor')} are freshly initialised`,
      tensors: headReplaced,
    });
  }
  const newHead = [...headReplaced, ...missing];
  if (missing.length > 0) {
    messages.push({
      level: 'warning',
      code: 'CHECKPOINT_HEAD_INITIALISED',
      message: `the checkpoint has no weights for the ${task} head: ${count(missing.length, 'tensor')} freshly initialised as transformers does (train before trusting its outputs)`,
      tensors: missing,
    });
  }
  for (const name of newHead) params.push({ target: name, shape: expected.get(name)!, source: null });
  return { params, messages };
}

/**
 * A new head tensor: TrainConfig.headInit where it applies (params/head-init.ts), else transformers' _init_weights:
 * normal(0, initializer_range) for weights and embeddings, zeros / ones elsewhere.
 */
async function initialValues(family: ModelFamily, task: Task, name: string, shape: number[], std: number, headInit: HeadInit, seed: number): Promise<Float32Array> {
  const size = shape.reduce((a, b) => a * b, 1);
  const kind = family.initKind(name);
  const t = headInitTensor(family, task, name, shape, headInit, seed) ?? (kind === 'normal' ? tf.randomNormal(shape, 0, std, 'float32', seed) : null);
  if (t === null) return kind === 'ones' ? new Float32Array(size).fill(1) : new Float32Array(size);
  try {
    return Float32Array.from((await t.data()) as Float32Array);
  } finally {
    t.dispose();
  }
}

/** The folder's tokenizer; a folder without one loads (ids still work) with a note. Bad tokenizer files are errors. */
async function tokenizerOf(folder: SourceFolder): Promise<{ tokenizer: TextTokenizer | null; files: string[]; messages: LoaderMessage[] }> {
  try {
    return await loadTokenizer(folder);
  } catch (err) {
    if (!(err instanceof LayerwiseError) || err.code !== 'TOKENIZER_MISSING') throw err;
    return { tokenizer: null, files: [], messages: [{ level: 'info', code: 'TOKENIZER_MISSING', message: `${err.message}; texts cannot be tokenised` }] };
  }
}

/** Loads config.json, the tokenizer and the weights of a checkpoint folder. See the file comment for the order. */
export async function loadModelFolder(folder: SourceFolder, opts: LoadOptions = {}): Promise<LoadedModel> {
  const parsed = await readModelConfig(folder);
  const messages: LoaderMessage[] = parsed.notes.map((n) => ({ level: 'info', code: 'CONFIG_NORMALISED', message: n }));
  const family = getModelFamily(parsed.config);
  const task = chooseTask(parsed.config, opts.task);
  const { config, newHead } = withLabels(parsed.config, task, opts.labels, messages);

  const weights = await readModelWeights(folder);
  const tok = await tokenizerOf(folder);
  messages.push(...tok.messages);
  const plan = planLoad(weights.tensors, family, config, task, opts, tok.tokenizer ? tok.tokenizer.vocabSize : null, newHead);
  messages.push(...plan.messages);

  const store = new ParamStore();
  const nonFinite = new Map<string, number>();
  const baseSeed = opts.seed ?? DEFAULT_INIT_SEED;
  try {
    let initIndex = 0;
    for (const p of plan.params) {
      let data: Float32Array;
      if (p.source) {
        data = await readTensorFloat32(p.source.file, p.source.header, p.source.name);
        const bad = countNonFinite(data);
        if (bad > 0) nonFinite.set(p.target, bad);
      } else {
        data = await initialValues(family, task, p.target, p.shape, config.initializer_range, opts.headInit ?? 'normal', baseSeed + ++initIndex);
      }
      store.add(p.target, { shape: p.shape, data });
    }
  } catch (err) {
    store.dispose();
    throw err;
  }
  if (nonFinite.size > 0) {
    const list = [...nonFinite].map(([n, c]) => `${n}: ${c}`);
    messages.push({
      level: 'warning',
      code: 'CHECKPOINT_NON_FINITE',
      message: `${count(nonFinite.size, 'tensor')} hold NaN or infinite values (${list.join(', ')}); training is blocked unless overridden`,
      tensors: [...nonFinite.keys()],
    });
  }
  const model: LoadedModel = {
    config,
    rawConfig: parsed.raw,
    task,
    family,
    params: store,
    tokenizer: tok.tokenizer,
    tokenizerFiles: tok.files,
    messages,
    parameterCount: store.parameterCount(),
    nonFinite,
  };
  const adapterFolder = adapterFolderOf(parsed.raw);
  if (adapterFolder !== null) {
    try {
      messages.push(await applyBottleneckAdapter(model, await readBottleneckAdapter(folder, `${adapterFolder}/`)));
    } catch (err) {
      store.dispose();
      throw err;
    }
  }
  return model;
}

/** A task head read from a folder (or initialised) for a model whose encoder is loaded already. */
export interface LoadedHead {
  /** The normalised config with this head's classes. */
  config: ModelConfig;
  /** The head's parameters under the family's names, in parameterShapes order. */
  values: Map<string, { shape: number[]; data: Float32Array }>;
  messages: LoaderMessage[];
}

/**
 * The head of `opts.task` for `opts.labels` alone, as loadModelFolder would make it (the checkpoint's where it has
 * that head and it fits the classes, else freshly initialised with opts.headInit): a multi-task run's other heads,
 * beside the encoder its first head's load made. The folder is checked as strictly as by loadModelFolder.
 */
export async function loadHead(folder: SourceFolder, opts: LoadOptions & { task: Task }): Promise<LoadedHead> {
  const parsed = await readModelConfig(folder);
  const messages: LoaderMessage[] = [];
  const family = getModelFamily(parsed.config);
  const { config, newHead } = withLabels(parsed.config, opts.task, opts.labels, messages);
  const weights = await readModelWeights(folder);
  const plan = planLoad(weights.tensors, family, config, opts.task, opts, null, newHead);
  messages.push(...plan.messages);
  const values = new Map<string, { shape: number[]; data: Float32Array }>();
  const baseSeed = opts.seed ?? DEFAULT_INIT_SEED;
  let initIndex = 0;
  for (const p of plan.params) {
    if (!family.isHeadParam(p.target, opts.task)) continue;
    const data = p.source
      ? await readTensorFloat32(p.source.file, p.source.header, p.source.name)
      : await initialValues(family, opts.task, p.target, p.shape, config.initializer_range, opts.headInit ?? 'normal', baseSeed + ++initIndex);
    values.set(p.target, { shape: p.shape, data });
  }
  return { config, values, messages };
}

/** config.json's `layerwise.adapter`: the subfolder holding the bottleneck adapter the weights need, or null. */
function adapterFolderOf(raw: Record<string, unknown>): string | null {
  const block = raw.layerwise;
  if (typeof block !== 'object' || block === null || !('adapter' in block)) return null;
  const dir = (block as Record<string, unknown>).adapter;
  if (typeof dir !== 'string' || !/^[A-Za-z0-9_-]+$/.test(dir)) {
    throw new LayerwiseError('CONFIG_INVALID_FIELD', 'config.json: "layerwise.adapter" must name the subfolder of the model\'s bottleneck adapter, e.g. "adapter"', { file: 'config.json', field: 'layerwise.adapter' });
  }
  return dir;
}
