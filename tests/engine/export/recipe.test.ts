// The training recipe folder (engine/export/recipe.ts): its Python files are the committed sources (the generated
// recipe-sources.ts is up to date) and compile (`python3 -m py_compile`); layerwise_run.json carries the TrainConfig,
// the task, the class names as the studio sorts them and the data split exactly as the studio splits and augments
// it; the starting model's files travel byte for byte; the DeepSpeed files use documented keys only and the run's
// clipping; a prefix that names no parameter is refused before anything is written. `python3 train.py --help` runs
// where python3-torch is installed (train.py imports torch first, transformers and accelerate only inside main()).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readRecipeSources, renderRecipeSources, SOURCES_FILE } from '../../../scripts/build-recipe-sources';
import { nodeFile } from '../../../src/cli/node-files';
import { accelerateConfigs, deepspeedConfig, headPlan, writeRecipe, type RecipeRun } from '../../../src/engine/export/recipe';
import type { ModelFile } from '../../../src/engine/export/model-folder';
import { augmentSplits } from '../../../src/engine/data/augment';
import { runLabels, splitRunData } from '../../../src/engine/train/prepare';
import { parseModelConfig } from '../../../src/engine/models/index';
import { readDataset, type ExampleDataset } from '../../../src/formats/datasets/index';
import { LayerwiseError } from '../../../src/lib/errors';
import { parseTrainConfig } from '../../../src/protocol/train-config';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const GOLDEN = path.join(ROOT, 'tests', 'golden', 'hf-tiny');
const work = mkdtempSync(path.join(tmpdir(), 'layerwise-recipe-folder-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const text = (files: ModelFile[], name: string) => new TextDecoder().decode(files.find((f) => f.name === name)!.bytes);
const lines = (s: string) => s.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

function folderFiles(dir: string, names: string[]): ModelFile[] {
  return names.map((name) => ({ name, bytes: new Uint8Array(readFileSync(path.join(dir, name))) }));
}

async function csvDataset(name: string, rows: string[][]) {
  const file = path.join(work, name);
  writeFileSync(file, `sentence,label\n${rows.map((r) => r.map((c) => `"${c}"`).join(',')).join('\n')}\n`);
  return readDataset(nodeFile(file));
}

const LABELS = ['pos', 'neg', 'neu', '10', '9'];
const ROWS = Array.from({ length: 57 }, (_, i) => [`sentence number ${i} says ${i % 3 ? 'yes' : 'no'}`, LABELS[i % 3]]);

function writeOut(files: ModelFile[], dir: string): void {
  for (const f of files) {
    mkdirSync(path.dirname(path.join(dir, f.name)), { recursive: true });
    writeFileSync(path.join(dir, f.name), f.bytes);
  }
}

describe('recipe-sources.ts', () => {
  it('is generated from the .py files as committed (npx tsx scripts/build-recipe-sources.ts)', () => {
    expect(readFileSync(path.join(ROOT, SOURCES_FILE), 'utf8')).toBe(renderRecipeSources(readRecipeSources(ROOT)));
  });
});

describe('writeRecipe', () => {
  const modelDir = path.join(GOLDEN, 'bert-seq-cls');
  const modelConfig = parseModelConfig(readFileSync(path.join(modelDir, 'config.json'), 'utf8')).config;
  const config = parseTrainConfig({
    epochs: 2,
    validationSplit: 0.2,
    seed: 7,
    freeze: ['bert.embeddings'],
    layerDecay: 0.8,
    lrMultipliers: { classifier: 5 },
    augment: { copies: 1 },
    maxGradNorm: 0.5,
    earlyStopping: { metric: 'f1_macro', patience: 2, restoreBest: true },
  });
  const modelFiles = folderFiles(modelDir, ['config.json', 'model.safetensors', 'tokenizer.json', 'vocab.txt']);

  it('writes the run, the data split and augmented as the studio does, the model byte for byte, and Python that compiles', async () => {
    const train = await csvDataset('train.csv', ROWS);
    const files = writeRecipe({ config, modelConfig, start: { kind: 'folder', files: modelFiles, label: 'bert-seq-cls' }, data: { train, validation: null } });
    const names = files.map((f) => f.name);
    for (const n of ['train.py', 'layerwise_plan.py', 'layerwise_metrics.py', 'layerwise_run.json', 'README.md', 'requirements.txt', 'requirements-deepspeed.txt', 'ds_zero2.json', 'ds_zero3.json', 'accelerate_config.yaml', 'accelerate_config.zero3.yaml', 'accelerate_config.fsdp.yaml', 'accelerate_config.multi_node.yaml', 'data/train.jsonl', 'data/validation.jsonl']) {
      expect(names).toContain(n);
    }
    for (const f of modelFiles) expect(Buffer.from(files.find((g) => g.name === `model/${f.name}`)!.bytes).equals(Buffer.from(f.bytes)), f.name).toBe(true);

    const run = JSON.parse(text(files, 'layerwise_run.json')) as RecipeRun;
    expect(run.config).toEqual(config);
    expect(run.task).toBe('seq-cls');
    expect(run.family).toBe('bert');
    expect(run.model).toEqual({ path: 'model', hub_id: null, revision: null, label: 'bert-seq-cls', reinit: [] });
    // The studio's split, then its augmentation of the training share: the same rows in the same order.
    const splits = augmentSplits(splitRunData('seq-cls', train, null, config), { seed: config.seed, ...config.augment });
    expect(run.labels).toEqual(runLabels('seq-cls', splits.train));
    expect(run.labels).toEqual(['neg', 'neu', 'pos']);
    const trainRows = lines(text(files, 'data/train.jsonl'));
    const validationRows = lines(text(files, 'data/validation.jsonl'));
    expect(trainRows).toEqual((splits.train as ExampleDataset).rows.map((r) => ({ text: r[0], label: r[1] })));
    expect(validationRows).toEqual((splits.validation as ExampleDataset).rows.map((r) => ({ text: r[0], label: r[1] })));
    expect(trainRows.length).toBe(2 * (57 - validationRows.length));
    expect(run.data).toEqual({ train: 'data/train.jsonl', validation: 'data/validation.jsonl', validation_source: 'split', train_examples: trainRows.length, validation_examples: validationRows.length });

    const dir = path.join(work, 'recipe');
    writeOut(files, dir);
    const compiled = spawnSync('python3', ['-m', 'py_compile', 'train.py', 'layerwise_plan.py', 'layerwise_metrics.py'], { cwd: dir, encoding: 'utf8' });
    expect(compiled.stderr).toBe('');
    expect(compiled.status).toBe(0);
    const readme = text(files, 'README.md');
    expect(readme).toContain('accelerate launch --config_file accelerate_config.zero3.yaml');
    expect(readme).toContain('torchrun --nnodes M');
    expect(readme).toContain('has not been run there');
  });

  it('train.py --help runs (torch imported, transformers and accelerate not needed for it)', (ctx) => {
    const probe = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' });
    ctx.skip(probe.status !== 0, 'python3-torch is not installed (apt-get install python3-torch)');
    const dir = path.join(work, 'help');
    writeOut(writeRecipe({ config, modelConfig, start: { kind: 'hub', id: 'org/tiny', revision: 'main' }, data: null }), dir);
    const help = spawnSync('/usr/bin/python3', ['train.py', '--help'], { cwd: dir, encoding: 'utf8' });
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toContain('--batch {studio,per-device}');
  });

  it('token classification: sentences as {tokens, tags}; without data, no data files and no labels', async () => {
    const conll = path.join(work, 'ner.conll');
    writeFileSync(conll, Array.from({ length: 12 }, (_, i) => `EU B-ORG\nrejects O\nGerman B-MISC\ncall${i} O\n`).join('\n'));
    const ner = await readDataset(nodeFile(conll));
    const tokenConfig = parseTrainConfig({ task: 'token-cls', validationSplit: 0.25 });
    const files = writeRecipe({ config: tokenConfig, modelConfig, start: { kind: 'folder', files: modelFiles, label: 'x' }, data: { train: ner, validation: null } });
    const rows = lines(text(files, 'data/train.jsonl'));
    expect(rows[0]).toEqual({ tokens: ['EU', 'rejects', 'German', expect.stringMatching(/^call\d+$/)], tags: ['B-ORG', 'O', 'B-MISC', 'O'] });
    expect((JSON.parse(text(files, 'layerwise_run.json')) as RecipeRun).labels).toEqual(['B-MISC', 'B-ORG', 'O']);
    const bare = writeRecipe({ config: tokenConfig, modelConfig, start: { kind: 'hub', id: 'org/tiny', revision: 'abc' }, data: null });
    expect(bare.some((f) => f.name.startsWith('data/') || f.name.startsWith('model/'))).toBe(false);
    expect((JSON.parse(text(bare, 'layerwise_run.json')) as RecipeRun).model).toEqual({ path: null, hub_id: 'org/tiny', revision: 'abc', label: 'hub:org/tiny@abc', reinit: [] });
  });

  it('refuses a LoRA run (train.py does not write PEFT adapters) with RECIPE_UNSUPPORTED naming the field', () => {
    const lora = parseTrainConfig({ lora: { r: 4 } });
    let caught: unknown;
    try {
      writeRecipe({ config: lora, modelConfig, start: { kind: 'hub', id: 'a/b', revision: 'main' }, data: null });
    } catch (err) {
      caught = err;
    }
    expect((caught as LayerwiseError).code).toBe('RECIPE_UNSUPPORTED');
    expect((caught as LayerwiseError).location?.field).toBe('lora');
  });

  it.each([
    ['problemType', { problemType: 'multi_label_classification' }],
    ['classWeights', { classWeights: 'inverse-frequency' }],
    ['focalGamma', { focalGamma: 2 }],
    ['windows', { windows: { stride: 16 } }],
    ['tasks', { tasks: [{ name: 'a', task: 'seq-cls' }, { name: 'b', task: 'seq-cls', labelColumn: 'topic' }] }],
  ])('refuses a run train.py would not reproduce (%s) with RECIPE_UNSUPPORTED naming the field', (field, input) => {
    expect(() => writeRecipe({ config: parseTrainConfig(input), modelConfig, start: { kind: 'hub', id: 'a/b', revision: 'main' }, data: null })).toThrow(
      expect.objectContaining({ code: 'RECIPE_UNSUPPORTED', location: { field } }),
    );
  });

  it('refuses a freeze prefix that names no parameter, before writing anything', () => {
    const bad = parseTrainConfig({ freeze: ['bert.encoder.layer.7'] });
    let caught: unknown;
    try {
      writeRecipe({ config: bad, modelConfig, start: { kind: 'hub', id: 'a/b', revision: 'main' }, data: null });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(LayerwiseError);
    expect((caught as LayerwiseError).code).toBe('TRAIN_CONFIG_UNKNOWN_PREFIX');
  });
});

describe('headPlan: the classes and the head as the studio\'s loader decides them', () => {
  const config = (dir: string, id2label: string[]) => parseModelConfig(JSON.stringify({ ...JSON.parse(readFileSync(path.join(GOLDEN, dir, 'config.json'), 'utf8')), id2label: Object.fromEntries(id2label.map((l, i) => [String(i), l])), label2id: undefined })).config;

  it('the same names in another order keep the head in config.json\'s order; placeholders keep it by position', () => {
    expect(headPlan(config('bert-seq-cls', ['pos', 'neg', 'neu']), 'seq-cls', ['neg', 'neu', 'pos'])).toEqual({ labels: ['pos', 'neg', 'neu'], reinit: [] });
    expect(headPlan(config('bert-seq-cls', ['LABEL_0', 'LABEL_1', 'LABEL_2']), 'seq-cls', ['a', 'b', 'c'])).toEqual({ labels: ['a', 'b', 'c'], reinit: [] });
  });

  it('other names: the class-sized tensors start afresh (BERT keeps its pooler, RoBERTa its dense layer)', () => {
    expect(headPlan(config('bert-seq-cls', ['pos', 'neg', 'neu']), 'seq-cls', ['a', 'b', 'c'])).toEqual({ labels: ['a', 'b', 'c'], reinit: ['classifier.weight', 'classifier.bias'] });
    expect(headPlan(config('roberta-seq-cls', ['pos', 'neg', 'neu']), 'seq-cls', ['a', 'b']).reinit).toEqual(['classifier.out_proj.weight', 'classifier.out_proj.bias']);
    expect(headPlan(config('bert-seq-cls', ['pos', 'neg', 'neu']), 'mlm', [])).toEqual({ labels: [], reinit: [] });
  });
});

describe('the launch configs', () => {
  // Keys of DeepSpeed's configuration reference (docs/_pages/config-json.md in deepspeedai/DeepSpeed).
  const DEEPSPEED_KEYS = new Set(['train_batch_size', 'train_micro_batch_size_per_gpu', 'gradient_accumulation_steps', 'gradient_clipping', 'zero_allow_untested_optimizer', 'fp16', 'bf16', 'zero_optimization', 'steps_per_print', 'wall_clock_breakdown']);
  const ZERO_KEYS = new Set(['stage', 'allgather_partitions', 'allgather_bucket_size', 'overlap_comm', 'reduce_scatter', 'reduce_bucket_size', 'contiguous_gradients', 'stage3_prefetch_bucket_size', 'stage3_param_persistence_threshold', 'sub_group_size', 'stage3_max_live_parameters', 'stage3_max_reuse_distance', 'stage3_gather_16bit_weights_on_model_save']);
  // Fields of accelerate's config file (accelerate/commands/config/config_args.py ClusterConfig, FSDP and DeepSpeed sections).
  const ACCELERATE_KEYS = new Set(['compute_environment', 'distributed_type', 'mixed_precision', 'use_cpu', 'num_processes', 'num_machines', 'machine_rank', 'main_process_ip', 'main_process_port', 'rdzv_backend', 'same_network', 'gpu_ids', 'main_training_function', 'deepspeed_config', 'deepspeed_config_file', 'zero3_init_flag', 'fsdp_config', 'fsdp_version', 'fsdp_auto_wrap_policy', 'fsdp_backward_prefetch', 'fsdp_cpu_ram_efficient_loading', 'fsdp_forward_prefetch', 'fsdp_offload_params', 'fsdp_sharding_strategy', 'fsdp_state_dict_type', 'fsdp_sync_module_states', 'fsdp_use_orig_params']);

  it('ds_zero2.json / ds_zero3.json: documented keys, the run\'s clipping, fp32, sizes left to accelerate', () => {
    for (const stage of [2, 3] as const) {
      const ds = deepspeedConfig(stage, parseTrainConfig({ maxGradNorm: 0.25 }));
      expect(Object.keys(ds).filter((k) => !DEEPSPEED_KEYS.has(k))).toEqual([]);
      const zero = ds.zero_optimization as Record<string, unknown>;
      expect(Object.keys(zero).filter((k) => !ZERO_KEYS.has(k))).toEqual([]);
      expect(zero.stage).toBe(stage);
      expect(ds.gradient_clipping).toBe(0.25);
      expect(ds.train_micro_batch_size_per_gpu).toBe('auto');
      expect(ds.fp16).toEqual({ enabled: false });
    }
    expect(deepspeedConfig(2, parseTrainConfig({ maxGradNorm: null })).gradient_clipping).toBe(0);
  });

  it('accelerate configs: known keys, and each names its distributed type', () => {
    const types: Record<string, string> = {};
    for (const [name, body] of Object.entries(accelerateConfigs())) {
      const keys = body.split('\n').filter((l) => /^\s*[a-z_0-9]+:/.test(l)).map((l) => l.trim().split(':')[0]);
      expect(keys.filter((k) => !ACCELERATE_KEYS.has(k)), name).toEqual([]);
      types[name] = /distributed_type: "?([A-Z_]+)"?/.exec(body)![1];
    }
    expect(types).toEqual({
      'accelerate_config.single_gpu.yaml': 'NO',
      'accelerate_config.yaml': 'MULTI_GPU',
      'accelerate_config.multi_node.yaml': 'MULTI_GPU',
      'accelerate_config.zero2.yaml': 'DEEPSPEED',
      'accelerate_config.zero3.yaml': 'DEEPSPEED',
      'accelerate_config.fsdp.yaml': 'FSDP',
    });
  });
});
