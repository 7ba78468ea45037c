// Heads and families without a fixture of their own, checked against transformers all the same: ELECTRA, RoBERTa
// and DistilBERT compute exactly what BERT computes (eval mode, gelu) once the BERT fixtures' tensors are renamed;
// for RoBERTa the position table is shifted past padding_idx (its positions count from pad_token_id + 1, pads
// included in the fixtures), for DistilBERT the token type row is folded into the positions (it has no types).
import { beforeAll, describe, expect, test } from 'vitest';
import { useNodeBackend } from '../../../src/cli/node-backend';
import type { ModelConfig } from '../../../src/formats/hf-config';
import { computeGolden, GRAD_TOL, LOGITS_TOL, LOSS_REL_TOL } from './golden';
import { loadFixture, maxAbsDiff, worstTensor, type Fixture } from './golden-fixtures';

type Tensors = Fixture['weights'];

const BERT_HEAD_TO: Record<'electra' | 'roberta' | 'distilbert', Record<string, string>> = {
  electra: {
    'cls.predictions.transform.dense': 'generator_predictions.dense',
    'cls.predictions.transform.LayerNorm': 'generator_predictions.LayerNorm',
    'cls.predictions.bias': 'generator_lm_head.bias',
  },
  roberta: {
    'cls.predictions.transform.dense': 'lm_head.dense',
    'cls.predictions.transform.LayerNorm': 'lm_head.layer_norm',
    'cls.predictions.bias': 'lm_head.bias',
  },
  distilbert: {
    'cls.predictions.transform.dense': 'vocab_transform',
    'cls.predictions.transform.LayerNorm': 'vocab_layer_norm',
    'cls.predictions.bias': 'vocab_projector.bias',
  },
};

const DISTILBERT_LAYER: [RegExp, string][] = [
  [/^bert\.encoder\.layer\.(\d+)\.attention\.self\.query\./, 'distilbert.transformer.layer.$1.attention.q_lin.'],
  [/^bert\.encoder\.layer\.(\d+)\.attention\.self\.key\./, 'distilbert.transformer.layer.$1.attention.k_lin.'],
  [/^bert\.encoder\.layer\.(\d+)\.attention\.self\.value\./, 'distilbert.transformer.layer.$1.attention.v_lin.'],
  [/^bert\.encoder\.layer\.(\d+)\.attention\.output\.dense\./, 'distilbert.transformer.layer.$1.attention.out_lin.'],
  [/^bert\.encoder\.layer\.(\d+)\.attention\.output\.LayerNorm\./, 'distilbert.transformer.layer.$1.sa_layer_norm.'],
  [/^bert\.encoder\.layer\.(\d+)\.intermediate\.dense\./, 'distilbert.transformer.layer.$1.ffn.lin1.'],
  [/^bert\.encoder\.layer\.(\d+)\.output\.dense\./, 'distilbert.transformer.layer.$1.ffn.lin2.'],
  [/^bert\.encoder\.layer\.(\d+)\.output\.LayerNorm\./, 'distilbert.transformer.layer.$1.output_layer_norm.'],
  [/^bert\.embeddings\./, 'distilbert.embeddings.'],
];

const POSITIONS = 'embeddings.position_embeddings.weight';
const TOKEN_TYPES = 'bert.embeddings.token_type_embeddings.weight';

function renameFrom(target: keyof typeof BERT_HEAD_TO, name: string): string | null {
  for (const [from, to] of Object.entries(BERT_HEAD_TO[target])) {
    if (name.startsWith(`${from}.`) || name === from) return to + name.slice(from.length);
  }
  if (target !== 'distilbert') return name.replace(/^bert\./, `${target}.`);
  if (name === TOKEN_TYPES) return null;
  for (const [re, to] of DISTILBERT_LAYER) if (re.test(name)) return name.replace(re, to);
  return name;
}

function renameAll(target: keyof typeof BERT_HEAD_TO, tensors: Tensors): Tensors {
  const out: Tensors = new Map();
  for (const [name, t] of tensors) {
    const renamed = renameFrom(target, name);
    if (renamed !== null) out.set(renamed, t);
  }
  return out;
}

/** RoBERTa's table: row pad_token_id (0 here) for padding, then BERT's rows 0.. for positions 1... */
function shiftPositions(t: { shape: number[]; data: Float32Array }): { shape: number[]; data: Float32Array } {
  const [rows, width] = t.shape;
  const data = new Float32Array((rows + 1) * width);
  data.set(t.data, width);
  return { shape: [rows + 1, width], data };
}

function transplant(fx: Fixture, target: keyof typeof BERT_HEAD_TO): Fixture {
  const config: ModelConfig = { ...fx.config, model_type: target, family: target };
  const weights = renameAll(target, fx.weights);
  const grads = renameAll(target, fx.grads);
  const reference = structuredClone(fx.reference);
  if (target === 'roberta') {
    config.max_position_embeddings += 1; // pad_token_id 0: positions 1..64
    for (const m of [weights, grads]) m.set(`roberta.${POSITIONS}`, shiftPositions(m.get(`roberta.${POSITIONS}`) as Tensors extends Map<string, infer T> ? T : never));
  }
  if (target === 'distilbert') {
    config.type_vocab_size = 0;
    delete reference.inputs.token_type_ids;
    // Every fixture token has type 0: BERT's word + type[0] + position is DistilBERT's word + (position + type[0]).
    const positions = weights.get(`distilbert.${POSITIONS}`) as { shape: number[]; data: Float32Array };
    const type0 = (fx.weights.get(TOKEN_TYPES) as { data: Float32Array }).data;
    const width = positions.shape[1];
    weights.set(`distilbert.${POSITIONS}`, { shape: positions.shape, data: positions.data.map((v, i) => v + type0[i % width]) });
  }
  return { ...fx, name: `${fx.name} as ${target}`, config, weights, grads, reference };
}

/** Logits at the positions attention_mask marks as tokens ([B, S, C] row-major). */
function atTokens(logits: ArrayLike<number>, mask: number[][]): number[] {
  const perToken = logits.length / mask.flat().length;
  return mask.flat().flatMap((m, i) => (m === 1 ? Array.from({ length: perToken }, (_, c) => logits[i * perToken + c]) : []));
}

// Not bert-mlm as RoBERTa: that fixture masked some padding positions ([MASK] ids under attention_mask 0, with
// labels), which RoBERTa would number as tokens.
const CASES = [
  ['bert-token-cls', 'electra'],
  ['bert-mlm', 'electra'],
  ['bert-token-cls', 'roberta'],
  ['bert-token-cls', 'distilbert'],
  ['bert-mlm', 'distilbert'],
] as const;

beforeAll(() => useNodeBackend('cpu'));

describe.each(CASES)('%s transplanted into %s', (fixture, target) => {
  test('logits, loss and every gradient match the BERT reference of transformers', async () => {
    const fx = transplant(await loadFixture(fixture), target);
    const out = await computeGolden(fx);
    const mask = fx.reference.inputs.attention_mask;
    // RoBERTa's padding tokens sit at position padding_idx, BERT's at their index: only real tokens compare.
    const [ours, ref] = target === 'roberta' ? [atTokens(out.logits, mask), atTokens(fx.reference.logits.flat(2) as number[], mask)] : [out.logits, fx.reference.logits.flat(2) as number[]];
    expect(maxAbsDiff(ours, ref)).toBeLessThanOrEqual(LOGITS_TOL);
    expect(Math.abs(out.loss - fx.reference.loss) / fx.reference.loss).toBeLessThanOrEqual(LOSS_REL_TOL);
    const worst = worstTensor(out.grads, fx.grads);
    expect(worst.diff, `worst tensor: ${worst.name}`).toBeLessThanOrEqual(GRAD_TOL);
    expect([...out.grads.keys()].sort()).toEqual([...fx.grads.keys()].sort());
  });
});
