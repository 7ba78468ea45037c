// The gradient check's report as plain data (issue #18), shared by the engine (engine/train/gradcheck.ts computes it),
// `layerwise gradcheck` (prints it) and the studio (the worker sends it, Configure shows it as a table per module).
export type GradModule = 'embeddings' | 'attention' | 'feed-forward' | 'LayerNorm' | 'head' | 'lora' | 'adapters';

export interface GradcheckOptions {
  /** Entries checked per parameter tensor: those with the largest gradients (fewer when the tensor is smaller). */
  samplesPerTensor: number;
  /** Central-difference step: (L(w + h) − L(w − h)) / 2h. */
  step: number;
  /** A module passes when its worst relative error is at most this. */
  threshold: number;
}

export const GRADCHECK_DEFAULTS: Readonly<GradcheckOptions> = { samplesPerTensor: 3, step: 1e-2, threshold: 5e-2 };

/** One checked entry: the parameter, the flat index, both gradients and their relative error. */
export interface GradEntry {
  name: string;
  index: number;
  analytic: number;
  numeric: number;
  relativeError: number;
}

export interface ModuleReport {
  module: GradModule;
  checked: number;
  worst: GradEntry;
  pass: boolean;
}

export interface GradcheckReport {
  /** The loss at the weights as loaded. */
  loss: number;
  examples: number;
  options: GradcheckOptions;
  modules: ModuleReport[];
  pass: boolean;
}

/** The code of a check ended by Cancel (the studio shows no error for it: the user asked). */
export const GRADCHECK_CANCELLED = 'GRADCHECK_CANCELLED';

/** Examples and tokens per example the studio's check uses (as `layerwise gradcheck`'s defaults). */
export const STUDIO_GRADCHECK = { examples: 4, maxLength: 32 } as const;
