// LoRA adapters in a ParamStore, as PEFT's lora.Linear makes and merges them (peft/tuners/lora/layer.py): A [r, in]
// drawn Kaiming-uniform with a = √5 (nn.Linear's default init: U(−1/√in, 1/√in)), B [out, r] zeros, so that an
// untrained adapter changes nothing; merging writes W + scaling · B·A. Which layers get one is protocol/lora.ts.
import { LayerwiseError } from '../../lib/errors';
import { createRng, streamId } from '../../lib/random';
import { headModules, isAdapterName, loraAName, loraBName, loraModules, type LoraModule } from '../../protocol/lora';
import type { Task } from '../../protocol/task';
import type { LoraConfig } from '../../protocol/train-config';
import type { ModelConfig } from '../../formats/hf-config';
import type { ModelFamily } from '../models/types';
import type { ParamStore } from './store';

/** The adapters of a model: where they are, their scales (ForwardOptions.lora), and the head PEFT saves whole. */
export interface LoraAdapters {
  config: LoraConfig;
  modules: LoraModule[];
  /** Layer -> alpha / r, for ForwardOptions.lora. */
  scaling: ReadonlyMap<string, number>;
  /** ForwardOptions.lora.dropout. */
  dropout: number;
  /** PEFT's modules_to_save: the head's outermost modules ("classifier", "bert.pooler"). */
  modulesToSave: string[];
}

const LORA_STREAM = streamId('lora');

export function loraAdapters(config: LoraConfig, modules: LoraModule[], modulesToSave: string[]): LoraAdapters {
  return { config, modules, scaling: new Map(modules.map((m) => [m.module, m.scaling])), dropout: config.dropout, modulesToSave };
}

/** The model's head as the family names it: the parameters at depth L + 1 (pooler and task head). */
export function headOf(family: ModelFamily, config: ModelConfig): (name: string) => boolean {
  return (name) => family.depthOf(name, config) > config.num_hidden_layers;
}

/**
 * Adds an adapter to every linear layer `lora` targets (protocol/lora.ts loraModules), seeded: module i's A from
 * (seed, 'lora', i). LoRA trains a classification head; a masked-LM head (tied to the word embeddings, which LoRA
 * freezes) is refused with LORA_TASK_UNSUPPORTED.
 */
export function addLoraAdapters(store: ParamStore, model: { family: ModelFamily; config: ModelConfig; task: Task }, lora: LoraConfig, seed: number): LoraAdapters {
  if (model.task === 'mlm') {
    throw new LayerwiseError('LORA_TASK_UNSUPPORTED', 'LoRA trains sequence and token classification here; masked-LM training updates the whole model.', { field: 'lora' });
  }
  const isHead = headOf(model.family, model.config);
  const names = store.names();
  const modules = loraModules(names.map((name) => ({ name, shape: store.shape(name) })), lora, isHead);
  const added: string[] = [];
  try {
    modules.forEach((m, i) => {
      const rng = createRng(seed, LORA_STREAM, i);
      const bound = 1 / Math.sqrt(m.inFeatures);
      const a = new Float32Array(m.r * m.inFeatures);
      for (let k = 0; k < a.length; k++) a[k] = (2 * rng.next() - 1) * bound;
      store.add(loraAName(m.module), { shape: [m.r, m.inFeatures], data: a });
      added.push(loraAName(m.module));
      store.add(loraBName(m.module), { shape: [m.outFeatures, m.r], data: new Float32Array(m.outFeatures * m.r) });
      added.push(loraBName(m.module));
    });
  } catch (err) {
    store.remove(added);
    throw err;
  }
  return loraAdapters(lora, modules, headModules(names, isHead));
}

/** W + scaling · B·A in float64, rounded once to float32: w [out·in], a [r·in], b [out·r], row-major. */
export function mergeLinear(w: Float32Array, a: Float32Array, b: Float32Array, m: LoraModule): Float32Array {
  const { r, inFeatures: n, outFeatures: out } = m;
  if (w.length !== out * n || a.length !== r * n || b.length !== out * r) {
    throw new LayerwiseError('LORA_SHAPE_MISMATCH', `the adapter of ${m.module} does not fit its layer [${out}, ${n}] at rank ${r}`, { tensor: m.module });
  }
  const merged = new Float32Array(w.length);
  const row = new Float64Array(n);
  for (let o = 0; o < out; o++) {
    row.fill(0);
    for (let k = 0; k < r; k++) {
      const bk = b[o * r + k];
      if (bk === 0) continue;
      const ak = k * n;
      for (let j = 0; j < n; j++) row[j] += bk * a[ak + j];
    }
    for (let j = 0; j < n; j++) merged[o * n + j] = w[o * n + j] + m.scaling * row[j];
  }
  return merged;
}

/** The model's weights without its adapters, each adapted layer merged: every other tensor as it is, bit for bit. */
export function mergedWeights(values: ReadonlyMap<string, Float32Array>, adapters: LoraAdapters): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const [name, data] of values) if (!isAdapterName(name)) out.set(name, data);
  for (const m of adapters.modules) {
    const get = (name: string) => {
      const v = values.get(name);
      if (v === undefined) throw new LayerwiseError('LORA_MISSING_TENSOR', `the model has no ${name}`, { tensor: name });
      return v;
    };
    out.set(`${m.module}.weight`, mergeLinear(get(`${m.module}.weight`), get(loraAName(m.module)), get(loraBName(m.module)), m));
  }
  return out;
}
