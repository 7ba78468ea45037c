// The memory planner (protocol/memory-plan.ts) against the memory a run really holds, run once per backend by
// memory-plan-<backend>.test.ts: small BERT and DistilBERT classifiers trained for two steps through the Trainer (W₀
// anchors and telemetry on, AdamW moments from step 1), the peak of distinct tensor buffers watched from before the
// model is built (engine/bench/memory-peak.ts); the estimate must be within 25% of it in every mode the planner
// knows — full fine-tuning, checkpointing, LoRA, both, micro-batches with accumulation.
import { describe, expect, it } from 'vitest';
import { watchMemory } from '../../../src/engine/bench/memory-peak';
import type { EncodedDataset } from '../../../src/engine/data/encode';
import { getModelFamily, parseModelConfig } from '../../../src/engine/models/index';
import { addLoraAdapters } from '../../../src/engine/params/lora';
import { ParamStore } from '../../../src/engine/params/store';
import { plannerModel } from '../../../src/engine/train/memory';
import { Trainer } from '../../../src/engine/train/trainer';
import { createRng } from '../../../src/lib/random';
import { estimateStepMemory, type PlannerBackend } from '../../../src/protocol/memory-plan';
import { parseTrainConfig } from '../../../src/protocol/train-config';

const SEQ = 32;
const VOCAB = 600;

function modelConfig(structure: 'bert' | 'distilbert') {
  const raw = structure === 'bert'
    ? { model_type: 'bert', vocab_size: VOCAB, hidden_size: 64, num_hidden_layers: 3, num_attention_heads: 4, intermediate_size: 160, num_labels: 2, max_position_embeddings: 64, architectures: ['BertForSequenceClassification'] }
    : { model_type: 'distilbert', vocab_size: VOCAB, dim: 64, n_layers: 3, n_heads: 4, hidden_dim: 160, num_labels: 2, max_position_embeddings: 64, architectures: ['DistilBertForSequenceClassification'] };
  return parseModelConfig(JSON.stringify(raw)).config;
}

/** n examples of exactly SEQ tokens (so that every batch is SEQ long, as the planner assumes of maxLength). */
function dataset(n: number): EncodedDataset {
  const rng = createRng(4);
  const examples = Array.from({ length: n }, (_, i) => ({ ids: Int32Array.from({ length: SEQ }, () => 5 + rng.int(VOCAB - 5)), typeIds: new Uint8Array(SEQ), label: i % 2 }));
  return {
    task: 'seq-cls', examples, source: examples.map((_, i) => i), label2id: new Map([['a', 0], ['b', 1]]), id2label: ['a', 'b'],
    maxLength: SEQ, truncated: 0, skipped: [], warnings: [], multiLabel: false, windows: null, tokenStats: { tokens: n * SEQ, lost: 0 },
  } as EncodedDataset;
}

interface Case {
  name: string;
  config: Record<string, unknown>;
}

const CASES: Case[] = [
  { name: 'full fine-tuning, batch 8', config: { batchSize: 8 } },
  { name: 'checkpointing, batch 8', config: { batchSize: 8, gradientCheckpointing: true } },
  { name: 'LoRA, batch 8', config: { batchSize: 8, lora: { r: 4 } } },
  { name: 'LoRA and checkpointing, batch 8', config: { batchSize: 8, lora: { r: 4 }, gradientCheckpointing: true } },
  { name: 'micro-batches of 2, batch 8', config: { batchSize: 8, microBatchSize: 2 } },
  { name: 'two batches of 4 accumulated', config: { batchSize: 4, gradAccumulation: 2 } },
];

async function measured(structure: 'bert' | 'distilbert', c: Case, backend: PlannerBackend): Promise<{ peak: number; estimate: number }> {
  const watch = watchMemory();
  const config = modelConfig(structure);
  const family = getModelFamily(config);
  const rng = createRng(2);
  const params = ParamStore.fromValues([...family.parameterShapes(config, 'seq-cls')].map(([name, shape]) => [name, { shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (rng.next() - 0.5) * 0.04) }] as const));
  const model = { family, config, task: 'seq-cls' as const, params };
  const run = parseTrainConfig({ epochs: 1, maxSteps: 2, maxLength: SEQ, validationSplit: 0, learningRate: 1e-3, ...c.config });
  const planned = plannerModel(model);
  const lora = run.lora === null ? null : addLoraAdapters(params, model, run.lora, 1);
  const trainer = new Trainer({ model: { ...model, lora }, train: dataset(16), validation: null, config: run, padId: 0 });
  for await (const e of trainer.run()) if (e.type === 'failed') throw new Error(e.error.message);
  trainer.dispose();
  params.dispose();
  const peak = watch.stop().peakBufferBytes;
  const micro = run.microBatchSize ?? run.batchSize;
  const estimate = estimateStepMemory(planned, run, { microBatch: micro, microBatches: Math.ceil(run.batchSize / micro) * run.gradAccumulation, seq: SEQ }, backend).total;
  return { peak, estimate };
}

export function describeMemoryPlan(backend: PlannerBackend): void {
  describe.each(['bert', 'distilbert'] as const)(`the memory planner on %s, ${backend}`, (structure) => {
    it.each(CASES)('$name: within 25% of the measured peak', async (c) => {
      const { peak, estimate } = await measured(structure, c, backend);
      console.log(`${backend} ${structure} ${c.name}: planned ${(estimate / 2 ** 20).toFixed(2)} MiB, measured ${(peak / 2 ** 20).toFixed(2)} MiB (${((estimate / peak - 1) * 100).toFixed(1)}%)`);
      expect(Math.abs(estimate / peak - 1)).toBeLessThanOrEqual(0.25);
    });
  });
}
