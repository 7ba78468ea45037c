// A rough estimate of training memory, set against what the device allows. Float32 throughout: weights, a gradient
// and two AdamW moments per trainable scalar, a starting copy (W₀) of each parameter that ever trains (the trainer
// keeps it for L2-SP and ‖ΔW‖), and activations kept for the backward pass, counted per encoder layer after
// Korthikanti et al. 2022 ("Reducing activation recomputation", s·b·h·(34 + 5·a·s/h) bytes in 16-bit), doubled for 32-bit.
import type { BackendName, BackendProbe } from '../../../protocol/messages';
import type { Task } from '../../../protocol/task';

const F32 = 4;
/** tfjs-wasm is wasm32: one address space of 4 GiB (RELIABILITY F4, M20). */
export const WASM_LIMIT_BYTES = 4 * 1024 ** 3;

export interface MemoryInputs {
  parameters: number;
  trainable: number;
  /** Scalars that train in some epoch (not under a freeze prefix). */
  everTrainable: number;
  largestTensor: number;
  layers: number;
  hidden: number;
  heads: number;
  vocab: number;
  labels: number;
  task: Task;
  batchSize: number;
  seqLength: number;
}

export interface MemoryEstimate {
  weights: number;
  gradients: number;
  optimizer: number;
  anchors: number;
  activations: number;
  total: number;
  /** The largest single buffer: a weight, the attention scores [B, heads, S, S] or the output logits. */
  largestBuffer: number;
}

export function estimateMemory(m: MemoryInputs): MemoryEstimate {
  const { batchSize: b, seqLength: s, hidden: h, heads: a } = m;
  const perLayer = 2 * s * b * h * (34 + (5 * a * s) / h);
  const outputs = m.task === 'seq-cls' ? b * m.labels : b * s * (m.task === 'mlm' ? m.vocab : m.labels);
  // Embeddings (sum, LayerNorm, dropout) and the head's logits with their softmax and gradient.
  const edges = F32 * (4 * b * s * h + 3 * outputs);
  const activations = m.trainable > 0 ? m.layers * perLayer + edges : 0;
  const weights = F32 * m.parameters;
  const gradients = F32 * m.trainable;
  const optimizer = 2 * F32 * m.trainable;
  const anchors = F32 * m.everTrainable;
  const largestBuffer = Math.max(F32 * m.largestTensor, F32 * b * a * s * s, F32 * outputs);
  return { weights, gradients, optimizer, anchors, activations, total: weights + gradients + optimizer + anchors + activations, largestBuffer };
}

export interface DeviceBudget {
  /** What the whole run may use, and where the number comes from. */
  limit: number | null;
  limitLabel: string;
  /** The largest single buffer allowed (WebGPU), if known. */
  bufferLimit: number | null;
}

/** The limits that matter on the backend in use. */
export function deviceBudget(backend: BackendName | null, probe: BackendProbe | null): DeviceBudget {
  const ram = probe?.deviceMemoryGb ? probe.deviceMemoryGb * 1024 ** 3 : null;
  const ramLabel = probe?.deviceMemoryGb ? `about ${probe.deviceMemoryGb} GB of device memory (as the browser reports it)` : '';
  if (backend === 'wasm') return { limit: WASM_LIMIT_BYTES, limitLabel: 'the 4 GiB of a wasm32 address space', bufferLimit: null };
  if (backend === 'webgpu') {
    const binding = probe?.limits?.maxStorageBufferBindingSize ?? null;
    return { limit: ram, limitLabel: ram !== null ? ramLabel : 'unknown (the browser does not say)', bufferLimit: binding };
  }
  return { limit: ram, limitLabel: ram !== null ? ramLabel : 'unknown (the browser does not say)', bufferLimit: null };
}
