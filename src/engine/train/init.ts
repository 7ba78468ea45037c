// A model of a checkpoint folder's architecture trained from scratch: every parameter set as transformers'
// _init_weights does (normal(0, initializer_range) for Linear and Embedding weights with the padding_idx row zeroed,
// zeros for biases, ones for LayerNorm weights: family.initKind and family.paddingRow; fixed tables such as
// DistilBERT's sinusoidal positions: family.fixedInit), seeded. The folder needs config.json and a tokenizer;
// weights in it are not read.
import * as tf from '@tensorflow/tfjs-core';
import { LayerwiseError } from '../../lib/errors';
import { hashSeed, streamId } from '../../lib/random';
import type { ModelConfig } from '../../formats/hf-config';
import type { SourceFolder } from '../../formats/source-file';
import { loadTokenizer } from '../../formats/tokenizer';
import type { Task } from '../../protocol/task';
import type { HeadInit } from '../../protocol/train-config';
import { readModelConfig } from '../model-folder-files';
import { DEFAULT_MAX_TENSOR_BYTES, type LoadedModel, type LoaderMessage } from '../load';
import { getModelFamily, type ModelFamily } from '../models/index';
import { headInitTensor } from '../params/head-init';
import { ParamStore } from '../params/store';

const INIT_STREAM = streamId('init');
const MAX_TF_SEED = 2147483646;

/** Sets every parameter of the store to a fresh seeded initialisation (seed 0 works: seeds are hashed). */
export function initialiseParams(params: ParamStore, family: ModelFamily, config: ModelConfig, seed: number, head: { task: Task; init: HeadInit }): void {
  params.names().forEach((name, i) => {
    const shape = params.shape(name);
    const tfSeed = (hashSeed(seed, INIT_STREAM, i) % MAX_TF_SEED) + 1;
    if (family.isHeadParam(name, head.task)) {
      const chosen = headInitTensor(family, head.task, name, shape, head.init, tfSeed);
      if (chosen !== null) {
        params.assign(name, chosen);
        chosen.dispose();
        return;
      }
    }
    const kind = family.initKind(name);
    const fixed = family.fixedInit(name, shape, config);
    if (fixed !== null) {
      tf.tidy(() => params.assign(name, tf.tensor(fixed, shape, 'float32')));
      return;
    }
    tf.tidy(() => {
      let value: tf.Tensor =
        kind === 'zeros'
          ? tf.zeros(shape)
          : kind === 'ones'
            ? tf.ones(shape)
            : tf.randomNormal(shape, 0, config.initializer_range, 'float32', tfSeed);
      const pad = kind === 'normal' ? family.paddingRow(name, config) : null;
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

const bytesText = (n: number) => `${(n / 1024 ** 3).toFixed(1)} GiB`;

/**
 * The store for `shapes`, refused with a coded error before anything is allocated when a tensor is above the
 * loader's per-tensor limit (the wasm32 address space), and when the allocation itself fails (issue #15 item 7: a
 * huge vocabulary was an uncoded "Invalid typed array length").
 */
function allocate(shapes: ReadonlyMap<string, number[]>): ParamStore {
  const sizes = [...shapes].map(([name, shape]) => [name, shape, shape.reduce((a, b) => a * b, 1)] as const);
  const total = sizes.reduce((n, [, , size]) => n + 4 * size, 0);
  const tooLarge = sizes.filter(([, , size]) => 4 * size > DEFAULT_MAX_TENSOR_BYTES);
  if (tooLarge.length > 0) {
    const [name, shape, size] = tooLarge[0];
    throw new LayerwiseError(
      'CHECKPOINT_TENSOR_TOO_LARGE',
      `config.json makes ${name} [${shape.join(', ')}] ${bytesText(4 * size)} as float32, above the ${bytesText(DEFAULT_MAX_TENSOR_BYTES)} a tensor may take (the model would take ${bytesText(total)})`,
      { file: 'config.json', tensor: name },
    );
  }
  try {
    return ParamStore.fromValues(sizes.map(([name, shape, size]) => [name, { shape, data: new Float32Array(size) }] as const));
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    throw new LayerwiseError('MODEL_TOO_LARGE', `a model of this config.json takes ${bytesText(total)} as float32, more than this process could allocate (${err.message})`, { file: 'config.json' });
  }
}

/**
 * The folder's architecture for `task`, freshly initialised: config.json (with `labels` as id2label for a
 * classification head) and the tokenizer are read; weights are not.
 */
export async function randomModel(folder: SourceFolder, opts: { task: Task; labels?: readonly string[]; seed: number; headInit?: HeadInit }): Promise<LoadedModel> {
  const parsed = await readModelConfig(folder);
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
  const params = allocate(shapes);
  try {
    initialiseParams(params, family, config, opts.seed, { task: opts.task, init: opts.headInit ?? 'normal' });
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
