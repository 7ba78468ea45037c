// The one writer of a model folder (a Hugging Face checkpoint folder, as transformers' save_pretrained writes it),
// used by every command that writes weights and by the studio's export, with one policy (RELIABILITY X1, X2, N1):
// config.json names the task's class with num_labels, id2label and label2id; model.safetensors holds F32 weights with
// the run's TrainConfig and this library's version in its __metadata__; the tokenizer files are copied byte for byte,
// except tokenizer_config.json, whose model_max_length is capped at the positions the model has; README.md is a model
// card; metrics.json holds the run's figures; a LoRA run adds PEFT's adapter files beside its merged weights, a run
// with bottleneck adapters the adapters library's in adapter/; a multi-task run writes its primary head so and each
// other head as a folder of its own in heads/<name>/. Weights with NaN or ±Inf are refused unless the caller
// overrides it.
import type { ModelConfig } from '../../formats/hf-config';
import { ADAPTER_CONFIG, ADAPTER_WEIGHTS, adapterConfigJson, peftKey } from '../../formats/peft-adapter';
import { BOTTLENECK_CONFIG, BOTTLENECK_FOLDER, BOTTLENECK_WEIGHTS, bottleneckConfigText } from '../../formats/bottleneck-adapter';
import { BOTTLENECK_NAME, bottleneckWidth, isBottleneckName } from '../../protocol/bottleneck';
import { writeSafetensors } from '../../formats/safetensors';
import { readAll, type SourceFolder } from '../../formats/source-file';
import { LayerwiseError } from '../../lib/errors';
import { isAdapterName } from '../../protocol/lora';
import type { Task } from '../../protocol/task';
import type { TrainConfig } from '../../protocol/train-config';
import type { EvalMetrics, EvalRecord } from '../../protocol/train-events';
import { LAYERWISE_VERSION } from '../../protocol/version';
import { architectureName } from '../architectures';
import { decisionOf, withDecision } from '../decision';
import type { LoadedModel } from '../load';
import type { MajorityBaseline } from '../metrics/classification';
import { maxSequenceLength } from '../models/validate-inputs';
import { mergedWeights, type LoraAdapters } from '../params/lora';
import { headStore } from '../train/heads';
import type { BottleneckAdapters } from '../params/bottleneck';

export interface ModelFile {
  name: string;
  bytes: Uint8Array;
}

/** A data file of the run, as the model card names it. */
export interface RunDataFile {
  name: string;
  bytes: number;
  examples: number;
}

/** What the model card and metrics.json say about the run that made the weights. */
export interface RunRecord {
  /** Where the run started: a folder name, `hub:org/name`, or the built-in model's name. */
  baseModel: string;
  /** 'pretrained': fine-tuned from the base model's weights; 'random' / 'ppmi': its architecture trained afresh. */
  init: 'pretrained' | 'random' | 'ppmi';
  train: RunDataFile;
  /** The evaluation data: a file, a held-out share of the training file, or none. */
  validation: RunDataFile | null;
  validationSource: 'file' | 'split' | 'none';
  config: TrainConfig;
  /** The final evaluation (the restored best one when early stopping restored it); null without evaluation data. */
  metrics: EvalMetrics | null;
  /** Every evaluation of the run, in order. */
  history: readonly EvalRecord[];
  /** The step whose weights were put back at the end (restoreBest), else null: the last evaluation's weights. */
  restoredBestStep: number | null;
  /** Always predicting the most frequent class of the evaluation data; null for masked LM or without evaluation data. */
  baseline: MajorityBaseline | null;
  /** metrics.json's `train` block: steps, how the run ended, timings (the host's figures). */
  summary: Record<string, unknown>;
  /** A multi-task run's heads, the first the primary (the folder's own model), the others written to heads/<name>/. */
  heads?: HeadRecord[];
  /** Multi-task: the head whose folder this record describes (headRunRecord); absent for the run as a whole. */
  headName?: string;
}

/** One head of a multi-task run, as the model card describes it. */
export interface HeadRecord {
  name: string;
  task: 'seq-cls' | 'token-cls';
  weight: number;
  labels: string[];
  train: RunDataFile;
  validation: RunDataFile | null;
  validationSource: 'file' | 'split' | 'none';
  baseline: MajorityBaseline | null;
}

/** The folder of head `name` relative to the primary's. */
export const headFolder = (name: string): string => `heads/${name}`;

export interface ModelFolderInput {
  model: LoadedModel;
  /** The folder the model was read from: its tokenizer files are copied. */
  source: SourceFolder;
  /** The run that made these weights; without it (a single optimizer step) there is no card and no metrics.json. */
  run?: RunRecord;
  /** Write weights that hold NaN or ±Inf (the CLI's --allow-non-finite); refused otherwise (EXPORT_NON_FINITE). */
  allowNonFinite?: boolean;
  /** The card's date; now by default. */
  date?: Date;
}

const TASK_PIPELINE: Record<Task, string> = { 'seq-cls': 'text-classification', 'token-cls': 'token-classification', mlm: 'fill-mask' };
const TASK_NAME: Record<Task, string> = { 'seq-cls': 'sequence classification', 'token-cls': 'token classification', mlm: 'masked language modelling' };
const TASK_CLASS: Record<Task, string> = { 'seq-cls': 'AutoModelForSequenceClassification', 'token-cls': 'AutoModelForTokenClassification', mlm: 'AutoModelForMaskedLM' };

const utf8 = (text: string) => new TextEncoder().encode(text);
const json = (value: unknown) => `${JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2)}\n`;

/**
 * config.json: the raw config with the task's architecture, id2label / label2id and num_labels for a classification
 * head (transformers derives num_labels from id2label; other readers of config.json look for it), dtype float32.
 */
export function exportedConfig(rawConfig: Record<string, unknown>, config: ModelConfig, task: Task): Record<string, unknown> {
  const out: Record<string, unknown> = { ...rawConfig };
  // A config read without model_type (its family inferred, models/index.ts) is written with it: AutoConfig needs it.
  out.model_type ??= config.model_type;
  out.architectures = [architectureName(config.model_type, task)];
  if (task !== 'mlm') {
    // Object.fromEntries defines own properties, so a label named __proto__ stays a label (RELIABILITY D15).
    out.id2label = Object.fromEntries(config.id2label.map((label, i) => [String(i), label]));
    out.label2id = Object.fromEntries(config.id2label.map((label, i) => [label, i]));
    out.num_labels = config.id2label.length;
  }
  // transformers 5 writes `dtype`, 4.x `torch_dtype`: set whichever the checkpoint used, `dtype` otherwise.
  const hadTorchDtype = Object.hasOwn(rawConfig, 'torch_dtype');
  if (hadTorchDtype) out.torch_dtype = 'float32';
  if (Object.hasOwn(rawConfig, 'dtype') || !hadTorchDtype) out.dtype = 'float32';
  return out;
}

/**
 * tokenizer_config.json with model_max_length at most the model's positions: transformers truncates to it, and a
 * tokenizer that allows 512 tokens for a model with 128 positions would index past its position table. Written
 * where the folder has none, so that the limit travels with the model.
 */
function tokenizerConfig(bytes: Uint8Array | null, limit: number): Uint8Array | null {
  let value: unknown = {};
  if (bytes !== null) {
    try {
      value = JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      return bytes; // the loader read the tokenizer without it; copied as it is
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return bytes;
  }
  const config = value as Record<string, unknown>;
  const current = typeof config.model_max_length === 'number' ? config.model_max_length : Infinity;
  if (bytes !== null && current <= limit) return bytes;
  return utf8(json({ ...config, model_max_length: limit }));
}

function formatMetric(value: number | undefined): string {
  return value === undefined ? '—' : Number.isFinite(value) ? value.toFixed(4) : String(value);
}

function dataLine(file: RunDataFile): string {
  return `\`${file.name}\` (${file.bytes.toLocaleString('en-US')} bytes, ${file.examples.toLocaleString('en-US')} examples)`;
}

/** README.md: the Hub's front matter, then what a reader needs to trust and use the model. */
export function modelCard(model: LoadedModel, run: RunRecord, date: Date): string {
  const task = model.task;
  const arch = architectureName(model.config.model_type, task);
  const lines = [
    '---',
    'library_name: transformers',
    `pipeline_tag: ${TASK_PIPELINE[task]}`,
    'tags:',
    '- layerwise',
    ...(run.baseModel.startsWith('hub:') ? [`base_model: ${run.baseModel.slice(4).split('@')[0]}`] : []),
    '---',
    '',
    `# ${arch}`,
    '',
    `${run.init === 'pretrained' ? `Fine-tuned from \`${run.baseModel}\`` : `The architecture of \`${run.baseModel}\`, trained from a ${run.init === 'ppmi' ? 'fresh initialisation with PPMI word vectors' : 'fresh initialisation'}`} ` +
      `for ${TASK_NAME[task]} with Layerwise ${LAYERWISE_VERSION} on ${date.toISOString().slice(0, 10)}.`,
    '',
    '## Data',
    '',
    `- Training: ${dataLine(run.train)}`,
    `- Evaluation: ${run.validationSource === 'none' ? 'none' : run.validationSource === 'split' ? `a seeded, stratified ${run.config.validationSplit} share of the training file` : dataLine(run.validation as RunDataFile)}`,
  ];
  if (task !== 'mlm') lines.push(`- Labels (${model.config.id2label.length}): ${model.config.id2label.map((l) => `\`${l}\``).join(', ')}`);
  lines.push('', '## Results', '');
  const m = run.metrics;
  const at = run.history.find((r) => r.step === run.restoredBestStep) ?? run.history.at(-1);
  if (m === null) lines.push('No evaluation: the run had no evaluation data.');
  else {
    const step = at ? `after step ${at.step} (epoch ${at.epoch.toFixed(2)})${run.restoredBestStep !== null ? ', the best evaluation, whose weights these are' : ''}` : 'at the end';
    if (task === 'mlm') {
      lines.push(`Evaluated ${step}: eval_loss ${formatMetric(m.eval_loss)}, masked-token accuracy ${formatMetric(m.accuracy)}, perplexity ${formatMetric(m.perplexity)}.`);
    } else if (m.tuned !== undefined) {
      const base = run.baseline;
      lines.push(
        `Evaluated ${step}, multi-label: accuracy is subset accuracy (every label of an example right). The model's thresholds were tuned per label on this evaluation data, so their scores are optimistic; the 0.5 column is the untuned baseline.${base ? ` The majority baseline predicts ${base.label}.` : ''}`,
        '',
        '| metric | tuned thresholds | 0.5 thresholds | majority baseline |',
        '| --- | --- | --- | --- |',
        `| F1 (micro) | ${formatMetric(m.tuned.f1_micro)} | ${formatMetric(m.f1_micro)} | — |`,
        `| F1 (macro) | ${formatMetric(m.tuned.f1_macro)} | ${formatMetric(m.f1_macro)} | ${formatMetric(base?.f1_macro)} |`,
        `| F1 (weighted) | ${formatMetric(m.tuned.f1_weighted)} | ${formatMetric(m.f1_weighted)} | — |`,
        `| subset accuracy | ${formatMetric(m.tuned.accuracy)} | ${formatMetric(m.accuracy)} | ${formatMetric(base?.accuracy)} |`,
        `| Hamming loss | ${formatMetric(m.tuned.hamming_loss)} | ${formatMetric(m.hamming_loss)} | — |`,
        `| eval_loss | ${formatMetric(m.eval_loss)} | | — |`,
      );
    } else {
      const base = run.baseline;
      lines.push(`Evaluated ${step}.${base ? ` The majority-class baseline always predicts \`${base.label}\`.` : ''}`, '', '| metric | this model | majority-class baseline |', '| --- | --- | --- |');
      lines.push(`| accuracy | ${formatMetric(m.accuracy)} | ${formatMetric(base?.accuracy)} |`);
      lines.push(`| F1 (macro) | ${formatMetric(m.f1_macro)} | ${formatMetric(base?.f1_macro)} |`);
      if (m.entity_f1 !== undefined) lines.push(`| entity F1 (seqeval, strict) | ${formatMetric(m.entity_f1)} | 0.0000 |`);
      lines.push(`| eval_loss | ${formatMetric(m.eval_loss)} | — |`);
    }
  }
  lines.push(...decisionSection(model, run));
  const lora = run.config.lora;
  if (lora !== null) {
    lines.push(
      '',
      '## LoRA',
      '',
      `Trained with LoRA (r ${lora.r}, alpha ${lora.alpha}, on ${lora.targetModules.join(', ')}), the base model frozen. \`model.safetensors\` holds the merged weights ` +
        '(W + (alpha/r)·B·A), a plain model; `adapter_config.json` and `adapter_model.safetensors` are the PEFT adapter: ' +
        `\`PeftModel.from_pretrained(${TASK_CLASS[task]}.from_pretrained(base), "path/to/this/folder")\`, or \`layerwise predict --model BASE --adapter path/to/this/folder\`.`,
    );
  }
  if (model.adapters) lines.push(...adapterSection(model, model.adapters));
  if (run.heads) lines.push(...multiTaskSection(run, run.heads));
  lines.push('', '## Training configuration', '', 'The TrainConfig of the run; `layerwise train --config` with it reruns the run.', '', '```json', json(run.config).trimEnd(), '```', '');
  lines.push(
    '## How to use',
    '',
    'In Python, with `transformers`:',
    '',
    '```python',
    `from transformers import AutoTokenizer, ${TASK_CLASS[task]}, pipeline`,
    '',
    `model = ${TASK_CLASS[task]}.from_pretrained("path/to/this/folder")`,
    'tokenizer = AutoTokenizer.from_pretrained("path/to/this/folder")',
    `print(pipeline("${TASK_PIPELINE[task]}", model=model, tokenizer=tokenizer)("${task === 'mlm' ? 'Paris is the [MASK] of France.' : 'A sentence to try.'}"))`,
    '```',
    '',
    'In Layerwise: open this folder in the studio\'s Model panel, or run `npx layerwise predict --model path/to/this/folder --inputs texts.json --json`.',
    '',
  );
  return lines.join('\n');
}

/** The card's section on a multi-task run: every head, its data, its weight, its scores and its folder. */
function multiTaskSection(run: RunRecord, heads: readonly HeadRecord[]): string[] {
  const { multiTask } = run.config;
  const sampler = multiTask.sampler === 'temperature' ? `temperature-scaled sampling (T = ${multiTask.temperature})` : multiTask.sampler === 'round-robin' ? 'round-robin sampling' : 'proportional sampling';
  const watched = `${run.config.earlyStopping.metric} of ${multiTask.watch === null ? 'the mean over the heads' : `head \`${multiTask.watch}\``}`;
  const scores = run.metrics?.tasks;
  const rows = heads.map((h, i) => {
    const m = scores?.[h.name];
    const folder = i === 0 ? '`.` (the primary)' : `\`${headFolder(h.name)}/\``;
    const here = h.name === (run.headName ?? heads[0].name) ? ' — this folder' : '';
    return `| \`${h.name}\`${here} | ${TASK_NAME[h.task]} | ${folder} | ${dataLine(h.train)} | ${h.weight} | ${h.labels.length} | ${formatMetric(m?.accuracy)} | ${formatMetric(m?.f1_macro)} | ${formatMetric(m?.entity_f1)} | ${formatMetric(h.baseline?.accuracy)} |`;
  });
  return [
    '',
    '## Multi-task',
    '',
    `One encoder trained with ${heads.length} heads, one head per optimizer step by ${sampler}, each head's loss times its weight; the run watched ${watched}. ` +
      'Each head is a complete model folder (the same encoder with that head); folders are given from the primary\'s.',
    '',
    '| head | task | folder | training data | weight | classes | accuracy | F1 (macro) | entity F1 | majority-class accuracy |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
  ];
}

/** The card's section on a model with bottleneck adapters: its weights alone are not the model. */
function adapterSection(model: LoadedModel, a: BottleneckAdapters): string[] {
  const cls = TASK_CLASS[model.task];
  const where = a.kind === 'houlsby' ? 'after the attention output and after the feed-forward block of every layer' : 'after the feed-forward block of every layer';
  const width = bottleneckWidth(model.config.hidden_size, a.config.reductionFactor);
  return [
    '',
    '## Bottleneck adapters',
    '',
    `Trained with ${a.kind === 'houlsby' ? 'Houlsby' : 'Pfeiffer'} bottleneck adapters (${where}; ${model.config.hidden_size} → ${width} → ${model.config.hidden_size}, ${a.nonLinearity}), the base model frozen and the head trained. ` +
      '`model.safetensors` holds the base model and the trained head; the adapters are in `adapter/`, saved as the adapters library (AdapterHub) saves them, and the model computes its results only with them:',
    '',
    '```python',
    'import adapters',
    `from transformers import ${cls}`,
    '',
    `model = ${cls}.from_pretrained("path/to/this/folder")`,
    'adapters.init(model)',
    'name = model.load_adapter("path/to/this/folder/adapter", use_safetensors=True)',
    'model.set_active_adapters(name)',
    '```',
    '',
    `\`layerwise predict --model path/to/this/folder\` reads \`adapter/\` by itself (config.json's \`layerwise.adapter\` names it). The adapter is called \`${BOTTLENECK_NAME}\`.`,
  ];
}

/** The card's sections on how outputs become answers: multi-label thresholds, long texts in windows, the loss's class weights. */
function decisionSection(model: LoadedModel, run: RunRecord): string[] {
  const { config } = run;
  const lines: string[] = [];
  const decision = decisionOf(exportedRaw(model, run), model.task, model.config.id2label);
  if (decision.problemType === 'multi_label_classification') {
    const thresholds = decision.thresholds ?? model.config.id2label.map(() => 0.5);
    lines.push(
      '',
      '## Multi-label outputs',
      '',
      '`config.json` has `problem_type: "multi_label_classification"`: each label has its own sigmoid, and transformers trains it with `BCEWithLogitsLoss` as it is. ' +
        'The logits (also those of an ONNX export) are per label; a label applies when `sigmoid(logit) >= threshold`. ' +
        'The thresholds, tuned for F1 per label on the evaluation data, are in `config.json` under `layerwise.thresholds` (transformers keeps the key and ignores it; `layerwise predict` and the studio use them). ' +
        "transformers' text-classification pipeline with `top_k=None` returns every label's sigmoid score to compare with them.",
      '',
      '| label | threshold |',
      '| --- | --- |',
      ...model.config.id2label.map((l, i) => `| \`${l}\` | ${thresholds[i].toFixed(4)} |`),
    );
  }
  if (decision.windows !== null) {
    lines.push(
      '',
      '## Long texts',
      '',
      `Texts longer than ${config.maxLength} tokens were read as sliding windows of ${config.maxLength} tokens repeating ${decision.windows.stride} tokens of the window before (\`layerwise.windows\` in config.json). ` +
        (model.task === 'token-cls'
          ? 'Each token takes its label from the window where it has the most context on both sides.'
          : `A text's prediction is the ${decision.windows.aggregate} of its windows' logits.`) +
        ' transformers alone truncates: split long texts the same way to reproduce these results, or use `layerwise predict`.',
    );
  }
  if (config.classWeights !== 'none' || config.focalGamma > 0) {
    const weights = typeof config.classWeights === 'string' ? config.classWeights : `as given (${Object.entries(config.classWeights).map(([k, v]) => `${k}: ${v}`).join(', ')})`;
    lines.push('', '## Imbalanced classes', '', `Trained with class weights ${weights}${config.focalGamma > 0 ? ` and focal loss (γ = ${config.focalGamma})` : ''}; see the TrainConfig below.`);
  }
  return lines;
}

/** config.json's fields as written for the model: its raw config with the run's tuned thresholds (multi-label) in place. */
function exportedRaw(model: LoadedModel, run: RunRecord | undefined): Record<string, unknown> {
  if (model.task === 'mlm') return model.rawConfig;
  const decision = decisionOf(model.rawConfig, model.task, model.config.id2label);
  const tuned = run?.metrics?.tuned?.thresholds;
  if (decision.problemType !== 'multi_label_classification' || tuned === undefined) return model.rawConfig;
  return withDecision(model.rawConfig, model.task, model.config.id2label, { ...decision, thresholds: tuned });
}

/** Refuses weights that hold NaN or ±Inf (EXPORT_NON_FINITE) unless the caller allows them (the CLI's --allow-non-finite). */
export function refuseNonFinite(values: ReadonlyMap<string, Float32Array>, allowNonFinite: boolean | undefined): void {
  const bad = [...values].filter(([, data]) => data.some((x) => !Number.isFinite(x))).map(([name]) => name);
  if (bad.length > 0 && allowNonFinite !== true) {
    throw new LayerwiseError('EXPORT_NON_FINITE', `${bad.length} of the model's tensors hold NaN or infinite values (${bad.slice(0, 3).join(', ')}${bad.length > 3 ? ', …' : ''}): the run diverged; these weights are not written.`, {
      tensor: bad[0],
    });
  }
}

/** config.json's `layerwise.adapter`: the subfolder whose bottleneck adapter the weights need (the loader reads it). */
function withAdapterFolder(raw: Record<string, unknown>, model: LoadedModel): Record<string, unknown> {
  if (!model.adapters) return raw;
  const block = typeof raw.layerwise === 'object' && raw.layerwise !== null ? raw.layerwise : {};
  return { ...raw, layerwise: { ...block, adapter: BOTTLENECK_FOLDER } };
}

/** config.json for the task, then the tokenizer files (tokenizer_config.json with model_max_length capped): what every export layout holds. */
export async function configAndTokenizerFiles(model: LoadedModel, source: SourceFolder, run?: RunRecord): Promise<ModelFile[]> {
  const files: ModelFile[] = [{ name: 'config.json', bytes: utf8(json(exportedConfig(withAdapterFolder(exportedRaw(model, run), model), model.config, model.task))) }];
  const limit = maxSequenceLength(model.config);
  for (const name of model.tokenizerFiles) {
    const file = source.get(name);
    if (!file) throw new LayerwiseError('EXPORT_TOKENIZER_FILE_MISSING', `The tokenizer file ${name} is no longer available.`, { file: name });
    const bytes = await readAll(file);
    files.push({ name, bytes: name === 'tokenizer_config.json' ? (tokenizerConfig(bytes, limit) as Uint8Array) : bytes });
  }
  if (model.tokenizerFiles.length > 0 && !model.tokenizerFiles.includes('tokenizer_config.json')) files.push({ name: 'tokenizer_config.json', bytes: tokenizerConfig(null, limit) as Uint8Array });
  return files;
}

/** The base model as adapter_config.json names it: a Hub id without `hub:` and revision, else the folder's name. */
function baseModelName(run: RunRecord | undefined): string | null {
  if (!run) return null;
  return run.baseModel.startsWith('hub:') ? run.baseModel.slice(4).split('@')[0] : run.baseModel;
}

/**
 * A LoRA run's PEFT adapter (formats/peft-adapter.ts): adapter_config.json, and adapter_model.safetensors with each
 * adapter's A and B and the head's modules_to_save parameters under PEFT's `base_model.model.` keys.
 */
function peftAdapterFiles(model: LoadedModel, lora: LoraAdapters, values: ReadonlyMap<string, Float32Array>, run: RunRecord | undefined): ModelFile[] {
  const { params } = model;
  const saved = params.names().filter((n) => isAdapterName(n) || lora.modulesToSave.some((m) => n.startsWith(`${m}.`)));
  const targets = lora.config.targetModules.filter((t) => lora.modules.some((m) => m.module === t || m.module.endsWith(`.${t}`)));
  const config = adapterConfigJson({
    r: lora.config.r,
    loraAlpha: lora.config.alpha,
    loraDropout: lora.config.dropout,
    targetModules: targets,
    rankPattern: lora.config.rankPattern ?? {},
    alphaPattern: {},
    useRslora: false,
    modulesToSave: lora.modulesToSave,
    task: model.task,
    baseModel: baseModelName(run),
  });
  return [
    { name: ADAPTER_CONFIG, bytes: utf8(json(config)) },
    { name: ADAPTER_WEIGHTS, bytes: writeSafetensors(saved.map((n) => [peftKey(n), { shape: params.shape(n), data: values.get(n) as Float32Array }]), { format: 'pt' }) },
  ];
}

/**
 * A model's bottleneck adapters as the adapters library's save_adapter(use_safetensors=True) writes them, in adapter/:
 * adapter_config.json and adapter.safetensors with the adapters' own checkpoint names.
 */
function bottleneckFiles(model: LoadedModel, a: BottleneckAdapters, values: ReadonlyMap<string, Float32Array>, run: RunRecord | undefined): ModelFile[] {
  const { params, config } = model;
  const saved = params.names().filter(isBottleneckName);
  const text = bottleneckConfigText({
    kind: a.kind,
    reductionFactor: a.config.reductionFactor,
    nonLinearity: a.nonLinearity,
    name: BOTTLENECK_NAME,
    hiddenSize: config.hidden_size,
    modelType: config.model_type,
    modelClass: architectureName(config.model_type, model.task),
    modelName: baseModelName(run),
  });
  return [
    { name: `${BOTTLENECK_FOLDER}/${BOTTLENECK_CONFIG}`, bytes: utf8(text) },
    { name: `${BOTTLENECK_FOLDER}/${BOTTLENECK_WEIGHTS}`, bytes: writeSafetensors(saved.map((n) => [n, { shape: params.shape(n), data: values.get(n) as Float32Array }]), { format: 'pt' }) },
  ];
}

/**
 * What head i's folder says of the run: its own data, baseline, evaluations (each record's tasks[name], with the
 * run-wide fields) and final metrics (with every head's under `tasks`, for metrics.json).
 */
export function headRunRecord(run: RunRecord, i: number): RunRecord {
  const heads = run.heads ?? [];
  const h = heads[i];
  const own = (m: EvalMetrics | null | undefined) => (m?.tasks?.[h.name] === undefined ? null : { ...m.tasks[h.name], tasks: m.tasks });
  const history = run.history.flatMap((r) => (r.tasks?.[h.name] === undefined ? [] : [{ ...r.tasks[h.name], step: r.step, epoch: r.epoch, learning_rate: r.learning_rate }]));
  return { ...run, train: h.train, validation: h.validation, validationSource: h.validationSource, baseline: h.baseline, metrics: own(run.metrics), history, headName: h.name };
}

/**
 * A multi-task model's folders (LoadedModel.heads): the primary head as the folder itself, a standard model, and each
 * other head in heads/<name>/ as one too — the same encoder (and adapters) with that head under the family's names.
 */
async function writeTaskFolders(input: ModelFolderInput, heads: NonNullable<LoadedModel['heads']>): Promise<ModelFile[]> {
  const { model, run } = input;
  const files: ModelFile[] = [];
  for (const [i, h] of heads.entries()) {
    const view: LoadedModel = {
      ...model,
      config: h.config,
      task: h.task,
      rawConfig: withDecision(model.rawConfig, h.task, h.config.id2label, { problemType: 'single_label_classification', thresholds: null, windows: null }),
      params: headStore(model.params, h),
      lora: null,
      heads: null,
    };
    const written = await writeModelFolder({ ...input, model: view, run: run && headRunRecord(run, i) });
    files.push(...written.map((f) => (i === 0 ? f : { ...f, name: `${headFolder(h.name)}/${f.name}` })));
  }
  return files;
}

/**
 * The files of the folder, in this order: config.json, model.safetensors, the tokenizer files, for a LoRA run PEFT's
 * adapter_config.json and adapter_model.safetensors (model.safetensors then holds the merged weights, W + (alpha/r)·B·A,
 * every other tensor as trained: a plain model folder), with bottleneck adapters the adapters library's
 * adapter/adapter_config.json and adapter/adapter.safetensors (model.safetensors then holds the rest), README.md and
 * metrics.json (with a run).
 */
export async function writeModelFolder(input: ModelFolderInput): Promise<ModelFile[]> {
  if (input.model.heads && input.model.heads.length > 0) return writeTaskFolders(input, input.model.heads);
  const { model, run } = input;
  const { params } = model;
  const values = await params.snapshot();
  refuseNonFinite(values, input.allowNonFinite);
  const metadata: Record<string, string> = { format: 'pt', 'layerwise.version': LAYERWISE_VERSION };
  if (run) metadata['layerwise.train_config'] = JSON.stringify(run.config);
  const [config, ...tokenizer] = await configAndTokenizerFiles(model, input.source, run);
  const lora = model.lora ?? null;
  const weights = lora === null ? values : mergedWeights(values, lora);
  const adapters = model.adapters ?? null;
  // Bottleneck adapters cannot be merged into the weights: model.safetensors holds the rest, adapter/ holds them.
  const names = params.names().filter((n) => weights.has(n) && !(adapters !== null && isBottleneckName(n)));
  const files: ModelFile[] = [
    config,
    // Tied weights (the MLM decoder, which is the word embedding) are not parameters of their own: each is written once, as transformers expects (X2).
    { name: 'model.safetensors', bytes: writeSafetensors(names.map((name) => [name, { shape: params.shape(name), data: weights.get(name) as Float32Array }]), metadata) },
    ...tokenizer,
    ...(lora === null ? [] : peftAdapterFiles(model, lora, values, run)),
    ...(adapters === null ? [] : bottleneckFiles(model, adapters, values, run)),
  ];
  if (run) {
    files.push({ name: 'README.md', bytes: utf8(modelCard(model, run, input.date ?? new Date())) });
    const metrics = {
      ...(run.metrics ?? {}),
      majority_baseline: run.baseline,
      history: run.history,
      train: run.summary,
      config: run.config,
    };
    files.push({ name: 'metrics.json', bytes: utf8(json(metrics)) });
  }
  return files;
}
