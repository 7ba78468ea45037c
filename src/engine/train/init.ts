// A model of a checkpoint folder's architecture trained from scratch: every parameter set as transformers'
// _init_weights does (normal(0, initializer_range) for Linear and Embedding weights with the padding_idx row zeroed,
// zeros for biases, ones for LayerNorm weights; family.initKind; DistilBERT's sinusoidal position table), seeded. The folder needs config.json and a
// tokenizer; weights in it are not read.
import * as tf from '@tensorflow/tfjs-core';
import { LayerwiseError } from '../../lib/errors';
import { hashSeed, streamId } from '../../lib/random';
import { parseHfConfig, type ModelConfig } from '../../formats/hf-config';
import type { SourceFolder } from '../../formats/source-file';
import { loadTokenizer } from '../../formats/tokenizer';
import type { Task } from '../../protocol/task';
import { utf8Text } from '../model-folder-files';
import type { LoadedModel, LoaderMessage } from '../load';
import { getModelFamily, type ModelFamily } from '../models/index';
import { ParamStore } from '../params/store';

const INIT_STREAM = streamId('init');
const MAX_TF_SEED = 2147483646;

/** Embeddings built with padding_idx = pad_token_id, whose row transformers zeroes: word embeddings everywhere, RoBERTa's positions too. */
function paddingRow(name: string, config: ModelConfig): number | null {
  if (name.endsWith('.embeddings.word_embeddings.weight')) return config.pad_token_id;
  if (config.family === 'roberta' && name.endsWith('.embeddings.position_embeddings.weight')) return config.pad_token_id;
  return null;
}

/** DistilBERT's create_sinusoidal_embeddings: [n_pos, dim], sin on even columns, cos on odd, angle pos / 10000^(2⌊j/2⌋/dim). */
function sinusoidalTable(rows: number, dim: number): Float32Array {
  const out = new Float32Array(rows * dim);
  for (let pos = 0; pos < rows; pos++) {
    for (let j = 0; j < dim; j++) {
      const angle = pos / 10000 ** ((2 * Math.floor(j / 2)) / dim);
      out[pos * dim + j] = j % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
    }
  }
  return out;
}

/** Sets every parameter of the store to a fresh seeded initialisation (seed 0 works: seeds are hashed). */
export function initialiseParams(params: ParamStore, family: ModelFamily, config: ModelConfig, seed: number): void {
  params.names().forEach((name, i) => {
    const shape = params.shape(name);
    const kind = family.initKind(name);
    if (config.sinusoidal_pos_embds && name.endsWith('.embeddings.position_embeddings.weight')) {
      tf.tidy(() => params.assign(name, tf.tensor(sinusoidalTable(shape[0], shape[1]), shape, 'float32')));
      return;
    }
    tf.tidy(() => {
      let value: tf.Tensor =
        kind === 'zeros'
          ? tf.zeros(shape)
          : kind === 'ones'
            ? tf.ones(shape)
            : tf.randomNormal(shape, 0, config.initializer_range, 'float32', (hashSeed(seed, INIT_STREAM, i) % MAX_TF_SEED) + 1);
      const pad = kind === 'normal' ? paddingRow(name, config) : null;
      if (pad !== null && pad >= 0 && pad < shape[0]) {
        // A host-side row mask: tfjs-backend-wasm's OneHot writes float32 ones as the integer bit pattern 1.
        const keep = new Float32Array(shape[0]).fill(1);
        keep[pad] = 0;
        value = tf.mul(value, tf.tensor2d(keep, [shape[0], 1]));
      }
      params.assign(name, value);
    });
  });
}

/**
 * The folder's architecture for `task`, freshly initialised: config.json (with `labels` as id2label for a
 * classification head) and the tokenizer are read; weights are not.
 */
export async function randomModel(folder: SourceFolder, opts: { task: Task; labels?: readonly string[]; seed: number }): Promise<LoadedModel> {
  const configFile = folder.get('config.json');
  if (!configFile) throw new LayerwiseError('CHECKPOINT_NO_CONFIG', 'the folder has no config.json', { file: 'config.json' });
  const parsed = parseHfConfig(await utf8Text(configFile), 'config.json');
  const messages: LoaderMessage[] = parsed.notes.map((n) => ({ level: 'info', code: 'CONFIG_NORMALISED', message: n }));
  let config = parsed.config;
  if (opts.task !== 'mlm' && opts.labels !== undefined && opts.labels.length > 0) {
    config = { ...config, id2label: [...opts.labels], num_labels: opts.labels.length };
  }
  const family = getModelFamily(config);
  const tok = await loadTokenizer(folder);
  messages.push(...tok.messages);
  if (tok.tokenizer.vocabSize > config.vocab_size) {
    throw new LayerwiseError(
      'CHECKPOINT_VOCAB_MISMATCH',
      `the tokenizer has ${tok.tokenizer.vocabSize} tokens, config.json vocab_size is ${config.vocab_size}: ids would index past the embedding`,
      { file: 'config.json', field: 'vocab_size' },
    );
  }
  const shapes = family.parameterShapes(config, opts.task);
  const params = ParamStore.fromValues(
    [...shapes].map(([name, shape]) => [name, { shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) }] as const),
  );
  try {
    initialiseParams(params, family, config, opts.seed);
  } catch (err) {
    params.dispose();
    throw err;
  }
  messages.push({ level: 'info', code: 'MODEL_INITIALISED', message: `every parameter freshly initialised (seed ${opts.seed}); weights in the folder are not read` });
  return {
    config,
    rawConfig: parsed.raw,
    task: opts.task,
    family,
    params,
    tokenizer: tok.tokenizer,
    tokenizerFiles: tok.files,
    messages,
    parameterCount: params.parameterCount(),
    nonFinite: new Map(),
  };
}
