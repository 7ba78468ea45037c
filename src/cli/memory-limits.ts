// The memory a `layerwise train` run is planned against (protocol/memory-plan.ts): wasm's heap (85% of 4 GiB, at
// most half this machine's memory), half the machine's memory on cpu, WebGPU's defaults (Dawn does not say how much
// GPU memory there is).
import { totalmem } from 'node:os';
import type { BackendName } from '../engine/backend/backend';
import { memoryLimits, type MemoryLimits } from '../protocol/memory-plan';

export function cliMemoryLimits(backend: BackendName): MemoryLimits {
  const deviceMemoryGb = totalmem() / 1024 ** 3;
  if (backend === 'cpu') return memoryLimits('cpu', null, totalmem() / 2);
  return memoryLimits(backend, { deviceMemoryGb });
}
