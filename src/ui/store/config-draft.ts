// The config being edited, checked with protocol/train-config's validateTrainConfig (the CLI's rules): its field
// errors by dotted path, and a usable config for previews, where every bad field falls back to its default; and
// the run's shape (batches per epoch from the data plan) that deriveSchedule needs. Shared by every panel.
import { useMemo } from 'react';
import { deriveSchedule, type DerivedSchedule } from '../../protocol/schedule';
import { DEFAULT_TRAIN_CONFIG, validateTrainConfig, type ConfigFieldError, type TrainConfig } from '../../protocol/train-config';
import { useApp } from './app-store';
import { setPath } from './config-slice';

function valueAt(obj: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj);
}

/** The draft with every bad field replaced by its default (cross-field errors can need a second pass). */
export function usableConfig(draft: TrainConfig): TrainConfig {
  let candidate = draft;
  for (let pass = 0; pass < 3; pass++) {
    const result = validateTrainConfig(candidate);
    if (result.ok) return result.config;
    for (const e of result.errors) candidate = setPath(candidate, e.path, valueAt(DEFAULT_TRAIN_CONFIG, e.path));
  }
  return structuredClone(DEFAULT_TRAIN_CONFIG) as TrainConfig;
}

/** Used for step counts before a dataset is loaded; the panels say so. */
export const ASSUMED_EXAMPLES = 1000;

export interface RunConfig {
  config: TrainConfig;
  errors: ConfigFieldError[];
  /** Micro-batches per epoch: the data plan's training examples (augmented) over the batch size. */
  batchesPerEpoch: number;
  /** False while no dataset is loaded: the step counts assume ASSUMED_EXAMPLES examples. */
  fromData: boolean;
  derived: DerivedSchedule;
}

export function useRunConfig(): RunConfig {
  const draft = useApp((s) => s.config.draft);
  const examples = useApp((s) => s.dataset.plan?.augmentedExamples ?? null);
  return useMemo(() => {
    const result = validateTrainConfig(draft);
    const config = result.ok ? result.config : usableConfig(draft);
    const batchesPerEpoch = Math.max(1, Math.ceil((examples ?? ASSUMED_EXAMPLES) / config.batchSize));
    return {
      config,
      errors: result.ok ? [] : result.errors,
      batchesPerEpoch,
      fromData: examples !== null,
      derived: deriveSchedule(config, batchesPerEpoch),
    };
  }, [draft, examples]);
}
