// config.json: the normalised view of each fixture family (each read by its family's normaliser), and the coded errors
// of RELIABILITY C1/C2.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseModelConfig } from '../../src/engine/models/index';
import { LayerwiseError } from '../../src/lib/errors';

const GOLDEN = join(import.meta.dirname, '..', 'golden', 'hf-tiny');
const text = (name: string) => readFileSync(join(GOLDEN, name, 'config.json'), 'utf8');

function codeOf(fn: () => unknown): LayerwiseError {
  try {
    fn();
  } catch (err) {
    if (err instanceof LayerwiseError) return err;
    throw err;
  }
  throw new Error('expected a LayerwiseError');
}

describe('parseModelConfig', () => {
  it('reads a BERT config as written and keeps the raw object untouched', () => {
    const source = text('bert-seq-cls');
    const { raw, config, notes } = parseModelConfig(source);
    expect(raw).toEqual(JSON.parse(source));
    expect(notes).toEqual([]);
    expect(config).toMatchObject({
      model_type: 'bert',
      family: 'bert',
      vocab_size: 328,
      hidden_size: 32,
      num_hidden_layers: 2,
      num_attention_heads: 4,
      intermediate_size: 64,
      hidden_act: 'gelu',
      max_position_embeddings: 64,
      type_vocab_size: 2,
      layer_norm_eps: 1e-12,
      pad_token_id: 0,
      classifier_dropout: null,
      num_labels: 3,
      id2label: ['LABEL_0', 'LABEL_1', 'LABEL_2'],
      architectures: ['BertForSequenceClassification'],
    });
  });

  it("maps DistilBERT's own field names onto the BERT-named view", () => {
    const { config } = parseModelConfig(text('distilbert-seq-cls'));
    expect(config).toMatchObject({
      family: 'distilbert',
      hidden_size: 32, // dim
      num_hidden_layers: 2, // n_layers
      num_attention_heads: 4, // n_heads
      intermediate_size: 64, // hidden_dim
      hidden_act: 'gelu', // activation
      type_vocab_size: 0,
      classifier_dropout: 0.2, // seq_classif_dropout
      sinusoidal_pos_embds: false,
    });
  });

  it('treats xlm-roberta and camembert as RoBERTa', () => {
    for (const model_type of ['roberta', 'xlm-roberta', 'camembert']) {
      const raw = { ...JSON.parse(text('roberta-seq-cls')), model_type };
      expect(parseModelConfig(JSON.stringify(raw)).config.family).toBe('roberta');
    }
  });

  it('C1: invalid JSON gives its line and column', () => {
    const err = codeOf(() => parseModelConfig('{\n  "model_type": "bert",\n  "hidden_size": 32,,\n}', 'config.json'));
    expect(err.code).toBe('CONFIG_INVALID_JSON');
    expect(err.location).toMatchObject({ file: 'config.json', line: 3 });
    expect(err.location?.column).toBeGreaterThan(1);
  });

  it('C1: a JSON value that is not an object is refused', () => {
    for (const body of ['[]', '"bert"', 'null', '42']) {
      expect(codeOf(() => parseModelConfig(body)).code).toBe('CONFIG_NOT_OBJECT');
    }
  });

  it('C1: a byte-order mark is stripped and reported', () => {
    const { config, notes } = parseModelConfig('\ufeff' + text('bert-seq-cls'));
    expect(config.model_type).toBe('bert');
    expect(notes).toEqual(['config.json: removed a UTF-8 byte-order mark']);
  });

  it('C2: an unknown or missing model_type names the supported list', () => {
    for (const [model_type, what] of [
      ['llama', 'model_type `llama`'],
      ['ursa', 'model_type `ursa`'],
      [null, 'a config without model_type'],
    ] as const) {
      const raw = { ...JSON.parse(text('bert-seq-cls')), model_type };
      const err = codeOf(() => parseModelConfig(JSON.stringify(raw)));
      expect(err.code).toBe('CONFIG_UNSUPPORTED_MODEL_TYPE');
      expect(err.message).toBe(
        `${what} is not supported by this studio (supported: bert, roberta, xlm-roberta, camembert, distilbert, electra)`,
      );
      expect(err.location).toEqual({ file: 'config.json', field: 'model_type' });
    }
    // Absent: the architectures tell the family (issue #15 item 8); with nothing to tell, the field to add is named.
    const { model_type: _, ...untyped } = JSON.parse(text('bert-seq-cls')) as Record<string, unknown>;
    expect(parseModelConfig(JSON.stringify(untyped)).config.family).toBe('bert');
    const err = codeOf(() => parseModelConfig(JSON.stringify({ ...untyped, architectures: undefined })));
    expect(err.code).toBe('CONFIG_MODEL_TYPE_MISSING');
    expect(err.message).toMatch(/add "model_type": "bert" \(or roberta, xlm-roberta, camembert, distilbert, electra\) to config\.json$/);
  });

  it('refuses sizes that cannot describe a model, naming the field', () => {
    const base = JSON.parse(text('bert-seq-cls'));
    const cases: [Record<string, unknown>, string][] = [
      [{ hidden_size: 30 }, 'hidden_size'], // not a multiple of 4 heads
      [{ num_hidden_layers: 0 }, 'num_hidden_layers'],
      [{ vocab_size: 'many' }, 'vocab_size'],
      [{ hidden_dropout_prob: 1.5 }, 'hidden_dropout_prob'],
      [{ hidden_act: 'mish' }, 'hidden_act'],
      [{ num_labels: 5 }, 'num_labels'], // disagrees with id2label's 3 entries
      [{ id2label: { '0': 'a', '2': 'b' } }, 'id2label'],
    ];
    for (const [patch, field] of cases) {
      const err = codeOf(() => parseModelConfig(JSON.stringify({ ...base, ...patch })));
      expect(err.code, JSON.stringify(patch)).toBe('CONFIG_INVALID_FIELD');
      expect(err.location?.field).toBe(field);
    }
  });

  it('fills absent fields with transformers defaults and says so', () => {
    const raw = JSON.parse(text('bert-seq-cls'));
    delete raw.max_position_embeddings;
    delete raw.id2label;
    delete raw.label2id;
    delete raw.num_labels;
    const { config, notes } = parseModelConfig(JSON.stringify(raw));
    expect(config.max_position_embeddings).toBe(512);
    expect(config.id2label).toEqual(['LABEL_0', 'LABEL_1']);
    expect(notes).toContain('config.json: "max_position_embeddings" absent, using 512');
  });
});
