// Backend order and reasons from what the browser offers (src/worker/backend-choice.ts).
import { describe, expect, it } from 'vitest';
import type { BackendProbe } from '../../src/protocol/messages';
import { backendNotices, isSoftwareAdapter, planBackends, slowdownEstimate } from '../../src/worker/backend-choice';

const base: BackendProbe = { webgpuApi: true, adapter: null, crossOriginIsolated: true, hardwareConcurrency: 8 };
const nvidia = { vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H100', isFallbackAdapter: false };
// What headless Chromium with --enable-unsafe-webgpu reports here (DESIGN.md "Facts measured").
const swiftshader = { vendor: 'google', architecture: 'swiftshader', description: 'SwiftShader Device', isFallbackAdapter: true };

describe('planBackends', () => {
  it('puts WebGPU first on a real GPU and names the adapter', () => {
    const plan = planBackends({ ...base, adapter: nvidia });
    expect(plan.map((c) => c.backend)).toEqual(['webgpu', 'wasm', 'cpu']);
    expect(plan[0].reason).toContain('nvidia hopper');
  });

  it('prefers WASM when the only adapter is a software one, flagged or named SwiftShader', () => {
    expect(planBackends({ ...base, adapter: swiftshader }).map((c) => c.backend)).toEqual(['wasm', 'webgpu', 'cpu']);
    const unflagged = { ...swiftshader, isFallbackAdapter: false };
    expect(isSoftwareAdapter(unflagged)).toBe(true);
    expect(planBackends({ ...base, adapter: unflagged })[0]).toMatchObject({ backend: 'wasm', reason: expect.stringContaining('software') });
  });

  it('uses WASM then CPU without WebGPU, and says which case it was', () => {
    const noApi = planBackends({ ...base, webgpuApi: false });
    expect(noApi.map((c) => c.backend)).toEqual(['wasm', 'cpu']);
    expect(noApi[0].reason).toContain('no WebGPU');
    expect(planBackends(base)[0].reason).toContain('no WebGPU adapter');
  });
});

describe('backendNotices', () => {
  it('warns that WASM is single-threaded without cross-origin isolation (RELIABILITY X6)', () => {
    expect(backendNotices('wasm', { ...base, adapter: nvidia, crossOriginIsolated: false })).toEqual([expect.stringContaining('one thread')]);
    expect(backendNotices('wasm', { ...base, adapter: nvidia })).toEqual([]);
  });

  it('flags WebGPU on a software adapter and the slow CPU backend', () => {
    expect(backendNotices('webgpu', { ...base, adapter: swiftshader })).toEqual([expect.stringContaining('software adapter')]);
    expect(backendNotices('webgpu', { ...base, adapter: nvidia })).toEqual([]);
    expect(backendNotices('cpu', base)).toEqual([expect.stringContaining('plain JavaScript')]);
  });

  it('gives the expected slowdown on WASM without a GPU, from the measured figures, and none beside a real GPU (F1)', () => {
    // docs/PERFORMANCE.md: WASM in Chromium's worker trains the 4-layer, 256-wide model at 1,400-1,770 tokens/s on
    // 2 cores, and BERT-base (full, checkpointing) at 108 tokens/s on them, 15 times fewer; DESIGN.md: tfjs-webgpu
    // trains BERT-base at 2.6k tokens/s on an H100. On 8 cores: 6.4k and 6,400 / 15 = 427 tokens/s, 2,600 / 427 = 6
    // times slower.
    for (const probe of [{ ...base, webgpuApi: false }, base, { ...base, adapter: swiftshader }]) {
      expect(backendNotices('wasm', probe)).toEqual([slowdownEstimate(probe)]);
    }
    expect(slowdownEstimate({ ...base, hardwareConcurrency: 8 })).toBe(
      'Without a GPU, training is slower: an estimate for 8 cores is about 6.4k tokens/s for a small model like the built-in one and 427 tokens/s for BERT-base, about 6 times slower than WebGPU on a fast GPU.',
    );
    // Without cross-origin isolation WASM has one thread: 800 and 53 tokens/s, 49 times slower.
    expect(slowdownEstimate({ ...base, crossOriginIsolated: false })).toMatch(/for 1 core is about 800 tokens\/s .* and 53 tokens\/s for BERT-base, about 49 times slower/);
    expect(backendNotices('wasm', { ...base, adapter: nvidia })).toEqual([]);
  });
});
