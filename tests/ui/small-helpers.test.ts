// Small pure helpers of the studio, each against hand-computed values: the config diff of the History panel,
// the entities of the playground, the memory plan of the Layers panel, and the usable config that
// the previews fall back to when a field is being typed.
import { describe, expect, it } from 'vitest';
import { DEFAULT_LORA, DEFAULT_TRAIN_CONFIG, type TrainConfig } from '../../src/protocol/train-config';
import { entitySegments } from '../../src/ui/features/evaluation/entity-spans';
import { diffConfigs, flattenConfig } from '../../src/ui/features/history/config-diff';
import { runMemoryPlan, secondsPerStep, withAdapters } from '../../src/ui/features/layers/memory';
import { proposalPatch } from '../../src/ui/features/layers/layer-controls';
import { benchConfig, BENCH_MODELS } from '../../src/engine/bench/train-bench';
import { getModelFamily } from '../../src/engine/models/index';
import type { ModelSummary } from '../../src/protocol/messages';
import { usableConfig } from '../../src/ui/store/config-draft';

describe('config diff', () => {
  it('flattens nested fields to dotted paths and compares lists and records whole', () => {
    const flat = flattenConfig({ a: 1, b: { c: 'x', d: [1, 2] }, lrMultipliers: { classifier: 2 } });
    expect([...flat]).toEqual([
      ['a', '1'],
      ['b.c', '"x"'],
      ['b.d', '[1,2]'],
      ['lrMultipliers', '{"classifier":2}'],
    ]);
  });

  it('lists exactly the fields that differ', () => {
    const a: TrainConfig = { ...DEFAULT_TRAIN_CONFIG };
    const b: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, learningRate: 1e-4, freeze: ['bert.embeddings'], schedule: { ...DEFAULT_TRAIN_CONFIG.schedule, type: 'cosine' } };
    const rows = diffConfigs(a, b).filter((r) => r.differs);
    expect(rows).toEqual([
      { path: 'learningRate', a: '0.00005', b: '0.0001', differs: true },
      { path: 'schedule.type', a: '"linear"', b: '"cosine"', differs: true },
      { path: 'freeze', a: '[]', b: '["bert.embeddings"]', differs: true },
    ]);
  });
});

describe('entities in the playground', () => {
  const w = (text: string, label: string) => ({ text, label, probability: 0.9 });

  it('joins B-/I- runs of words into entities and keeps two B- entities apart', () => {
    const words = [w('Mary', 'B-PER'), w('Smith', 'I-PER'), w('visited', 'O'), w('Paris', 'B-LOC'), w('London', 'B-LOC'), w('today', 'O'), w('.', 'O')];
    expect(entitySegments(words).map((s) => [s.entity, s.words.map((x) => x.text).join(' ')])).toEqual([
      ['PER', 'Mary Smith'],
      [null, 'visited'],
      ['LOC', 'Paris'],
      ['LOC', 'London'],
      [null, 'today .'],
    ]);
  });

  it('reads plain labels as entities of their own name, and an I- after O as a new entity', () => {
    expect(entitySegments([w('a', 'PER'), w('b', 'PER'), w('c', 'O'), w('d', 'I-LOC')]).map((s) => [s.entity, s.words.length])).toEqual([
      ['PER', 2],
      [null, 1],
      ['LOC', 1],
    ]);
  });
});

describe('memory plan of the Layers panel', () => {
  // A BERT-base-shaped summary: the planner's numbers for what the studio shows (protocol/memory-plan.ts has its own tests).
  const config = benchConfig(BENCH_MODELS.base);
  const family = getModelFamily(config);
  const parameters = [...family.parameterShapes(config, 'seq-cls')].map(([name, shape]) => ({ name, shape, depth: family.depthOf(name, config), nonFinite: 0 }));
  const model = { family: 'bert', num_hidden_layers: 12, hidden_size: 768, num_attention_heads: 12, intermediate_size: 3072, vocab_size: 30522, max_position_embeddings: 512 } as unknown as ModelSummary;

  it('adds LoRA adapters as parameters of their layers (tree nodes), and says when the targets name nothing', () => {
    const plain = withAdapters(parameters, DEFAULT_TRAIN_CONFIG, 12);
    expect(plain.parameters).toHaveLength(parameters.length);
    const lora = withAdapters(parameters, { ...DEFAULT_TRAIN_CONFIG, lora: { ...DEFAULT_LORA } }, 12);
    const added = lora.parameters.slice(parameters.length);
    expect(added).toHaveLength(48);
    expect(added[0]).toEqual({ name: 'bert.encoder.layer.0.attention.self.query.lora_A.weight', shape: [8, 768], depth: 1, nonFinite: 0 });
    expect(added[1]).toMatchObject({ name: 'bert.encoder.layer.0.attention.self.query.lora_B.weight', shape: [768, 8], depth: 1 });
    const bad = withAdapters(parameters, { ...DEFAULT_TRAIN_CONFIG, lora: { ...DEFAULT_LORA, targetModules: ['q_proj'] } }, 12);
    expect([bad.parameters.length, bad.error?.code]).toEqual([parameters.length, 'LORA_NO_TARGET']);
  });

  it('plans batch 16 × 128 on wasm (none chosen: the fallback) and proposes what fits', () => {
    const plan = runMemoryPlan(model, parameters, 2, { ...DEFAULT_TRAIN_CONFIG, batchSize: 16 }, null, null);
    expect(plan.limits).toMatchObject({ backend: 'wasm', budget: 0.85 * 4 * 1024 ** 3 });
    expect(plan.asked.fits).toBe(false);
    expect(plan.proposal?.fits).toBe(true);
    expect(proposalPatch(plan.proposal!, 16)).toEqual({ microBatchSize: plan.proposal!.microBatch < 16 ? plan.proposal!.microBatch : null, gradientCheckpointing: plan.proposal!.checkpointing, lora: null });
    const probe = { webgpuApi: true, adapter: null, crossOriginIsolated: true, hardwareConcurrency: 2, limits: { maxBufferSize: 1e9, maxStorageBufferBindingSize: 1.3e8 }, deviceMemoryGb: 8 };
    expect(runMemoryPlan(model, parameters, 2, DEFAULT_TRAIN_CONFIG, 'webgpu', probe).limits).toMatchObject({ budget: 4 * 1024 ** 3, maxBuffer: 1.3e8 });
  });

  it('times an option from the last run\'s measured step: examples per step and the ways\' relative costs', () => {
    const config = { ...DEFAULT_TRAIN_CONFIG, batchSize: 16 };
    const plan = runMemoryPlan(model, parameters, 2, config, null, null);
    const option = { ...plan.asked, microBatch: 4, checkpointing: true };
    expect(secondsPerStep(option, config, null)).toBeNull();
    // A step of 8 examples, whole and without checkpointing, took 2 s: 16 examples in passes of 4, checkpointed,
    // cost 2 × (16 / 8) × (1 + 0.04·log2(4)) × 4/3.
    const measured = { seconds: 2, examples: 8, microBatch: 16, checkpointing: false, lora: false };
    expect(secondsPerStep(option, config, measured)).toBeCloseTo(2 * 2 * 1.08 * (4 / 3), 10);
  });
});

describe('usable config', () => {
  it('keeps valid fields and puts defaults where a field is being typed or is wrong', () => {
    const draft = { ...DEFAULT_TRAIN_CONFIG, batchSize: 'abc', learningRate: 1e-3, schedule: { ...DEFAULT_TRAIN_CONFIG.schedule, warmupRatio: 2 } } as unknown as TrainConfig;
    const usable = usableConfig(draft);
    expect(usable.batchSize).toBe(DEFAULT_TRAIN_CONFIG.batchSize);
    expect(usable.learningRate).toBe(1e-3);
    expect(usable.schedule.warmupRatio).toBe(DEFAULT_TRAIN_CONFIG.schedule.warmupRatio);
  });

  it('resolves cross-field errors too (minLr not below the rate)', () => {
    const draft: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, learningRate: 1e-5, schedule: { ...DEFAULT_TRAIN_CONFIG.schedule, minLr: 1e-4 } };
    expect(usableConfig(draft).schedule.minLr).toBe(0);
  });
});
