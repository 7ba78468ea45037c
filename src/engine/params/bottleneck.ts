// Bottleneck adapters in a ParamStore, as the adapters library's Adapter makes them (methods/modeling.py, `adapters`
// 1.2.0, init_weights "bert", its default): every linear weight drawn from normal(0, 0.02) (init_bert_weights, a
// fixed 0.02 whatever the model's initializer_range), every bias zero, so that an untrained adapter adds
// up(act(down(x))) of about 1e-3 of x: near the identity. Where they go is the family's adapterSites, their names and
// shapes protocol/bottleneck.ts; the forward pass is models/common.ts residualNorm.
import { LayerwiseError } from '../../lib/errors';
import { createRng, streamId } from '../../lib/random';
import { activeSites, bottleneckShapes, nonLinearityOf, type AdapterSite } from '../../protocol/bottleneck';
import type { Task } from '../../protocol/task';
import type { AdaptersConfig, AdapterNonLinearity } from '../../protocol/train-config';
import type { ModelConfig } from '../../formats/hf-config';
import type { BottleneckForward, ModelFamily } from '../models/types';
import type { ParamStore } from './store';

/** The adapters of a model: their config, sites and what the forward pass reads (ForwardOptions.adapters). */
export interface BottleneckAdapters extends BottleneckForward {
  config: AdaptersConfig;
  nonLinearity: AdapterNonLinearity;
  /** The sites holding an adapter, in layer order. */
  placed: AdapterSite[];
}

/** init_bert_weights' standard deviation. */
export const ADAPTER_INIT_STD = 0.02;
const ADAPTER_STREAM = streamId('bottleneck');

export function bottleneckAdapters(config: AdaptersConfig, sites: readonly AdapterSite[]): BottleneckAdapters {
  const placed = activeSites(sites, config);
  const nonLinearity = nonLinearityOf(config);
  return { config: { ...config, nonLinearity }, kind: config.kind, nonLinearity, placed, sites: new Set(placed.map((s) => s.module)) };
}

/** normal(0, std) by Box–Muller from a seeded stream: the same values on every backend. */
function normalValues(size: number, std: number, seed: number, stream: number): Float32Array {
  const rng = createRng(seed, ADAPTER_STREAM, stream);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - rng.next()));
    const theta = 2 * Math.PI * rng.next();
    out[i] = std * r * Math.cos(theta);
    if (i + 1 < size) out[i + 1] = std * r * Math.sin(theta);
  }
  return out;
}

/**
 * Adds an adapter at every site of `adapters.kind` (params/bottleneck: Houlsby two per layer, Pfeiffer one), seeded:
 * parameter i's values from (seed, 'bottleneck', i). Refused for masked-LM training (ADAPTERS_TASK_UNSUPPORTED) and
 * where the model has adapters already (ADAPTERS_PRESENT).
 */
export function addBottleneckAdapters(store: ParamStore, model: { family: ModelFamily; config: ModelConfig; task: Task }, adapters: AdaptersConfig, seed: number): BottleneckAdapters {
  if (model.task === 'mlm') {
    throw new LayerwiseError('ADAPTERS_TASK_UNSUPPORTED', 'Bottleneck adapters train sequence and token classification here; masked-LM training updates the whole model.', { field: 'adapters' });
  }
  const result = bottleneckAdapters(adapters, model.family.adapterSites(model.config));
  const shapes = bottleneckShapes(result.placed, model.config.hidden_size, adapters);
  const present = shapes.find(([name]) => store.has(name));
  if (present !== undefined) {
    throw new LayerwiseError('ADAPTERS_PRESENT', `The model has bottleneck adapters already (${present[0]}): train them as they are (adapters null) or start from the model without them.`, { tensor: present[0], field: 'adapters' });
  }
  const added: string[] = [];
  try {
    shapes.forEach(([name, shape], i) => {
      const size = shape.reduce((a, b) => a * b, 1);
      const data = name.endsWith('.bias') ? new Float32Array(size) : normalValues(size, ADAPTER_INIT_STD, seed, i);
      store.add(name, { shape, data });
      added.push(name);
    });
  } catch (err) {
    store.remove(added);
    throw err;
  }
  return result;
}
