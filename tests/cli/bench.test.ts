// `layerwise bench` end to end as a user runs it (bin/layerwise.mjs in a child process): one quick step of the mini
// model on wasm without PyTorch, the JSON line's fields, and a bad option as a coded error. Speed is not tested:
// a benchmark never fails because a machine is slow.
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { layerwise as run } from './run-cli';

const layerwise = (...args: string[]) => run('bench', ...args);

describe('layerwise bench', () => {
  it('times one training step of mini on wasm and prints one JSON line', async () => {
    const r = await layerwise('--backend', 'wasm', '--steps', '1', '--warmup', '0', '--no-torch', '--json');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]);
    expect(line).toMatchObject({ model: 'mini', backend: 'wasm', fast_paths: true, torch_tokens_per_s: null, ratio: null, steps: 1, warmup: 0 });
    // 4 layers, hidden 256, FFN 1024, vocabulary 8192, 512 positions, 2 token types, pooler, 2 labels: by hand.
    const h = 256;
    const layer = 4 * (h * h + h) + 2 * (h * 1024) + 1024 + h + 4 * h;
    expect(line.parameters).toBe((8192 + 512 + 2) * h + 2 * h + 4 * layer + (h * h + h) + (2 * h + 2));
    for (const key of ['tokens_per_s', 'ms_per_step', 'infer_ms_b1', 'infer_ms_b8', 'peak_tensor_bytes', 'backend_bytes', 'peak_rss_bytes']) {
      expect(line[key], key).toBeGreaterThan(0);
    }
    expect(line.tokens_per_s).toBeCloseTo((8 * 128) / (line.ms_per_step / 1000), 6);
    // The memory planner's peak beside the measured one (distinct buffers), within its 25%.
    expect(line).toMatchObject({ method: 'full', batch: 8, micro_batch: 8, micro_batches: 1, trainable_parameters: line.parameters });
    expect(Math.abs(line.planned_peak_bytes / line.peak_buffer_bytes - 1)).toBeLessThanOrEqual(0.25);
    expect(line.peak_heap_bytes).toBeGreaterThan(0.99 * line.peak_buffer_bytes); // the batch's own tensors, made before the watch, aside
    expect(Number.isFinite(line.first_loss)).toBe(true);
    expect(line.machine.cpus).toBeGreaterThan(0);
    // tfjs alone would give Node one thread (src/cli/wasm-threads.ts): one per core, as PyTorch uses.
    expect(line.threads).toBe(availableParallelism());
    // The engine's wasm product: as many threads, and relaxed SIMD's fused multiply-add (node-backend.ts turns it on
    // in Node 20).
    expect(line.gemm).toEqual({ threads: availableParallelism(), fma: true });
  }, 120_000);

  it('rejects an unknown model with a coded error', async () => {
    const r = await layerwise('--model', 'large', '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error.code).toBe('CLI_BAD_ARGUMENT');
  });
});
