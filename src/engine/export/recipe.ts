// "Export as training recipe": a folder that reruns a studio run with Hugging Face transformers + accelerate on one
// GPU, several GPUs or several nodes (DDP, DeepSpeed ZeRO-2/3 or FSDP): train.py and the pure-Python plan and metrics
// modules (recipe/*.py, embedded by scripts/build-recipe-sources.ts), layerwise_run.json (the TrainConfig, task,
// class names, model and data), the accelerate configs, ds_zero2.json / ds_zero3.json, pinned requirements, the
// data split as the studio splits it (JSONL) and a README with the launch commands. Used by the CLI and the studio.
import type { Dataset, ExampleDataset, TokenDataset } from '../../formats/datasets/index';
import type { ModelConfig } from '../../formats/hf-config';
import { LayerwiseError } from '../../lib/errors';
import { planParameterGroups } from '../../protocol/param-groups';
import type { Task } from '../../protocol/task';
import type { TrainConfig } from '../../protocol/train-config';
import { LAYERWISE_VERSION } from '../../protocol/version';
import { augmentSplits } from '../data/augment';
import { getModelFamily } from '../models/index';
import { runLabels, splitRunData } from '../train/prepare';
import type { ModelFile } from './model-folder';
import { RECIPE_SOURCES } from './recipe-sources';

/** Versions train.py is written against (transformers and torch: those that made the golden fixtures). */
export const RECIPE_REQUIREMENTS = ['torch==2.11.0', 'transformers==5.17.0', 'accelerate==1.15.0', 'safetensors==0.8.0'] as const;
export const RECIPE_DEEPSPEED_REQUIREMENTS = ['deepspeed==0.19.8'] as const;
export const RECIPE_RUN_FILE = 'layerwise_run.json';

/** Where the run's starting weights come from: files put in the recipe's model/ folder, or a Hub id train.py downloads. */
export type RecipeStart = { kind: 'folder'; files: readonly ModelFile[]; label: string } | { kind: 'hub'; id: string; revision: string };

export interface RecipeData {
  train: Dataset;
  /** A validation file, or null to hold config.validationSplit of the training file out (seeded, stratified). */
  validation: Dataset | null;
}

export interface RecipeInput {
  config: TrainConfig;
  /** The starting model's normalised config (family, layers, parameter names). */
  modelConfig: ModelConfig;
  start: RecipeStart;
  /** The run's data, split here as the studio splits it; null writes no data (train.py then takes --train_file). */
  data: RecipeData | null;
}

/** layerwise_run.json: what train.py reads. */
export interface RecipeRun {
  format: 'layerwise-recipe/1';
  layerwise_version: string;
  task: Task;
  family: string;
  /** reinit: head tensors train.py initialises afresh (the checkpoint's classes have other names, as the studio decides). */
  model: { path: string | null; hub_id: string | null; revision: string | null; label: string; reinit: string[] };
  /** Class names in id order (empty for masked LM, or without data: train.py sorts the data's labels as the studio does). */
  labels: string[];
  data: { train: string | null; validation: string | null; validation_source: 'file' | 'split' | 'none' | null; train_examples: number; validation_examples: number };
  config: TrainConfig;
}

const utf8 = (text: string) => new TextEncoder().encode(text);

/** One JSON object per line: seq-cls {text, text_pair?, label}, token-cls {tokens, tags}, mlm {text}. */
export function datasetJsonl(ds: Dataset, task: Task): string {
  if (ds.kind === 'tokens') return ds.sentences.map((s) => `${JSON.stringify({ tokens: s.tokens, tags: s.tags })}\n`).join('');
  const [a, b] = ds.textColumns.map((c) => ds.columns.indexOf(c));
  if (a === undefined || a < 0) throw new LayerwiseError('DATA_NO_TEXT_COLUMN', `${ds.file}: choose the text column before exporting a recipe.`, { file: ds.file, field: 'textColumns' });
  const label = ds.labelColumn === null ? -1 : ds.columns.indexOf(ds.labelColumn);
  return ds.rows
    .map((r) => {
      const row: Record<string, string> = { text: r[a] };
      if (task === 'seq-cls' && b !== undefined && b >= 0) row.text_pair = r[b];
      if (task === 'seq-cls') row.label = r[label];
      return `${JSON.stringify(row)}\n`;
    })
    .join('');
}

function yaml(lines: readonly string[]): string {
  return `${lines.join('\n')}\n`;
}

/** accelerate config files (keys as `accelerate config` writes them and accelerate's examples/config_yaml_templates). */
export function accelerateConfigs(): Record<string, string> {
  const common = ['compute_environment: LOCAL_MACHINE', "mixed_precision: 'no'", 'use_cpu: false', 'main_training_function: main'];
  return {
    'accelerate_config.single_gpu.yaml': yaml(['# One GPU (or the CPU): no distributed training.', 'distributed_type: "NO"', 'num_processes: 1', 'num_machines: 1', 'machine_rank: 0', ...common]),
    'accelerate_config.yaml': yaml([
      '# Several GPUs of one machine with DDP. --num_processes N on the command line overrides num_processes.',
      'distributed_type: MULTI_GPU',
      'num_processes: 2',
      'num_machines: 1',
      'machine_rank: 0',
      'gpu_ids: all',
      ...common,
    ]),
    'accelerate_config.multi_node.yaml': yaml([
      '# Several machines with DDP. On every machine set machine_rank (0 on the main one) and main_process_ip,',
      '# or pass --machine_rank and --main_process_ip; num_processes counts the GPUs of all machines.',
      'distributed_type: MULTI_GPU',
      'num_machines: 2',
      'num_processes: 16',
      'machine_rank: 0',
      'main_process_ip: 10.0.0.1',
      'main_process_port: 29500',
      'rdzv_backend: static',
      'same_network: true',
      ...common,
    ]),
    'accelerate_config.zero2.yaml': yaml([
      '# DeepSpeed ZeRO-2: optimizer states and gradients sharded over the processes (ds_zero2.json).',
      'distributed_type: DEEPSPEED',
      'num_processes: 2',
      'num_machines: 1',
      'machine_rank: 0',
      'deepspeed_config:',
      '  deepspeed_config_file: ds_zero2.json',
      '  zero3_init_flag: false',
      ...common.filter((l) => !l.startsWith('mixed_precision')),
    ]),
    'accelerate_config.zero3.yaml': yaml([
      '# DeepSpeed ZeRO-3: parameters sharded too (ds_zero3.json); the saved model is gathered whole.',
      'distributed_type: DEEPSPEED',
      'num_processes: 2',
      'num_machines: 1',
      'machine_rank: 0',
      'deepspeed_config:',
      '  deepspeed_config_file: ds_zero3.json',
      '  zero3_init_flag: false',
      ...common.filter((l) => !l.startsWith('mixed_precision')),
    ]),
    'accelerate_config.fsdp.yaml': yaml([
      '# PyTorch FSDP, full sharding; use_orig_params keeps per-parameter learning rates and frozen layers working.',
      'distributed_type: FSDP',
      'num_processes: 2',
      'num_machines: 1',
      'machine_rank: 0',
      'fsdp_config:',
      '  fsdp_version: 1',
      '  fsdp_auto_wrap_policy: TRANSFORMER_BASED_WRAP',
      '  fsdp_backward_prefetch: BACKWARD_PRE',
      '  fsdp_cpu_ram_efficient_loading: true',
      '  fsdp_forward_prefetch: false',
      '  fsdp_offload_params: false',
      '  fsdp_sharding_strategy: FULL_SHARD',
      '  fsdp_state_dict_type: FULL_STATE_DICT',
      '  fsdp_sync_module_states: true',
      '  fsdp_use_orig_params: true',
      ...common,
    ]),
  };
}

/**
 * DeepSpeed configs, documented keys only: the batch sizes and accumulation are "auto" (accelerate fills them: train.py
 * sets the micro-batch as accelerate's error message documents); clipping is the run's; fp32 as in the studio; no
 * optimizer or scheduler block (train.py brings torch's AdamW with the studio's parameter groups and sets the rates).
 */
export function deepspeedConfig(stage: 2 | 3, config: TrainConfig): Record<string, unknown> {
  const zero: Record<string, unknown> =
    stage === 2
      ? { stage: 2, allgather_partitions: true, allgather_bucket_size: 2e8, overlap_comm: true, reduce_scatter: true, reduce_bucket_size: 5e8, contiguous_gradients: true }
      : { stage: 3, overlap_comm: true, contiguous_gradients: true, reduce_bucket_size: 5e8, stage3_prefetch_bucket_size: 5e8, stage3_param_persistence_threshold: 1e6, sub_group_size: 1e9, stage3_max_live_parameters: 1e9, stage3_max_reuse_distance: 1e9, stage3_gather_16bit_weights_on_model_save: true };
  return {
    train_batch_size: 'auto',
    train_micro_batch_size_per_gpu: 'auto',
    gradient_accumulation_steps: 'auto',
    gradient_clipping: config.maxGradNorm ?? 0,
    // torch.optim.AdamW is train.py's own optimizer (the studio's parameter groups), not one of DeepSpeed's.
    zero_allow_untested_optimizer: true,
    fp16: { enabled: false },
    bf16: { enabled: false },
    zero_optimization: zero,
    steps_per_print: 1e9,
    wall_clock_breakdown: false,
  };
}

function readme(run: RecipeRun, plan: { trainable: number; frozen: number; groups: number }): string {
  const c = run.config;
  const data = run.data.train
    ? `\`${run.data.train}\` (${run.data.train_examples} examples${c.augment.copies > 0 ? `, with ${c.augment.copies} EDA copies each, as the studio augmented them` : ''}) and ${run.data.validation ? `\`${run.data.validation}\` (${run.data.validation_examples} examples, ${run.data.validation_source === 'split' ? `the studio's seeded, stratified ${c.validationSplit} share of the training file` : 'the validation file'})` : 'no evaluation data'}`
    : 'none: give `--train_file` (and `--validation_file`) in the JSONL layout below';
  const model = run.model.path ? `\`${run.model.path}/\` (${run.model.label})` : `\`${run.model.hub_id}\` at revision \`${run.model.revision}\` from the Hugging Face Hub`;
  return `# Training recipe: rerun this Layerwise run with transformers + accelerate

Written by Layerwise ${run.layerwise_version}. It repeats the studio's run — ${run.task} on ${run.family}, starting from ${model} —
on one GPU, several GPUs or several machines, with DDP, DeepSpeed ZeRO-2/3 or FSDP.

- Data: ${data}.
- Classes (${run.labels.length}): ${run.labels.length > 0 ? run.labels.map((l) => `\`${l}\``).join(', ') : '—'}.
- Parameters: ${plan.trainable} train and ${plan.frozen} are frozen, in ${plan.groups} layer groups; the TrainConfig is in \`${RECIPE_RUN_FILE}\`.

## Install

\`\`\`sh
python3 -m venv .venv && . .venv/bin/activate
pip install -r requirements.txt               # torch, transformers, accelerate, safetensors (pinned)
pip install -r requirements-deepspeed.txt     # only for the ZeRO-2/3 configs
\`\`\`

Install the torch build for your CUDA version first if the default wheel does not match it (pytorch.org's selector).

## Launch (from this folder)

| where | command |
| --- | --- |
| one GPU | \`accelerate launch --config_file accelerate_config.single_gpu.yaml train.py\` (or \`python train.py\`) |
| N GPUs, one machine (DDP) | \`accelerate launch --config_file accelerate_config.yaml --num_processes N train.py\` |
| same, with torchrun | \`torchrun --nproc_per_node N train.py\` |
| DeepSpeed ZeRO-2 | \`accelerate launch --config_file accelerate_config.zero2.yaml --num_processes N train.py\` |
| DeepSpeed ZeRO-3 | \`accelerate launch --config_file accelerate_config.zero3.yaml --num_processes N train.py\` |
| FSDP | \`accelerate launch --config_file accelerate_config.fsdp.yaml --num_processes N train.py\` |
| M machines × G GPUs | on machine r (0 is the main one): \`accelerate launch --config_file accelerate_config.multi_node.yaml --num_machines M --num_processes $((M*G)) --machine_rank r --main_process_ip MAIN_IP --main_process_port 29500 train.py\` |
| same, with torchrun | \`torchrun --nnodes M --nproc_per_node G --node_rank r --rdzv_backend c10d --rdzv_endpoint MAIN_IP:29500 train.py\` |

Options of \`train.py\`: \`--output_dir DIR\` (default \`output/\`), \`--model_name_or_path\` (another folder or Hub id),
\`--train_file\` / \`--validation_file\` (your own JSONL), \`--batch per-device\` (every process takes
${c.batchSize} examples instead of sharing them: fewer, larger steps), \`--max_steps K\` (a smoke test).

## What to expect

- The same optimisation as the studio's: ${c.batchSize} examples per micro-batch (split over the processes), ${c.gradAccumulation} micro-batch(es) per step, the loss the mean over the step's labelled items;
  AdamW (lr ${c.learningRate}, betas ${c.betas.join(', ')}, eps ${c.eps}, weight decay ${c.weightDecay} except on names containing ${c.noDecay.map((s) => `\`${s}\``).join(', ')});
  ${c.schedule.type} schedule with ${c.schedule.warmupSteps ?? `${c.schedule.warmupRatio} of the steps as`} warmup; layer decay ${c.layerDecay}${Object.keys(c.lrMultipliers).length ? `, multipliers ${JSON.stringify(c.lrMultipliers)}` : ''}${c.freeze.length ? `, frozen: ${c.freeze.join(', ')}` : ''}${c.gradualUnfreeze ? `, one more layer unfrozen every ${c.gradualUnfreeze} epoch(s)` : ''};
  clipping ${c.maxGradNorm ?? 'off'}, label smoothing ${c.labelSmoothing}, L2-SP ${c.l2sp}, seed ${c.seed}.
- Progress: one JSON line per step, at most 50 in a run (loss, grad_norm, learning_rate), and one per evaluation with the studio's metrics
  (eval_loss, accuracy, f1_macro/micro/weighted, entity_f1 for IOB2 tags).
- The result: \`output/model/\`, a Hugging Face folder (config.json, model.safetensors, tokenizer, metrics.json) that
  transformers loads and the studio opens in its Model panel${c.earlyStopping.restoreBest ? '; with restoreBest it holds the best evaluation\'s weights' : ''}.
- Not bit-identical to the studio: the new head's initialisation, the data order and dropout come from torch's random
  streams, not the studio's, so expect the figures within seed noise of the studio's, not equal to them. The learning
  rates of every parameter at every step are the studio's (layerwise_plan.py is tested against the engine).
- Limits: gradual unfreezing runs on one GPU or DDP only; L2-SP needs whole parameters (DDP or ZeRO-2); under DeepSpeed
  a step whose gradient is not finite is taken by DeepSpeed (the studio skips it).
- Mixed precision is off, as in the studio; \`mixed_precision: bf16\` in an accelerate config is faster and changes the numbers a little.

## What was run before this folder was written

Layerwise's tests compile \`train.py\` (\`python3 -m py_compile\`) and run \`layerwise_plan.py\` and
\`layerwise_metrics.py\` against the studio's engine with PyTorch. \`train.py\` itself needs transformers and
accelerate, which the machines that built Layerwise do not have: it has not been run there, and the pinned versions
have not been installed together there.

## Data layout (JSONL, one object per line)

- sequence classification: \`{"text": "...", "label": "pos"}\`, with \`"text_pair"\` for sentence pairs
- token classification: \`{"tokens": ["EU", "rejects", ...], "tags": ["B-ORG", "O", ...]}\`
- masked LM: \`{"text": "..."}\`
`;
}

const placeholders = (id2label: readonly string[]) => id2label.every((l, i) => l === `LABEL_${i}`);

/**
 * The classes in the head's order and the head tensors to initialise afresh, as the studio's loader decides: the
 * checkpoint's own names in any order keep its head and its order; transformers' LABEL_i placeholders keep it by
 * position; other names get a new classifier (the tensors whose shape follows the number of classes).
 */
export function headPlan(modelConfig: ModelConfig, task: Task, dataLabels: readonly string[]): { labels: string[]; reinit: string[] } {
  if (task === 'mlm' || dataLabels.length === 0) return { labels: [...dataLabels], reinit: [] };
  const own = modelConfig.id2label;
  if (own.length === dataLabels.length && own.every((l) => dataLabels.includes(l))) return { labels: [...own], reinit: [] };
  if (placeholders(own)) return { labels: [...dataLabels], reinit: [] };
  const family = getModelFamily(modelConfig);
  const sized = (n: number) => family.parameterShapes({ ...modelConfig, num_labels: n, id2label: Array.from({ length: n }, (_, i) => String(i)) }, task);
  const now = sized(dataLabels.length);
  const more = sized(dataLabels.length + 1);
  return { labels: [...dataLabels], reinit: [...now.keys()].filter((n) => JSON.stringify(now.get(n)) !== JSON.stringify(more.get(n))) };
}

/** The recipe's files, paths relative to its folder (model/… and data/… in subfolders). */
export function writeRecipe(input: RecipeInput): ModelFile[] {
  const { config, modelConfig } = input;
  const task = config.task;
  if (config.lora !== null) {
    throw new LayerwiseError('RECIPE_UNSUPPORTED', 'A LoRA run has no training recipe yet: train.py trains every parameter the plan leaves unfrozen, not PEFT adapters. Export the recipe of the run without lora, or train LoRA in the studio or with layerwise train.', { field: 'lora' });
  }
  // train.py trains softmax cross-entropy on truncated texts; a run it would not reproduce is refused, not approximated.
  const unsupported = [
    ['problemType', config.problemType !== 'single_label_classification', 'multi-label heads (BCE and tuned thresholds)'],
    ['classWeights', config.classWeights !== 'none', 'class weights'],
    ['focalGamma', config.focalGamma > 0, 'the focal loss'],
    ['windows', config.windows !== null, 'sliding windows over long texts'],
    ['adapters', config.adapters !== null, 'bottleneck adapters'],
    ['tasks', config.tasks !== null, 'several heads on one encoder'],
  ] as const;
  const found = unsupported.find(([, used]) => used);
  if (found) {
    throw new LayerwiseError('RECIPE_UNSUPPORTED', `train.py does not do ${found[2]} yet: export the recipe of a run without ${found[0]}, or train this one in the studio or with layerwise train.`, { field: found[0] });
  }
  const family = getModelFamily(modelConfig);
  const names = [...family.parameterShapes(modelConfig, task).keys()];
  // A prefix that names no parameter is refused now, as the studio refuses it, not on the cluster.
  const plan = planParameterGroups(names, (n) => family.depthOf(n, modelConfig), modelConfig.num_hidden_layers, config);
  const files: ModelFile[] = [];
  let data: RecipeRun['data'] = { train: null, validation: null, validation_source: null, train_examples: 0, validation_examples: 0 };
  let labels: string[] = [];
  let reinit: string[] = [];
  if (input.data !== null) {
    let splits = splitRunData(task, input.data.train, input.data.validation, config);
    if (config.augment.copies > 0) splits = augmentSplits(splits, { seed: config.seed, ...config.augment });
    ({ labels, reinit } = headPlan(modelConfig, task, runLabels(task, splits.train)));
    const count = (ds: Dataset) => (ds.kind === 'tokens' ? (ds as TokenDataset).sentences.length : (ds as ExampleDataset).rows.length);
    files.push({ name: 'data/train.jsonl', bytes: utf8(datasetJsonl(splits.train, task)) });
    if (splits.validation !== null) files.push({ name: 'data/validation.jsonl', bytes: utf8(datasetJsonl(splits.validation, task)) });
    data = {
      train: 'data/train.jsonl',
      validation: splits.validation === null ? null : 'data/validation.jsonl',
      validation_source: splits.validation === null ? 'none' : splits.source === 'files' ? 'file' : 'split',
      train_examples: count(splits.train),
      validation_examples: splits.validation === null ? 0 : count(splits.validation),
    };
  }
  const start = input.start;
  const run: RecipeRun = {
    format: 'layerwise-recipe/1',
    layerwise_version: LAYERWISE_VERSION,
    task,
    family: family.name,
    model:
      start.kind === 'folder'
        ? { path: 'model', hub_id: null, revision: null, label: start.label, reinit }
        : { path: null, hub_id: start.id, revision: start.revision, label: `hub:${start.id}@${start.revision}`, reinit },
    labels,
    data,
    config,
  };
  if (start.kind === 'folder') {
    for (const f of start.files) {
      if (f.name.includes('/') || f.name === '..') throw new LayerwiseError('RECIPE_BAD_MODEL_FILE', `model file ${JSON.stringify(f.name)} is not a plain file name`, { file: f.name });
      files.push({ name: `model/${f.name}`, bytes: f.bytes });
    }
  }
  for (const [name, text] of Object.entries(RECIPE_SOURCES)) files.push({ name, bytes: utf8(text) });
  for (const [name, text] of Object.entries(accelerateConfigs())) files.push({ name, bytes: utf8(text) });
  files.push({ name: 'ds_zero2.json', bytes: utf8(`${JSON.stringify(deepspeedConfig(2, config), null, 2)}\n`) });
  files.push({ name: 'ds_zero3.json', bytes: utf8(`${JSON.stringify(deepspeedConfig(3, config), null, 2)}\n`) });
  files.push({ name: 'requirements.txt', bytes: utf8(`${RECIPE_REQUIREMENTS.join('\n')}\n`) });
  files.push({ name: 'requirements-deepspeed.txt', bytes: utf8(`-r requirements.txt\n${RECIPE_DEEPSPEED_REQUIREMENTS.join('\n')}\n`) });
  files.push({ name: RECIPE_RUN_FILE, bytes: utf8(`${JSON.stringify(run, null, 2)}\n`) });
  const trainable = plan.params.filter((p) => p.trainable || p.frozenBy === 'gradual-unfreeze').length;
  files.push({ name: 'README.md', bytes: utf8(readme(run, { trainable, frozen: plan.params.length - trainable, groups: plan.groups.length })) });
  return files;
}
