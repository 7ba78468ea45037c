// Small pure helpers of the studio, each against hand-computed values: the config diff of the History panel,
// the entities of the playground, the memory estimate of the Layers panel, and the usable config that
// the previews fall back to when a field is being typed.
import { describe, expect, it } from 'vitest';
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from '../../src/protocol/train-config';
import { entitySegments } from '../../src/ui/features/evaluation/entity-spans';
import { diffConfigs, flattenConfig } from '../../src/ui/features/history/config-diff';
import { WASM_LIMIT_BYTES, deviceBudget, estimateMemory } from '../../src/ui/features/layers/memory';
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

describe('memory estimate', () => {
  it('adds weights, gradients, two moments, starting copies and activations, all float32', () => {
    const m = estimateMemory({ parameters: 1000, trainable: 100, everTrainable: 200, largestTensor: 500, layers: 2, hidden: 8, heads: 2, vocab: 50, labels: 3, task: 'seq-cls', batchSize: 4, seqLength: 16 });
    expect(m.weights).toBe(4000);
    expect(m.gradients).toBe(400);
    expect(m.optimizer).toBe(800);
    expect(m.anchors).toBe(800);
    // Per layer 2·s·b·h·(34 + 5·a·s/h) = 2·16·4·8·(34 + 20) = 55,296; edges 4·(4·4·16·8 + 3·4·3) = 8,336.
    expect(m.activations).toBe(2 * 55_296 + 8_336);
    expect(m.total).toBe(4000 + 400 + 800 + 800 + 2 * 55_296 + 8_336);
    // Attention scores [4, 2, 16, 16] float32 = 8,192 bytes beat the largest weight (2,000 bytes).
    expect(m.largestBuffer).toBe(8192);
    expect(estimateMemory({ parameters: 1000, trainable: 0, everTrainable: 0, largestTensor: 1, layers: 2, hidden: 8, heads: 2, vocab: 50, labels: 3, task: 'seq-cls', batchSize: 4, seqLength: 16 }).activations).toBe(0);
  });

  it('sets it against the 4 GiB of wasm32, or the GPU binding limit and device memory', () => {
    const probe = { webgpuApi: true, adapter: null, crossOriginIsolated: true, hardwareConcurrency: 2, limits: { maxBufferSize: 1e9, maxStorageBufferBindingSize: 1.3e8 }, deviceMemoryGb: 8 };
    expect(deviceBudget('wasm', probe).limit).toBe(WASM_LIMIT_BYTES);
    expect(deviceBudget('webgpu', probe)).toMatchObject({ limit: 8 * 1024 ** 3, bufferLimit: 1.3e8 });
    expect(deviceBudget('cpu', { ...probe, deviceMemoryGb: null }).limit).toBeNull();
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
