// config.json of a Hugging Face checkpoint: parsed as written (never rewritten) and one normalised view with
// BERT's field names, so that every model family reads the same fields. Mirrors transformers' *Config classes.
import { LayerwiseError } from '../lib/errors';
import { parseJsonText } from './json-text';

export type ModelFamilyName = 'bert' | 'roberta' | 'distilbert' | 'electra';

/** model_type -> the family whose module computes it. xlm-roberta and camembert are RoBERTa in structure. */
export const MODEL_TYPES: Readonly<Record<string, ModelFamilyName>> = {
  bert: 'bert',
  roberta: 'roberta',
  'xlm-roberta': 'roberta',
  camembert: 'roberta',
  distilbert: 'distilbert',
  electra: 'electra',
};

/** The normalised view. Field names are BERT's (transformers' BertConfig). */
export interface ModelConfig {
  model_type: string;
  family: ModelFamilyName;
  vocab_size: number;
  hidden_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  intermediate_size: number;
  /** 'gelu' (erf), 'gelu_new' / 'gelu_pytorch_tanh' / 'gelu_fast' (tanh approximations), 'relu', 'silu'. */
  hidden_act: string;
  max_position_embeddings: number;
  /** 0 when the family has no token type embedding (DistilBERT). */
  type_vocab_size: number;
  layer_norm_eps: number;
  pad_token_id: number;
  hidden_dropout_prob: number;
  attention_probs_dropout_prob: number;
  /** Dropout before the classifier; null means hidden_dropout_prob (as in transformers). */
  classifier_dropout: number | null;
  initializer_range: number;
  /** ELECTRA's embedding width (projected to hidden_size when different); hidden_size elsewhere. */
  embedding_size: number;
  /** DistilBERT: fixed sinusoidal position table instead of a learned one. */
  sinusoidal_pos_embds: boolean;
  num_labels: number;
  /** Label names by id; LABEL_i where the config has none. */
  id2label: string[];
  architectures: string[];
  tie_word_embeddings: boolean;
}

export interface ParsedConfig {
  /** config.json exactly as written. */
  raw: Record<string, unknown>;
  config: ModelConfig;
  /** Normalisations applied while reading (a BOM, defaults filled in), for the loader report. */
  notes: string[];
}

const SUPPORTED = Object.keys(MODEL_TYPES).join(', ');

function fail(file: string, field: string, message: string): never {
  throw new LayerwiseError('CONFIG_INVALID_FIELD', `${file}: ${message}`, { file, field });
}

export function parseHfConfig(text: string, file = 'config.json'): ParsedConfig {
  const { value, hadBom } = parseJsonText(text, file, 'CONFIG_INVALID_JSON');
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new LayerwiseError('CONFIG_NOT_OBJECT', `${file} must hold a JSON object`, { file });
  }
  const raw = value as Record<string, unknown>;
  const notes: string[] = hadBom ? [`${file}: removed a UTF-8 byte-order mark`] : [];
  const modelType = raw.model_type;
  if (typeof modelType !== 'string' || !Object.hasOwn(MODEL_TYPES, modelType)) {
    const what = typeof modelType === 'string' ? `model_type \`${modelType}\`` : 'a config without model_type';
    throw new LayerwiseError(
      'CONFIG_UNSUPPORTED_MODEL_TYPE',
      `${what} is not supported by this studio (supported: ${SUPPORTED})`,
      { file, field: 'model_type' },
    );
  }
  const family = MODEL_TYPES[modelType];
  const isDistil = family === 'distilbert';
  // DistilBERT names its fields differently; read each field under the family's own name.
  const name = (bert: string, distil: string) => (isDistil ? distil : bert);

  function int(key: string, fallback?: number, min = 1): number {
    const v = raw[key] ?? fallback;
    if (v === undefined) fail(file, key, `missing required field "${key}"`);
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
      fail(file, key, `"${key}" must be an integer >= ${min}, got ${JSON.stringify(v)}`);
    }
    if (raw[key] === undefined) notes.push(`${file}: "${key}" absent, using ${v}`);
    return v;
  }
  function prob(key: string, fallback: number): number {
    const v = raw[key] ?? fallback;
    if (typeof v !== 'number' || !(v >= 0 && v < 1)) fail(file, key, `"${key}" must be in [0, 1), got ${JSON.stringify(v)}`);
    return v;
  }
  function positive(key: string, fallback: number): number {
    const v = raw[key] ?? fallback;
    if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) fail(file, key, `"${key}" must be a positive number`);
    return v;
  }

  const hidden = int(name('hidden_size', 'dim'));
  const heads = int(name('num_attention_heads', 'n_heads'));
  if (hidden % heads !== 0) {
    fail(file, name('hidden_size', 'dim'), `hidden size ${hidden} is not a multiple of the number of attention heads ${heads}`);
  }
  const act = raw[name('hidden_act', 'activation')] ?? 'gelu';
  if (typeof act !== 'string' || !['gelu', 'gelu_new', 'gelu_pytorch_tanh', 'gelu_fast', 'relu', 'silu', 'swish'].includes(act)) {
    fail(file, name('hidden_act', 'activation'), `activation ${JSON.stringify(act)} is not supported`);
  }
  const classifierDropout = isDistil ? prob('seq_classif_dropout', 0.2) : raw.classifier_dropout == null ? null : prob('classifier_dropout', 0);

  const id2labelRaw = raw.id2label;
  let id2label: string[];
  if (id2labelRaw !== undefined && id2labelRaw !== null) {
    if (typeof id2labelRaw !== 'object' || Array.isArray(id2labelRaw)) fail(file, 'id2label', '"id2label" must be an object');
    const entries = Object.entries(id2labelRaw as Record<string, unknown>);
    id2label = new Array<string>(entries.length);
    for (const [k, v] of entries) {
      const i = Number(k);
      if (!Number.isSafeInteger(i) || i < 0 || i >= entries.length || typeof v !== 'string' || id2label[i] !== undefined) {
        fail(file, 'id2label', `"id2label" must map 0..${entries.length - 1} to label names; bad entry ${JSON.stringify(k)}`);
      }
      id2label[i] = v;
    }
  } else {
    const n = int('num_labels', 2);
    id2label = Array.from({ length: n }, (_, i) => `LABEL_${i}`);
  }
  if (typeof raw.num_labels === 'number' && raw.num_labels !== id2label.length) {
    fail(file, 'num_labels', `"num_labels" is ${raw.num_labels} but "id2label" has ${id2label.length} entries`);
  }

  const config: ModelConfig = {
    model_type: modelType,
    family,
    vocab_size: int('vocab_size'),
    hidden_size: hidden,
    num_hidden_layers: int(name('num_hidden_layers', 'n_layers')),
    num_attention_heads: heads,
    intermediate_size: int(name('intermediate_size', 'hidden_dim')),
    hidden_act: act as string,
    max_position_embeddings: int('max_position_embeddings', 512),
    type_vocab_size: isDistil ? 0 : int('type_vocab_size', 2),
    layer_norm_eps: isDistil ? 1e-12 : positive('layer_norm_eps', 1e-12),
    pad_token_id: int('pad_token_id', family === 'roberta' ? 1 : 0, 0),
    hidden_dropout_prob: prob(name('hidden_dropout_prob', 'dropout'), 0.1),
    attention_probs_dropout_prob: prob(name('attention_probs_dropout_prob', 'attention_dropout'), 0.1),
    classifier_dropout: classifierDropout,
    initializer_range: positive('initializer_range', 0.02),
    embedding_size: family === 'electra' ? int('embedding_size', hidden) : hidden,
    sinusoidal_pos_embds: isDistil && raw.sinusoidal_pos_embds === true,
    num_labels: id2label.length,
    id2label,
    architectures: Array.isArray(raw.architectures) ? raw.architectures.filter((a): a is string => typeof a === 'string') : [],
    tie_word_embeddings: raw.tie_word_embeddings !== false,
  };
  return { raw, config, notes };
}
