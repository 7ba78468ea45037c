// What a training run reports, as plain data shared by the engine's Trainer, the worker, the UI and the CLI:
// evaluation metrics (scikit-learn / seqeval names as in transformers' run_glue.py and run_ner.py) and per-step
// telemetry. Events carry per-step deltas, never whole histories; a non-finite loss stays NaN, never 0.
import type { LayerwiseErrorData } from '../lib/errors';
import type { GroupPlan } from './param-groups';

/** Scores of one class (id2label order). */
export interface ClassMetrics {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  /** Number of true examples (token-cls: labelled tokens) of this class. */
  support: number;
}

/** Entity-level scores of one entity type (seqeval strict IOB2), sorted by type. */
export interface EntityMetrics {
  type: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/**
 * One evaluation. seq-cls counts examples; token-cls counts first-subword positions (labels != -100); mlm counts
 * masked tokens (with a fixed-seed masking, so that evaluations of one run are comparable).
 */
export interface EvalMetrics {
  /** Mean cross-entropy (no label smoothing) over every counted item of the split. */
  eval_loss: number;
  /** Correct / counted items. */
  accuracy: number;
  /** Examples evaluated. */
  eval_samples: number;
  f1_macro?: number;
  f1_micro?: number;
  f1_weighted?: number;
  per_class?: ClassMetrics[];
  /** [class][class]: rows are the true label, columns the prediction, in `labels` order. */
  confusion_matrix?: number[][];
  /** id2label, the order of per_class and confusion_matrix. */
  labels?: string[];
  entity_precision?: number;
  entity_recall?: number;
  entity_f1?: number;
  per_entity?: EntityMetrics[];
  /** MLM: exp(eval_loss). */
  perplexity?: number;
  /** Multi-label: wrong (example, label) cells over all of them, at `thresholds` (scikit-learn's hamming_loss). */
  hamming_loss?: number;
  /**
   * Multi-label: the probability each label (labels order) is predicted from, which accuracy (subset accuracy: every
   * label of an example right), the F1 scores and per_class are at: 0.5 during training, the model's own in `layerwise eval`.
   */
  thresholds?: number[];
  /** Multi-label: the scores at thresholds tuned per label for F1 on this split, and those thresholds (saved with the model). */
  tuned?: MultiLabelScores;
  /** Long texts in windows: the windows evaluated (eval_samples counts the texts, whose window logits were aggregated or stitched). */
  eval_windows?: number;
  /**
   * Multi-task: each head's own metrics, by head name. The fields above are then what the run watches: the watched
   * head's (TrainConfig.multiTask.watch), or each metric's mean over the heads that report it (eval_samples summed).
   */
  tasks?: Record<string, EvalMetrics>;
}

/** Multi-label scores at some per-label thresholds. */
export interface MultiLabelScores {
  thresholds: number[];
  /** Subset accuracy. */
  accuracy: number;
  f1_macro: number;
  f1_micro: number;
  f1_weighted: number;
  hamming_loss: number;
  per_class: ClassMetrics[];
}

/** An evaluation as the run history keeps it (metrics.json "history"). */
export interface EvalRecord extends EvalMetrics {
  /** Optimizer steps done when it was taken. */
  step: number;
  /** Epochs done, fractional (as transformers' Trainer logs it). */
  epoch: number;
  /** The base learning rate of the last step (before layer-wise scales). */
  learning_rate: number;
}

/** One module group at one step. */
export interface GroupStep {
  /** "bert.encoder.layer.3", "bert.embeddings", "classifier". */
  name: string;
  /** The learning rate this step used for the group (0 when frozen). */
  lr: number;
  /** L2 norm of the group's accumulated gradient before clipping; exactly 0 when frozen; null on steps without group telemetry. */
  gradNorm: number | null;
  /** ‖W − W₀‖ over the group when this step began (after step − 1 updates); exactly 0 when never trained; null likewise. */
  weightDelta: number | null;
}

export interface StepTelemetry {
  /** Optimizer steps done, this one included (skipped ones too). */
  step: number;
  /** Epochs done, fractional. */
  epoch: number;
  /** Mean training loss over the step's micro-batches (labelled items weighted equally); NaN when it diverged. */
  loss: number;
  /** The L2-SP penalty added to the loss (0 when off). */
  penalty: number;
  /** Global gradient L2 norm before clipping. */
  gradNorm: number;
  /** True when the loss or the gradient norm was not finite: the weights were left as they were. */
  skipped: boolean;
  /** Base learning rate of this step (schedule × plateau), before layer-wise scales. */
  learningRate: number;
  groups: GroupStep[];
  /** Non-padding tokens of the step's micro-batches. */
  tokens: number;
  /** Wall time of the step, in seconds. */
  seconds: number;
  tokensPerSecond: number;
}

/** Step counts of the run, sizes, and the parameter plan at its start. */
export interface RunPlan {
  totalSteps: number;
  stepsPerEpoch: number;
  warmupSteps: number;
  epochs: number;
  trainExamples: number;
  validationExamples: number;
  groups: GroupPlan[];
  /** Scalar parameters that train at the start of the run. */
  trainableParameters: number;
  parameters: number;
  /** Examples per forward/backward pass when batches are split to fit memory (TrainConfig.microBatchSize, or the planner's); null: whole batches. */
  microBatchSize?: number | null;
}

/** Always predicting the evaluation data's most frequent class (or tag): what a trained model has to beat. */
export interface MajorityBaseline {
  /** The class it predicts (the lowest id among equally frequent ones). */
  label: string;
  accuracy: number;
  f1_macro: number;
}

export type FinishReason = 'completed' | 'early-stopped' | 'stopped';

/** Events of a run, in order: started, then epochStarted / stepCompleted / evaluated..., then finished or failed. */
export type TrainRunEvent =
  | { type: 'started'; plan: RunPlan; resumedAtStep: number | null }
  /** An epoch begins; groups say which modules train in it (gradual unfreezing changes this). */
  | { type: 'epochStarted'; epoch: number; step: number; groups: GroupPlan[] }
  | { type: 'stepCompleted'; telemetry: StepTelemetry }
  | { type: 'evaluated'; record: EvalRecord; isBest: boolean; lrReduced: boolean }
  /** pause() took effect after this step; the run waits for resume(). */
  | { type: 'paused'; step: number }
  | {
      type: 'finished';
      reason: FinishReason;
      step: number;
      /** The final model's metrics: the best evaluation's when its weights were restored. */
      metrics: EvalMetrics | null;
      /** Step of the evaluation whose weights were put back (restoreBest), else null. */
      restoredBestStep: number | null;
    }
  | { type: 'failed'; step: number; error: LayerwiseErrorData };
