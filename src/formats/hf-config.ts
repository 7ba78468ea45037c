// config.json of a Hugging Face checkpoint: parsed as written (never rewritten) and one normalised view with
// BERT's field names, so that every model family reads the same fields. Which model_types exist and how each names
// its fields are the families' facts (engine/models, ModelFamily.normaliseConfig): this file reads the JSON, the
// fields every config shares (labels, architectures, tying) and typed fields for the family's normaliser.
import { LayerwiseError } from '../lib/errors';
import { parseJsonText } from './json-text';

/** The normalised view. Field names are BERT's (transformers' BertConfig). */
export interface ModelConfig {
  model_type: string;
  /** The model family whose module computes model_type (ModelFamily.name). */
  family: string;
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

/** What a family's normaliser fills in: everything but model_type, family and the fields every config shares. */
export type FamilyFields = Omit<ModelConfig, 'model_type' | 'family' | 'num_labels' | 'id2label' | 'architectures' | 'tie_word_embeddings'>;

/**
 * Typed fields of one config.json under the family's own names. A field that is absent takes its fallback and is
 * noted; a bad one is CONFIG_INVALID_FIELD naming it.
 */
export interface ConfigReader {
  /** config.json as written. */
  readonly raw: Readonly<Record<string, unknown>>;
  /** An integer >= min (1 by default); required when there is no fallback. */
  int(key: string, fallback?: number, min?: number): number;
  /** A size: an integer from 1 to CONFIG_LIMITS[limit] (a larger one is CONFIG_TOO_LARGE); required when there is no fallback. */
  size(key: string, limit: keyof typeof CONFIG_LIMITS, fallback?: number): number;
  /** A probability in [0, 1). */
  prob(key: string, fallback: number): number;
  /** A finite number > 0. */
  positive(key: string, fallback: number): number;
  /** The hidden width and the number of attention heads, the width a multiple of the heads (both required). */
  widthAndHeads(widthKey: string, headsKey: string): { width: number; heads: number };
  /** An activation the engine computes; gelu when absent. */
  activation(key: string): string;
}

/** A family as the config reader sees it (ModelFamily has these members). */
export interface ConfigFamily {
  readonly name: string;
  /** config.json in the family's field names -> the BERT-named fields. */
  normaliseConfig(read: ConfigReader): FamilyFields;
}

export interface ParsedConfig {
  /** config.json exactly as written. */
  raw: Record<string, unknown>;
  config: ModelConfig;
  /** Normalisations applied while reading (a BOM, defaults filled in), for the loader report. */
  notes: string[];
}

/**
 * The largest sizes this studio builds a model of, checked before any shape is listed or any tensor allocated
 * (issue #15 item 7: num_hidden_layers 1e9 ran out of heap while the shapes were listed). Far above any published
 * encoder (XLM-R XXL: 48 layers of width 4096 and 16384, 250,002 tokens, 514 positions), far below memory trouble.
 */
export const CONFIG_LIMITS = {
  layers: 256,
  width: 16_384,
  intermediate: 65_536,
  vocabulary: 4_194_304,
  positions: 65_536,
  tokenTypes: 1_024,
  /** As many classes as a run may have (engine/data/encode.ts MAX_CLASSES). */
  labels: 10_000,
} as const;

const LIMIT_NOTES: Record<keyof typeof CONFIG_LIMITS, string> = {
  layers: 'the deepest published encoders have 48 layers',
  width: 'the widest published encoders are 4,096 wide',
  intermediate: 'the widest published feed-forward layers are 16,384 wide',
  vocabulary: 'the largest published vocabularies have about 250,000 tokens',
  positions: 'published encoders have at most 8,192 positions',
  tokenTypes: 'published encoders have at most a few token types',
  labels: 'a classification head of this studio has at most 10,000 classes',
};

const ACTIVATIONS = ['gelu', 'gelu_new', 'gelu_pytorch_tanh', 'gelu_fast', 'relu', 'silu', 'swish'];

function fail(file: string, field: string, message: string): never {
  throw new LayerwiseError('CONFIG_INVALID_FIELD', `${file}: ${message}`, { file, field });
}

function configReader(raw: Record<string, unknown>, file: string, notes: string[]): ConfigReader {
  function int(key: string, fallback?: number, min = 1): number {
    const v = raw[key] ?? fallback;
    if (v === undefined) fail(file, key, `missing required field "${key}"`);
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
      fail(file, key, `"${key}" must be an integer >= ${min}, got ${JSON.stringify(v)}`);
    }
    if (raw[key] === undefined) notes.push(`${file}: "${key}" absent, using ${v}`);
    return v;
  }
  function size(key: string, limit: keyof typeof CONFIG_LIMITS, fallback?: number): number {
    const v = int(key, fallback);
    const max = CONFIG_LIMITS[limit];
    if (v > max) {
      throw new LayerwiseError(
        'CONFIG_TOO_LARGE',
        `${file}: "${key}" is ${v.toLocaleString('en-US')}, more than the ${max.toLocaleString('en-US')} this studio builds a model of (${LIMIT_NOTES[limit]})`,
        { file, field: key },
      );
    }
    return v;
  }
  return {
    raw,
    int,
    size,
    prob(key, fallback) {
      const v = raw[key] ?? fallback;
      if (typeof v !== 'number' || !(v >= 0 && v < 1)) fail(file, key, `"${key}" must be in [0, 1), got ${JSON.stringify(v)}`);
      return v;
    },
    positive(key, fallback) {
      const v = raw[key] ?? fallback;
      if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) fail(file, key, `"${key}" must be a positive number`);
      return v;
    },
    widthAndHeads(widthKey, headsKey) {
      const width = size(widthKey, 'width');
      const heads = int(headsKey);
      if (width % heads !== 0) fail(file, widthKey, `hidden size ${width} is not a multiple of the number of attention heads ${heads}`);
      return { width, heads };
    },
    activation(key) {
      const act = raw[key] ?? 'gelu';
      if (typeof act !== 'string' || !ACTIVATIONS.includes(act)) fail(file, key, `activation ${JSON.stringify(act)} is not supported`);
      return act;
    },
  };
}

/** id2label as a list (LABEL_i for num_labels, default 2, where the config has none), checked against num_labels. */
function labelsOf(read: ConfigReader, file: string): string[] {
  const { raw } = read;
  const id2labelRaw = raw.id2label;
  let id2label: string[];
  if (id2labelRaw !== undefined && id2labelRaw !== null) {
    if (typeof id2labelRaw !== 'object' || Array.isArray(id2labelRaw)) fail(file, 'id2label', '"id2label" must be an object');
    const entries = Object.entries(id2labelRaw as Record<string, unknown>);
    if (entries.length > CONFIG_LIMITS.labels) {
      throw new LayerwiseError('CONFIG_TOO_LARGE', `${file}: "id2label" has ${entries.length.toLocaleString('en-US')} classes, more than the ${CONFIG_LIMITS.labels.toLocaleString('en-US')} of a classification head of this studio`, { file, field: 'id2label' });
    }
    id2label = new Array<string>(entries.length);
    for (const [k, v] of entries) {
      const i = Number(k);
      if (!Number.isSafeInteger(i) || i < 0 || i >= entries.length || typeof v !== 'string' || id2label[i] !== undefined) {
        fail(file, 'id2label', `"id2label" must map 0..${entries.length - 1} to label names; bad entry ${JSON.stringify(k)}`);
      }
      id2label[i] = v;
    }
  } else {
    const n = read.size('num_labels', 'labels', 2);
    id2label = Array.from({ length: n }, (_, i) => `LABEL_${i}`);
  }
  // Two ids with one name cannot both be told apart from the data's labels (a label would map to one of them only).
  const first = new Map<string, number>();
  id2label.forEach((label, i) => {
    const j = first.get(label);
    if (j !== undefined) {
      throw new LayerwiseError('CONFIG_DUPLICATE_LABELS', `${file}: "id2label" names ids ${j} and ${i} both ${JSON.stringify(label)}: give every class a name of its own`, { file, field: 'id2label' });
    }
    first.set(label, i);
  });
  if (typeof raw.num_labels === 'number' && raw.num_labels !== id2label.length) {
    fail(file, 'num_labels', `"num_labels" is ${raw.num_labels} but "id2label" has ${id2label.length} entries`);
  }
  return id2label;
}

/** A model_type for a config.json that has none (older BERT checkpoints), with the reason; null when nothing tells. */
export type ModelTypeGuess = (raw: Readonly<Record<string, unknown>>) => { modelType: string; reason: string } | null;

/**
 * Reads config.json with the family that `families` names for its model_type (in the order of the supported list
 * that an unknown model_type is told). Without a model_type, `guess` may name one (noted); else the error says
 * which field to add.
 */
export function parseHfConfig(text: string, file: string, families: ReadonlyMap<string, ConfigFamily>, guess?: ModelTypeGuess): ParsedConfig {
  const { value, hadBom } = parseJsonText(text, file, 'CONFIG_INVALID_JSON');
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new LayerwiseError('CONFIG_NOT_OBJECT', `${file} must hold a JSON object`, { file });
  }
  const raw = value as Record<string, unknown>;
  const notes: string[] = hadBom ? [`${file}: removed a UTF-8 byte-order mark`] : [];
  let modelType = raw.model_type;
  if (modelType === undefined) {
    const guessed = guess?.(raw) ?? null;
    if (guessed === null) {
      throw new LayerwiseError(
        'CONFIG_MODEL_TYPE_MISSING',
        `${file} has no "model_type", and neither its "architectures" nor the weights' tensor names tell the model family: add "model_type": "bert" (or ${[...families.keys()].filter((t) => t !== 'bert').join(', ')}) to ${file}`,
        { file, field: 'model_type' },
      );
    }
    modelType = guessed.modelType;
    notes.push(`${file} has no "model_type": read as ${modelType} (${guessed.reason})`);
  }
  const family = typeof modelType === 'string' ? families.get(modelType) : undefined;
  if (typeof modelType !== 'string' || family === undefined) {
    const what = typeof modelType === 'string' ? `model_type \`${modelType}\`` : 'a config without model_type';
    throw new LayerwiseError(
      'CONFIG_UNSUPPORTED_MODEL_TYPE',
      `${what} is not supported by this studio (supported: ${[...families.keys()].join(', ')})`,
      { file, field: 'model_type' },
    );
  }
  const read = configReader(raw, file, notes);
  const id2label = labelsOf(read, file);
  const config: ModelConfig = {
    model_type: modelType,
    family: family.name,
    ...family.normaliseConfig(read),
    num_labels: id2label.length,
    id2label,
    architectures: Array.isArray(raw.architectures) ? raw.architectures.filter((a): a is string => typeof a === 'string') : [],
    tie_word_embeddings: raw.tie_word_embeddings !== false,
  };
  return { raw, config, notes };
}
