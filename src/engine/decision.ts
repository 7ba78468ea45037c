// How a classifier's outputs become an answer, kept in its config.json so that it travels with the weights:
// transformers' problem_type ("multi_label_classification": a sigmoid per label, transformers trains and predicts
// with it as it is), and Layerwise's own block `layerwise`: the per-label thresholds tuned on the validation split
// and the sliding windows of long texts. transformers keeps an unknown key as a config attribute and writes it back.
import { LayerwiseError } from '../lib/errors';
import type { Task } from '../protocol/task';
import type { ProblemType, WindowConfig } from '../protocol/train-config';

export interface Decision {
  problemType: ProblemType;
  /** Multi-label: the probability at or above which each label (id order) is predicted; null: 0.5 for every label. */
  thresholds: number[] | null;
  /** Long texts: windows of maxLength tokens (the run's; absent: the model's positions) with this stride, or null (cut). */
  windows: (WindowConfig & { maxLength?: number }) | null;
}

/** The threshold of every label where none was tuned: a sigmoid output of 0.5, a logit of 0. */
export const DEFAULT_THRESHOLD = 0.5;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The decision config.json describes for the model's head (labels in id order); a bad `layerwise` block is an error naming it. */
export function decisionOf(raw: Readonly<Record<string, unknown>>, task: Task, id2label: readonly string[]): Decision {
  const problemType: ProblemType = task === 'seq-cls' && raw.problem_type === 'multi_label_classification' ? 'multi_label_classification' : 'single_label_classification';
  const block = raw.layerwise;
  if (block === undefined || block === null) return { problemType, thresholds: null, windows: null };
  if (!isRecord(block)) throw new LayerwiseError('CONFIG_INVALID_FIELD', 'config.json: "layerwise" must be an object', { file: 'config.json', field: 'layerwise' });
  let thresholds: number[] | null = null;
  if (block.thresholds !== undefined && block.thresholds !== null) {
    const t = block.thresholds;
    if (!isRecord(t)) throw new LayerwiseError('CONFIG_INVALID_FIELD', 'config.json: "layerwise.thresholds" must map label names to numbers', { file: 'config.json', field: 'layerwise.thresholds' });
    thresholds = id2label.map((label) => {
      const v = Object.hasOwn(t, label) ? t[label] : undefined;
      if (v === undefined) return DEFAULT_THRESHOLD;
      if (typeof v !== 'number' || !(v >= 0 && v <= 1)) {
        throw new LayerwiseError('CONFIG_INVALID_FIELD', `config.json: "layerwise.thresholds" gives ${JSON.stringify(label)} ${JSON.stringify(v)}; a threshold is a probability in [0, 1]`, { file: 'config.json', field: 'layerwise.thresholds' });
      }
      return v;
    });
  }
  let windows: WindowConfig | null = null;
  if (block.windows !== undefined && block.windows !== null) {
    const w = block.windows;
    const ok =
      isRecord(w) &&
      Number.isSafeInteger(w.stride) &&
      (w.stride as number) >= 0 &&
      (w.aggregate === 'mean' || w.aggregate === 'max') &&
      (w.maxLength === undefined || (Number.isSafeInteger(w.maxLength) && (w.maxLength as number) > 2 * (w.stride as number) && (w.maxLength as number) >= 3));
    if (!ok) throw new LayerwiseError('CONFIG_INVALID_FIELD', 'config.json: "layerwise.windows" must be {"stride": an integer ≥ 0, "aggregate": "mean" or "max", "maxLength"?: more than twice the stride}', { file: 'config.json', field: 'layerwise.windows' });
    windows = { stride: w.stride as number, aggregate: w.aggregate as WindowConfig['aggregate'], ...(w.maxLength === undefined ? {} : { maxLength: w.maxLength as number }) };
  }
  return { problemType, thresholds, windows };
}

/**
 * config.json's fields for the decision: problem_type for a sequence classifier (removed for other heads), and the
 * `layerwise` block with the thresholds by label name and the windows (removed when there is neither).
 */
export function withDecision(raw: Readonly<Record<string, unknown>>, task: Task, id2label: readonly string[], decision: Decision): Record<string, unknown> {
  const out: Record<string, unknown> = { ...raw };
  if (task === 'seq-cls') out.problem_type = decision.problemType;
  else delete out.problem_type;
  const block: Record<string, unknown> = {};
  if (decision.thresholds !== null && decision.problemType === 'multi_label_classification') {
    // Object.fromEntries: a label named __proto__ stays a key of its own (RELIABILITY D15).
    block.thresholds = Object.fromEntries(id2label.map((label, i) => [label, decision.thresholds?.[i] ?? DEFAULT_THRESHOLD]));
  }
  if (decision.windows !== null && task !== 'mlm') block.windows = { ...decision.windows };
  if (Object.keys(block).length > 0) out.layerwise = block;
  else delete out.layerwise;
  return out;
}

/**
 * A run has ended: a multi-label model takes the thresholds its final evaluation tuned, so that the playground, the
 * exports and the studio's next predictions answer as the run was scored. Other models are left as they are.
 */
export function adoptTunedThresholds(model: { rawConfig: Record<string, unknown>; task: Task; config: { id2label: string[] } }, metrics: { tuned?: { thresholds: number[] } } | null): void {
  if (model.task !== 'seq-cls' || metrics?.tuned === undefined) return;
  const decision = decisionOf(model.rawConfig, model.task, model.config.id2label);
  if (decision.problemType !== 'multi_label_classification') return;
  model.rawConfig = withDecision(model.rawConfig, model.task, model.config.id2label, { ...decision, thresholds: [...metrics.tuned.thresholds] });
}
