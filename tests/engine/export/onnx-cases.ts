// Test helper: the models the ONNX export is tested on, written as checkpoint folders: the hf-tiny fixtures
// (transformers checkpoints), and seeded fresh initialisations (engine/train/init.ts, initializer_range 0.2 so that
// logits spread over units, not hundredths) for the family/task pairs no fixture has — RoBERTa token classification
// (pad_token_id 1, eps 1e-5), DistilBERT token classification, ELECTRA with embedding_size != hidden_size
// (embeddings_project) and tanh GELU, and an MLM with an untied decoder — with each case's id rows.
import { copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { nodeFolder } from '../../../src/cli/node-files';
import { writeModelFolder } from '../../../src/engine/export/model-folder';
import { randomModel } from '../../../src/engine/train/init';
import type { Task } from '../../../src/protocol/task';

export const GOLDEN = path.resolve(import.meta.dirname, '..', '..', 'golden', 'hf-tiny');

export interface IdRows {
  input_ids: number[][];
  attention_mask: number[][];
  token_type_ids?: number[][];
}

export interface ExportCase {
  name: string;
  task: Task;
  family: string;
  /** The checkpoint folder. */
  dir: string;
  /** predict's inputs file ({"input_ids": ..., "attention_mask": ..., "token_type_ids"?: ...}). */
  inputsFile: string;
  rows: IdRows;
}

const FIXTURES: [string, Task, string][] = [
  ['bert-seq-cls', 'seq-cls', 'bert'],
  ['bert-token-cls', 'token-cls', 'bert'],
  ['bert-mlm', 'mlm', 'bert'],
  ['distilbert-seq-cls', 'seq-cls', 'distilbert'],
  ['roberta-seq-cls', 'seq-cls', 'roberta'],
];

const SMALL = { vocab_size: 328, num_hidden_layers: 2, num_attention_heads: 4, max_position_embeddings: 64, initializer_range: 0.2 };
const RANDOM: { name: string; task: Task; family: string; config: Record<string, unknown> }[] = [
  {
    name: 'roberta-token-cls',
    task: 'token-cls',
    family: 'roberta',
    config: { ...SMALL, model_type: 'roberta', hidden_size: 32, intermediate_size: 64, hidden_act: 'gelu', type_vocab_size: 1, pad_token_id: 1, max_position_embeddings: 66, layer_norm_eps: 1e-5 },
  },
  {
    name: 'distilbert-token-cls',
    task: 'token-cls',
    family: 'distilbert',
    config: { vocab_size: 328, model_type: 'distilbert', dim: 32, n_layers: 2, n_heads: 4, hidden_dim: 64, activation: 'gelu', max_position_embeddings: 64, pad_token_id: 0, initializer_range: 0.2 },
  },
  {
    name: 'electra-seq-cls',
    task: 'seq-cls',
    family: 'electra',
    config: { ...SMALL, model_type: 'electra', embedding_size: 16, hidden_size: 32, intermediate_size: 48, hidden_act: 'gelu_new', type_vocab_size: 2, pad_token_id: 0 },
  },
  {
    name: 'electra-token-cls',
    task: 'token-cls',
    family: 'electra',
    config: { ...SMALL, model_type: 'electra', embedding_size: 16, hidden_size: 32, intermediate_size: 48, hidden_act: 'gelu_new', type_vocab_size: 2, pad_token_id: 0 },
  },
  {
    name: 'bert-mlm-untied',
    task: 'mlm',
    family: 'bert',
    config: { ...SMALL, model_type: 'bert', hidden_size: 32, intermediate_size: 64, hidden_act: 'relu', type_vocab_size: 2, pad_token_id: 0, tie_word_embeddings: false },
  },
];

/** The bert fixture's varied rows (ids across its 328-token vocabulary, padding, two segments), padded with `pad`. */
function variedRows(pad: number, tokenTypes: boolean): IdRows {
  const { inputs } = JSON.parse(readFileSync(path.join(GOLDEN, 'bert-seq-cls', 'reference_varied.json'), 'utf8')) as { inputs: Required<IdRows> };
  const input_ids = inputs.input_ids.map((row, r) => row.map((id, c) => (inputs.attention_mask[r][c] === 1 ? id : pad)));
  return { input_ids, attention_mask: inputs.attention_mask, ...(tokenTypes ? { token_type_ids: inputs.token_type_ids } : {}) };
}

/** Writes every case under `root` (one folder each) and returns them. Needs a tfjs backend set. */
export async function writeExportCases(root: string): Promise<ExportCase[]> {
  const cases: ExportCase[] = [];
  const add = (name: string, task: Task, family: string, dir: string, rows: IdRows) => {
    const inputsFile = path.join(root, `${name}.inputs.json`);
    writeFileSync(inputsFile, JSON.stringify(rows));
    cases.push({ name, task, family, dir, inputsFile, rows });
  };
  for (const [name, task, family] of FIXTURES) {
    const dir = path.join(root, name);
    mkdirSync(dir, { recursive: true });
    for (const f of readdirSync(path.join(GOLDEN, name))) if (!f.startsWith('reference')) copyFileSync(path.join(GOLDEN, name, f), path.join(dir, f));
    const { inputs } = JSON.parse(readFileSync(path.join(GOLDEN, name, 'reference_varied.json'), 'utf8')) as { inputs: IdRows };
    add(name, task, family, dir, inputs);
  }
  for (const c of RANDOM) {
    const seedDir = path.join(root, `${c.name}.source`);
    mkdirSync(seedDir, { recursive: true });
    writeFileSync(path.join(seedDir, 'config.json'), JSON.stringify(c.config));
    for (const f of ['tokenizer.json', 'tokenizer_config.json', 'vocab.txt']) copyFileSync(path.join(GOLDEN, 'bert-seq-cls', f), path.join(seedDir, f));
    const model = await randomModel(nodeFolder(seedDir), { task: c.task, labels: ['O', 'B-X', 'I-X'], seed: 7 });
    try {
      const files = await writeModelFolder({ model, source: nodeFolder(seedDir) });
      const dir = path.join(root, c.name);
      mkdirSync(dir, { recursive: true });
      for (const f of files) writeFileSync(path.join(dir, f.name), f.bytes);
      add(c.name, c.task, c.family, dir, variedRows(model.config.pad_token_id, model.family.hasTokenTypes && model.config.type_vocab_size > 1));
    } finally {
      model.params.dispose();
    }
  }
  return cases;
}
