// The planner's proposals and limits (protocol/memory-plan.ts; engine/train/memory.ts applies them), on a
// BERT-base-shaped model: batch 16 × 128 does not fit wasm's heap as asked, fits with checkpointing; a smaller budget
// takes micro-batches too; a budget nothing full-size fits gets LoRA proposed, which a run refuses to take by itself;
// WebGPU's buffer limit rules out a batch whose attention scores are one buffer too large; the browser's device memory.
import { describe, expect, it } from 'vitest';
import { benchConfig, BENCH_MODELS } from '../../src/engine/bench/train-bench';
import { getModelFamily } from '../../src/engine/models/index';
import { fitToMemory } from '../../src/engine/train/memory';
import { estimateStepMemory, memoryLimits, planMemory, stepTimeEstimate, type PlannerModel } from '../../src/protocol/memory-plan';
import { parseTrainConfig } from '../../src/protocol/train-config';
import type { LayerwiseError } from '../../src/lib/errors';

const GIB = 1024 ** 3;

function base(): PlannerModel {
  const config = benchConfig(BENCH_MODELS.base);
  const family = getModelFamily(config);
  return {
    params: [...family.parameterShapes(config, 'seq-cls')].map(([name, shape]) => ({ name, shape, depth: family.depthOf(name, config) })),
    structure: 'bert', layers: 12, hidden: 768, heads: 12, ffn: 3072, vocab: 30522, labels: 2,
  };
}

describe('planMemory', () => {
  const wasm = memoryLimits('wasm', null);

  it('wasm: base at 16 × 128 does not fit as asked; micro-batches (the same gradient) do', () => {
    expect(wasm.budget).toBe(0.85 * 4 * GIB);
    const config = parseTrainConfig({ batchSize: 16 });
    const plan = planMemory(base(), config, 128, wasm);
    expect(plan.asked.fits).toBe(false);
    expect(plan.asked.estimate.total).toBeGreaterThan(4 * GIB);
    const p = plan.proposal!;
    expect(p).toMatchObject({ lora: null, fits: true });
    expect(p.microBatch).toBeLessThan(16);
    expect(p.estimate.total).toBeLessThan(plan.asked.estimate.total * 0.6);
    expect(fitToMemory(plan, config)).toMatchObject({ microBatchSize: p.microBatch, gradientCheckpointing: p.checkpointing, batchSize: 16, gradAccumulation: 1 });
    // Checkpointing alone cuts the peak by more than 40% at the same batch.
    const same = { microBatch: 16, microBatches: 1, seq: 128 };
    const ratio = estimateStepMemory(base(), { ...config, gradientCheckpointing: true }, same, 'wasm').total / plan.asked.estimate.total;
    expect(ratio).toBeLessThan(0.6);
  });

  it('a tighter budget takes micro-batches and checkpointing together, and a run naming its own microBatchSize keeps it', () => {
    const config = parseTrainConfig({ batchSize: 16 });
    const plan = planMemory(base(), config, 128, memoryLimits('wasm', null, 2.54 * GIB));
    expect(plan.proposal).toMatchObject({ checkpointing: true, lora: null });
    expect(plan.proposal!.microBatch).toBeLessThan(16);
    expect(plan.proposal!.microBatches).toBe(Math.ceil(16 / plan.proposal!.microBatch));
    expect(plan.reason).toContain(`micro-batches of ${plan.proposal!.microBatch}`);
    expect(plan.reason).toContain('gradient checkpointing');
    const fitted = fitToMemory(plan, config);
    expect(fitted.microBatchSize).toBe(plan.proposal!.microBatch);
    expect(fitToMemory(plan, { ...config, microBatchSize: 16 }).microBatchSize).toBe(16);
  });

  it('proposes LoRA when full fine-tuning cannot fit at all, and a run stops instead of taking it', () => {
    const config = parseTrainConfig({ batchSize: 16 });
    const plan = planMemory(base(), config, 128, memoryLimits('wasm', null, 1.2 * GIB));
    expect(plan.proposal?.lora).toMatchObject({ r: 8, targetModules: ['query', 'value', 'q_lin', 'v_lin'] });
    expect(plan.proposal!.estimate.trainableParameters).toBeLessThan(0.01 * plan.proposal!.estimate.parameters);
    let err: LayerwiseError | null = null;
    try {
      fitToMemory(plan, config);
    } catch (e) {
      err = e as LayerwiseError;
    }
    expect([err?.code, err?.location?.field]).toEqual(['TRAIN_WONT_FIT', 'lora']);
    expect(planMemory(base(), config, 128, memoryLimits('wasm', null, 0.3 * GIB)).proposal).toBeNull();
  });

  it('WebGPU: the largest buffer counts against maxStorageBufferBindingSize', () => {
    const probe = { deviceMemoryGb: 8, limits: { maxBufferSize: 2 * GIB, maxStorageBufferBindingSize: 128 * 1024 ** 2 } };
    const limits = memoryLimits('webgpu', probe);
    expect([limits.budget, limits.maxBuffer]).toEqual([4 * GIB, 128 * 1024 ** 2]);
    // Scores of 16 × 12 × 512 × 512 floats are 192 MiB, one buffer: too large for a 128 MiB binding.
    const plan = planMemory(base(), parseTrainConfig({ batchSize: 16, lora: {}, gradientCheckpointing: true }), 512, limits);
    expect(plan.asked.estimate.largestBuffer).toBe(4 * 16 * 12 * 512 * 512);
    expect(plan.asked.estimate.largestBuffer).toBeGreaterThan(limits.maxBuffer!);
    expect(plan.asked.fits).toBe(false);
    expect(plan.proposal!.estimate.largestBuffer).toBeLessThanOrEqual(128 * 1024 ** 2);
    expect(plan.proposal!.microBatch).toBeLessThanOrEqual(10);
  });

  it('the device memory the browser reports caps wasm at half of it', () => {
    expect(memoryLimits('wasm', { deviceMemoryGb: 4 }).budget).toBe(2 * GIB);
    expect(memoryLimits('wasm', { deviceMemoryGb: 16 }).budget).toBe(0.85 * 4 * GIB);
  });

  it('LoRA and freezing shrink the gradient and optimizer terms to what trains', () => {
    const model = base();
    const pass = { microBatch: 4, microBatches: 4, seq: 128 };
    const full = estimateStepMemory(model, parseTrainConfig({}), pass, 'wasm');
    const lora = estimateStepMemory(model, parseTrainConfig({ lora: {} }), pass, 'wasm');
    const frozen = estimateStepMemory(model, parseTrainConfig({ freeze: ['bert.embeddings'] }), pass, 'wasm');
    expect(full.optimizer).toBe(8 * full.trainableParameters);
    expect(lora.trainableParameters).toBe(887042);
    expect(frozen.trainableParameters).toBe(full.trainableParameters - 23837184);
    expect(lora.total).toBeLessThan(full.total / 2);
  });

  it('scales a measured step to another option', () => {
    const plan = planMemory(base(), parseTrainConfig({ batchSize: 16 }), 128, wasm);
    const proposal = plan.proposal!;
    const ms = stepTimeEstimate(proposal, { msPerStep: 1000, tokens: 512, relativeTime: 1 }, 16 * 128);
    expect(ms).toBeCloseTo(4000 * proposal.relativeTime, 6);
    expect(proposal.relativeTime).toBeGreaterThan(1);
  });
});
