// Which tfjs backend to try first, and why, from what the browser offers (pure, so tests need no browser).
// Order: WebGPU on a real GPU; WASM when the only adapter is a software one (SwiftShader is slower than WASM
// for these models); CPU last. Measurements behind the order: /work/shared DESIGN.md "Facts measured".
import type { BackendName, BackendProbe } from '../protocol/messages';

export interface BackendCandidate {
  backend: BackendName;
  /** Why this backend, if it is the one that starts. */
  reason: string;
}

/** A software adapter: flagged as fallback by the browser, or SwiftShader by name (older Chromium flags neither). */
export function isSoftwareAdapter(adapter: NonNullable<BackendProbe['adapter']>): boolean {
  return adapter.isFallbackAdapter || /swiftshader/i.test(`${adapter.architecture} ${adapter.description}`);
}

export function describeAdapter(adapter: NonNullable<BackendProbe['adapter']>): string {
  const name = [adapter.vendor, adapter.architecture].filter((s) => s !== '').join(' ');
  return name !== '' ? name : adapter.description !== '' ? adapter.description : 'unnamed adapter';
}

/** Backends to try in order, each with the reason to give if it is the first to start. */
export function planBackends(probe: BackendProbe): BackendCandidate[] {
  if (probe.adapter && !isSoftwareAdapter(probe.adapter)) {
    const gpu = describeAdapter(probe.adapter);
    return [
      { backend: 'webgpu', reason: `WebGPU on ${gpu}.` },
      { backend: 'wasm', reason: `WebGPU on ${gpu} failed to start, so the engine uses WASM.` },
      { backend: 'cpu', reason: 'Neither WebGPU nor WASM started, so the engine uses the plain JavaScript CPU backend.' },
    ];
  }
  if (probe.adapter) {
    const gpu = describeAdapter(probe.adapter);
    return [
      { backend: 'wasm', reason: `The only WebGPU adapter is a software one (${gpu}); WASM is faster here.` },
      { backend: 'webgpu', reason: `WASM failed to start, so the engine uses WebGPU on the software adapter ${gpu}.` },
      { backend: 'cpu', reason: 'Neither WASM nor WebGPU started, so the engine uses the plain JavaScript CPU backend.' },
    ];
  }
  const why = probe.webgpuApi ? 'The browser returned no WebGPU adapter' : 'This browser has no WebGPU';
  return [
    { backend: 'wasm', reason: `${why}, so the engine uses WASM.` },
    { backend: 'cpu', reason: `${why} and WASM failed to start, so the engine uses the plain JavaScript CPU backend.` },
  ];
}

/**
 * What WASM trains at, per core the browser reports, for a 4-layer model of hidden size 256 like the built-in one:
 * 1,400 to 1,770 tokens/s in Chromium's worker on 2 cores (docs/PERFORMANCE.md, "Results"). BERT-base, fully
 * fine-tuned with gradient checkpointing as its memory needs, ran 108 tokens/s on the same 2 cores: 15 times fewer
 * (docs/PERFORMANCE.md, "Base-sized fine-tuning").
 */
const WASM_TOKENS_PER_CORE = 800;
const BASE_COST = 15;
/** A BERT-base step on an H100 through tfjs-webgpu's plain ops (/work/shared DESIGN.md "Facts measured"). */
const WEBGPU_BASE_TOKENS = 2_600;

/**
 * The expected slowdown without a GPU (RELIABILITY F1), as an estimate from the measured figures above for this
 * browser's cores: one when the page is not cross-origin isolated (WASM then runs on one thread).
 */
export function slowdownEstimate(probe: BackendProbe): string {
  const cores = probe.crossOriginIsolated ? Math.max(1, Math.min(probe.hardwareConcurrency, 16)) : 1;
  const base = Math.round((WASM_TOKENS_PER_CORE * cores) / BASE_COST);
  const round = (n: number) => (n >= 1000 ? `${Math.round(n / 100) / 10}k` : String(n));
  return (
    `Without a GPU, training is slower: an estimate for ${cores} ${cores === 1 ? 'core' : 'cores'} is about ${round(WASM_TOKENS_PER_CORE * cores)} tokens/s ` +
    `for a small model like the built-in one and ${round(base)} tokens/s for BERT-base, about ${Math.max(2, Math.round(WEBGPU_BASE_TOKENS / base))} times slower than WebGPU on a fast GPU.`
  );
}

/** Notices about the running backend that the user can act on (serve the headers, pick another backend). */
export function backendNotices(backend: BackendName, probe: BackendProbe): string[] {
  const notices: string[] = [];
  const realGpu = probe.adapter !== null && !isSoftwareAdapter(probe.adapter);
  if (backend === 'wasm' && !realGpu) notices.push(slowdownEstimate(probe));
  if (backend === 'wasm' && !probe.crossOriginIsolated) {
    notices.push('The page is not cross-origin isolated (COOP/COEP headers missing), so WASM runs on one thread.');
  }
  if (backend === 'webgpu' && probe.adapter && isSoftwareAdapter(probe.adapter)) {
    notices.push('WebGPU runs on a software adapter (no GPU): exact, but slower than WASM.');
  }
  if (backend === 'cpu') {
    notices.push('The CPU backend is plain JavaScript: fine for tiny models, very slow for real ones.');
  }
  return notices;
}
