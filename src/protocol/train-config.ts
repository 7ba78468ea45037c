// TrainConfig: the one plain-JSON description of a fine-tuning run, shared by the UI, the worker, the CLI and the
// exported recipe. Defaults live in DEFAULT_TRAIN_CONFIG only; parseTrainConfig validates at the boundary and lists
// every bad field. Names and defaults follow transformers' TrainingArguments and torch.optim where they overlap.
import { LayerwiseError } from '../lib/errors';
import { TASKS, type Task } from './task';

export type ScheduleType = 'constant' | 'linear' | 'cosine' | 'cosine-restarts' | 'polynomial' | 'step' | 'plateau';
export const SCHEDULE_TYPES: readonly ScheduleType[] = [
  'constant',
  'linear',
  'cosine',
  'cosine-restarts',
  'polynomial',
  'step',
  'plateau',
];

/** Metrics an evaluation reports that early stopping and the plateau schedule can watch. */
export type EvalMetric = 'eval_loss' | 'accuracy' | 'f1_macro' | 'f1_micro' | 'f1_weighted' | 'entity_f1';
export const EVAL_METRICS: readonly EvalMetric[] = [
  'eval_loss',
  'accuracy',
  'f1_macro',
  'f1_micro',
  'f1_weighted',
  'entity_f1',
];

/** Which direction is better for each metric ('min': lower is better). */
export const METRIC_GOAL: Readonly<Record<EvalMetric, 'min' | 'max'>> = {
  eval_loss: 'min',
  accuracy: 'max',
  f1_macro: 'max',
  f1_micro: 'max',
  f1_weighted: 'max',
  entity_f1: 'max',
};

/** The metrics an evaluation of each task produces (MLM has labels over the vocabulary: loss only). */
export const METRICS_BY_TASK: Readonly<Record<Task, readonly EvalMetric[]>> = {
  'seq-cls': ['eval_loss', 'accuracy', 'f1_macro', 'f1_micro', 'f1_weighted'],
  'token-cls': ['eval_loss', 'accuracy', 'f1_macro', 'f1_micro', 'f1_weighted', 'entity_f1'],
  mlm: ['eval_loss'],
};

/**
 * What a sequence classifier's outputs mean, as transformers' problem_type: one class per example (softmax and
 * cross-entropy), or any number of labels per example (a sigmoid per label and binary cross-entropy).
 */
export type ProblemType = 'single_label_classification' | 'multi_label_classification';
export const PROBLEM_TYPES: readonly ProblemType[] = ['single_label_classification', 'multi_label_classification'];

/** Class weights from the training split's counts: none, N / (C·n_c) (scikit-learn's "balanced"), or Cui et al. 2019's effective number. */
export type ClassWeighting = 'none' | 'inverse-frequency' | 'effective-number';
export const CLASS_WEIGHTINGS: readonly ClassWeighting[] = ['none', 'inverse-frequency', 'effective-number'];

/** How the windows of one text become one prediction (sequence classification): the mean or the maximum of their logits. */
export type WindowAggregate = 'mean' | 'max';

export interface WindowConfig {
  /** Tokens each window repeats from the one before (the tokenizer's `stride` with return_overflowing_tokens). */
  stride: number;
  /** Sequence classification: how a text's window logits become its logits (token classification stitches instead). */
  aggregate: WindowAggregate;
}

/** A quarter of the default window repeated: every token but the first and last windows' ends has context on both sides. */
export const DEFAULT_WINDOWS: Readonly<WindowConfig> = { stride: 32, aggregate: 'mean' };

export interface PlateauConfig {
  /** Metric watched by the plateau schedule; its goal (METRIC_GOAL) is ReduceLROnPlateau's mode. */
  metric: EvalMetric;
  /** Factor the learning rate is multiplied by on a plateau (0.5 here; torch's default 0.1 suits long runs). */
  factor: number;
  /** Evaluations without improvement tolerated before a reduction (2 here; torch's default 10 suits long runs). */
  patience: number;
  /** How much better a value must be to count as an improvement (see thresholdMode). */
  threshold: number;
  /** 'rel': better than best·(1 ∓ threshold); 'abs': better than best ∓ threshold (as torch). */
  thresholdMode: 'rel' | 'abs';
  /** Evaluations to wait after a reduction before counting bad evaluations again. */
  cooldown: number;
}

export interface ScheduleConfig {
  /** Shape of the learning-rate curve after warmup (transformers' get_*_schedule_with_warmup, torch's StepLR, ...). */
  type: ScheduleType;
  /** Linear warmup length as a fraction of all optimizer steps, rounded up; used when warmupSteps is null. */
  warmupRatio: number;
  /** Linear warmup length in optimizer steps; overrides warmupRatio when set (as TrainingArguments). */
  warmupSteps: number | null;
  /** Floor of the curve: CosineAnnealingLR's eta_min (cosine), lr_end (polynomial), min_lr (plateau); others ignore it. */
  minLr: number;
  /** Cosine: number of waves after warmup (0.5 = one half-cosine down to minLr, transformers' num_cycles). */
  numCycles: number;
  /** Cosine-restarts: number of hard-restart cycles (transformers' num_cycles of the hard-restarts schedule). */
  restartCycles: number;
  /** Polynomial: the power of the decay (1 = linear to minLr). */
  power: number;
  /** Step: multiply the rate by gamma every stepSize optimizer steps after warmup (torch StepLR step_size). */
  stepSize: number;
  /** Step: the decay factor (torch StepLR gamma). */
  gamma: number;
  /** Plateau: ReduceLROnPlateau settings, fed with evaluation metrics. */
  plateau: PlateauConfig;
}

export interface DropoutConfig {
  /** Hidden-state dropout (hidden_dropout_prob); null keeps the model config's own value. */
  hidden: number | null;
  /** Attention-probability dropout (attention_probs_dropout_prob); null keeps the model's own. */
  attention: number | null;
  /** Dropout before the classifier (classifier_dropout); null keeps the model's own. */
  classifier: number | null;
}

export interface EarlyStoppingConfig {
  /** Metric that decides "best" and "no improvement"; lower or higher is better as METRIC_GOAL says. */
  metric: EvalMetric;
  /** Stop after this many evaluations without an improvement larger than minDelta; null never stops early. */
  patience: number | null;
  /** Smallest change of the metric that resets the patience counter (transformers' early_stopping_threshold). */
  minDelta: number;
  /** At the end of the run, put back the weights of the best evaluation (load_best_model_at_end). */
  restoreBest: boolean;
}

export interface MlmConfig {
  /** Share of tokens chosen for prediction (mlm_probability); 80% of them become [MASK], 10% a random token. */
  probability: number;
  /** Choose all subwords of a word together (whole-word masking) instead of single tokens. */
  wholeWord: boolean;
}

/** EDA's operations (Wei & Zou 2019) without synonyms: random swap, random deletion, random insertion of a word of the text. */
export type EdaOperation = 'swap' | 'delete' | 'insert';
export const EDA_OPERATIONS: readonly EdaOperation[] = ['swap', 'delete', 'insert'];

export type HeadInit = 'normal' | 'xavier' | 'zeros';
export const HEAD_INITS: readonly HeadInit[] = ['normal', 'xavier', 'zeros'];

export interface AugmentConfig {
  /** Augmented variants added per training example (0: off); validation data is never augmented. */
  copies: number;
  /** EDA's alpha: the share of a text's words an operation changes. */
  alpha: number;
  /** The operations drawn from. */
  operations: EdaOperation[];
}

/** LoRA (Hu et al. 2021) as PEFT's LoraConfig: W x + (alpha / r) · B A x on the targeted linear layers, the base frozen. */
export interface LoraConfig {
  /** Rank of the update B·A (PEFT's r). */
  r: number;
  /** The update is scaled by alpha / r (PEFT's lora_alpha). */
  alpha: number;
  /** Dropout on the adapter's input (PEFT's lora_dropout). */
  dropout: number;
  /** Linear layers whose checkpoint name ends in one of these whole segments (PEFT's target_modules), e.g. "query". */
  targetModules: string[];
  /** Other ranks for some layers: a key names the end of a layer's name, as PEFT's rank_pattern; null for none. */
  rankPattern: Record<string, number> | null;
}

/** Where the bottleneck adapters sit (the adapters library's configs): 'houlsby' (DoubleSeqBnConfig, Houlsby et al. 2019) after the attention output and after the feed-forward block of every layer; 'pfeiffer' (SeqBnConfig, Pfeiffer et al. 2020) after the feed-forward block only, on the block's LayerNorm output. */
export type AdapterKind = 'houlsby' | 'pfeiffer';
export const ADAPTER_KINDS: readonly AdapterKind[] = ['houlsby', 'pfeiffer'];
/** The bottleneck's activation, by its transformers name (ACT2FN, which the adapters library uses): swish is SiLU. */
export type AdapterNonLinearity = 'relu' | 'swish' | 'gelu' | 'tanh';
export const ADAPTER_NON_LINEARITIES: readonly AdapterNonLinearity[] = ['relu', 'swish', 'gelu', 'tanh'];

/** Bottleneck adapters as the adapters library (AdapterHub) builds them: x + up(act(down(x))) inside each residual block. */
export interface AdaptersConfig {
  kind: AdapterKind;
  /** hidden_size / reductionFactor units in the bottleneck, rounded down, at least 1 (the library's reduction_factor). */
  reductionFactor: number;
  /** The bottleneck's activation; null: the kind's own (houlsby "swish", pfeiffer "relu", as the library's configs). */
  nonLinearity: AdapterNonLinearity | null;
}

/** SeqBnConfig's defaults: Pfeiffer adapters, reduction factor 16, the kind's activation. */
export const DEFAULT_ADAPTERS: Readonly<AdaptersConfig> = { kind: 'pfeiffer', reductionFactor: 16, nonLinearity: null };

/** How the batches of a multi-task run's heads are mixed (protocol/multitask.ts): each optimizer step trains one head. */
export type TaskSampler = 'proportional' | 'round-robin' | 'temperature';
export const TASK_SAMPLERS: readonly TaskSampler[] = ['proportional', 'round-robin', 'temperature'];

/** One head of a multi-task run: its task, its data and labels, its share of the loss. */
export interface TaskHeadConfig {
  /** The head's name: letters, digits, '-' and '_' (its metrics' key, its export folder heads/<name>). */
  name: string;
  /** Sequence or token classification. */
  task: 'seq-cls' | 'token-cls';
  /** Its training file (relative to the config file); null: the run's training file (--data). */
  data: string | null;
  /** Its validation file; null: the run's --validation where it reads the run's data, else validationSplit of its own file. */
  validation: string | null;
  /** The text column of a file of rows; null: the run's (--text-col) or the detected one. */
  textColumn: string | null;
  /** The label column of a file of rows; null: the run's (--label-col) or the detected one. */
  labelColumn: string | null;
  /** Its loss is multiplied by this. */
  weight: number;
}

export interface MultiTaskConfig {
  /** proportional: each head's batches once an epoch, shuffled together; round-robin: heads in turn; temperature: shares ∝ n^(1/T). */
  sampler: TaskSampler;
  /** T of the temperature sampler (1: proportional; larger evens the heads out). */
  temperature: number;
  /** The head whose earlyStopping / plateau metric the run watches (and its best weights); null: the mean over the heads. */
  watch: string | null;
}

export const DEFAULT_MULTI_TASK: Readonly<MultiTaskConfig> = { sampler: 'proportional', temperature: 2, watch: null };

/** PEFT's defaults (r 8, alpha 8, no dropout), with the attention's query and value layers of every family as targets. */
export const DEFAULT_LORA: Readonly<LoraConfig> = {
  r: 8,
  alpha: 8,
  dropout: 0,
  targetModules: ['query', 'value', 'q_lin', 'v_lin'],
  rankPattern: null,
};

export interface TrainConfig {
  /** Which head and loss: sequence classification, token classification or masked-LM. */
  task: Task;
  /** Passes over the training data; may be fractional (total steps are rounded up). */
  epochs: number;
  /** Cap on optimizer steps; null runs all epochs. */
  maxSteps: number | null;
  /** Examples per forward/backward pass (per micro-batch). */
  batchSize: number;
  /** Micro-batches whose gradients are summed before one optimizer step. */
  gradAccumulation: number;
  /** Split each batch into passes of this many examples (the same gradient, less memory); null: the memory planner's choice at the start of a run (the whole batch when it fits). */
  microBatchSize: number | null;
  /** Recompute each encoder layer in the backward pass instead of keeping its activations: less memory, ~1/3 more time. */
  gradientCheckpointing: boolean;
  /** Tokens per example after truncation, special tokens included. */
  maxLength: number;
  /** Seed for initialisation, shuffling and dropout (0 is mapped to a nonzero seed by the engine). */
  seed: number;
  /** Peak learning rate of AdamW (reached after warmup). */
  learningRate: number;
  /** AdamW's decoupled weight decay (torch.optim.AdamW weight_decay). */
  weightDecay: number;
  /** AdamW's (beta1, beta2). */
  betas: [number, number];
  /** AdamW's epsilon added to the denominator. */
  eps: number;
  /** Parameters whose name contains one of these (case-insensitive) get no weight decay: biases and LayerNorms. */
  noDecay: string[];
  /** Learning-rate schedule over optimizer steps. */
  schedule: ScheduleConfig;
  /** Checkpoint-name prefixes (whole dotted segments) that never train, e.g. "bert.embeddings". */
  freeze: string[];
  /** Pyramid ξ in (0, 1]: encoder layer i (depth d = i+1) gets lr·ξ^(L−d), embeddings (d 0) lr·ξ^L, head lr. */
  layerDecay: number;
  /** Extra learning-rate factor per checkpoint-name prefix; the longest matching prefix wins. */
  lrMultipliers: Record<string, number>;
  /** Global gradient-norm clip (torch clip_grad_norm_ max_norm); null or 0 does not clip. */
  maxGradNorm: number | null;
  /** Dropout probabilities during training. */
  dropout: DropoutConfig;
  /**
   * How a task head the run creates starts: 'normal' as transformers' _init_weights (normal(0, initializer_range)),
   * 'xavier' (Glorot-uniform weights), or 'zeros' (the output layer zeroed, so that the first predictions are uniform).
   */
  headInit: HeadInit;
  /** Label smoothing of the cross-entropy loss (torch CrossEntropyLoss label_smoothing). */
  labelSmoothing: number;
  /**
   * Sequence classification's outputs: one class per example, or several labels ('multi_label_classification',
   * sigmoid outputs and binary cross-entropy). A field of the task, not a task of its own, because the model, the head,
   * the data path and the export are sequence classification's and only the loss, the metrics and the decision
   * differ, as in transformers' problem_type.
   */
  problemType: ProblemType;
  /** Class weights in the loss (multi-label: pos_weight per label), from the training counts or by class name. */
  classWeights: ClassWeighting | Record<string, number>;
  /** β of the 'effective-number' weights, (1 − β) / (1 − β^n) for a class of n examples (Cui et al. 2019). */
  classWeightBeta: number;
  /** Focal loss γ (Lin et al. 2017): each item's loss scaled by (1 − p)^γ; 0 is plain cross-entropy. */
  focalGamma: number;
  /** Texts longer than maxLength: null cuts them; otherwise windows of maxLength tokens, stride tokens shared. */
  windows: WindowConfig | null;
  /** Strength of the L2-SP penalty pulling weights towards their pretrained values (against forgetting); 0 is off. */
  l2sp: number;
  /** Fraction of the training data held out for evaluation when no validation file is given. */
  validationSplit: number;
  /** EDA augmentation of the training split (after the validation share is held out). */
  augment: AugmentConfig;
  /**
   * Evaluate at the end of every epoch, every N optimizer steps, or — a number in (0, 1) — every such share of the
   * run's steps, rounded up (transformers' eval_steps below 1): the default 0.1 evaluates ten times in any run.
   */
  evalEvery: 'epoch' | number;
  /** Early stopping and best-weights restoration. */
  earlyStopping: EarlyStoppingConfig;
  /** ULMFiT gradual unfreezing: head from the start, one more encoder layer from the top every N epochs; null: off. */
  gradualUnfreeze: number | null;
  /** Masked-LM masking (task mlm only), as transformers' DataCollatorForLanguageModeling / ...ForWholeWordMask. */
  mlm: MlmConfig;
  /** LoRA adapters on the targeted linear layers, the base model frozen and the task head trained; null: full fine-tuning. */
  lora: LoraConfig | null;
  /** Bottleneck adapters in every encoder layer, the base model frozen and the task head trained; null: none. */
  adapters: AdaptersConfig | null;
  /** Several heads on one encoder (the first is the primary, whose task is `task`); null: one head for `task`. */
  tasks: TaskHeadConfig[] | null;
  /** How a multi-task run mixes its heads' batches and what it watches. */
  multiTask: MultiTaskConfig;
}

export const DEFAULT_TRAIN_CONFIG: Readonly<TrainConfig> = {
  task: 'seq-cls',
  epochs: 3,
  maxSteps: null,
  batchSize: 16,
  gradAccumulation: 1,
  microBatchSize: null,
  gradientCheckpointing: false,
  maxLength: 128,
  seed: 42,
  learningRate: 5e-5,
  weightDecay: 0.01,
  betas: [0.9, 0.999],
  eps: 1e-8,
  noDecay: ['bias', 'layernorm', 'layer_norm'],
  schedule: {
    type: 'linear',
    warmupRatio: 0.1,
    warmupSteps: null,
    minLr: 0,
    numCycles: 0.5,
    restartCycles: 1,
    power: 1,
    stepSize: 100,
    gamma: 0.1,
    plateau: { metric: 'eval_loss', factor: 0.5, patience: 2, threshold: 1e-4, thresholdMode: 'rel', cooldown: 0 },
  },
  freeze: [],
  layerDecay: 1,
  lrMultipliers: {},
  maxGradNorm: 1,
  dropout: { hidden: null, attention: null, classifier: null },
  headInit: 'normal',
  labelSmoothing: 0,
  problemType: 'single_label_classification',
  classWeights: 'none',
  classWeightBeta: 0.999,
  focalGamma: 0,
  windows: null,
  l2sp: 0,
  validationSplit: 0.1,
  augment: { copies: 0, alpha: 0.1, operations: ['swap', 'delete', 'insert'] },
  evalEvery: 0.1,
  earlyStopping: { metric: 'eval_loss', patience: null, minDelta: 0, restoreBest: false },
  gradualUnfreeze: null,
  mlm: { probability: 0.15, wholeWord: false },
  lora: null,
  adapters: null,
  tasks: null,
  multiTask: { ...DEFAULT_MULTI_TASK },
};

/**
 * The default peak learning rate for a model of this width. BERT's fine-tuning rates (2e-5–5e-5, Devlin et al.
 * 2019) are for hidden size 768; narrower models need larger steps (Turc et al. 2019 fine-tune their small BERTs
 * at up to 1e-4–3e-4), so below 768 the rate grows as 768 / hidden_size (AdamW's update per weight does not
 * shrink with width), capped at 5e-4: 3e-4 at hidden 128, 1.5e-4 at 256, 1e-4 at 384.
 */
export function defaultLearningRate(hiddenSize: number): number {
  const base = DEFAULT_TRAIN_CONFIG.learningRate;
  if (!(hiddenSize > 0) || hiddenSize >= 768) return base;
  return Math.min(5e-4, Number(((base * 768) / hiddenSize).toPrecision(2)));
}

/** One bad field: its dotted path, what was expected, and what was found (shortened). */
export interface ConfigFieldError {
  path: string;
  expected: string;
  found: string;
}

export type TrainConfigResult = { ok: true; config: TrainConfig } | { ok: false; errors: ConfigFieldError[] };

// ---- field rules -------------------------------------------------------------------------------------------

interface Rule {
  expected: string;
  ok(value: unknown): boolean;
}
/** A nested object merged field by field with its defaults; `nullable`: null is allowed and is the default, these fill an object. */
interface ObjectRule {
  fields: Record<string, Rule | ObjectRule>;
  nullable?: Readonly<object>;
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const rule = (expected: string, ok: (v: unknown) => boolean): Rule => ({ expected, ok });
const orNull = (r: Rule): Rule => rule(`${r.expected}, or null`, (v) => v === null || r.ok(v));
const oneOf = (values: readonly string[]): Rule =>
  rule(`one of ${values.map((v) => JSON.stringify(v)).join(', ')}`, (v) => typeof v === 'string' && values.includes(v));

const positiveInt = rule('a positive integer', (v) => Number.isSafeInteger(v) && (v as number) > 0);
const nonNegativeInt = rule('an integer ≥ 0', (v) => Number.isSafeInteger(v) && (v as number) >= 0);
const positive = rule('a number > 0', (v) => isNumber(v) && v > 0);
const nonNegative = rule('a number ≥ 0', (v) => isNumber(v) && v >= 0);
const probability = rule('a number in [0, 1)', (v) => isNumber(v) && v >= 0 && v < 1);
const boolean = rule('true or false', (v) => typeof v === 'boolean');
const metric = oneOf(EVAL_METRICS);

/** "bert.encoder.layer.0": non-empty dotted segments without spaces. */
const PREFIX_PATTERN = /^[^.\s]+(\.[^.\s]+)*$/;
const prefixList = rule('an array of checkpoint-name prefixes such as "bert.embeddings"', (v) =>
  Array.isArray(v) && v.every((p) => typeof p === 'string' && PREFIX_PATTERN.test(p)),
);
const substringList = rule('an array of non-empty strings', (v) =>
  Array.isArray(v) && v.every((p) => typeof p === 'string' && p !== ''),
);
const multipliers = rule('an object mapping checkpoint-name prefixes to factors > 0', (v) =>
  isPlainObject(v) && Object.entries(v).every(([k, f]) => PREFIX_PATTERN.test(k) && isNumber(f) && f > 0),
);
/** A target or rank-pattern key: one or more dotted segments, e.g. "query" or "attention.self.query". */
const MODULE_SUFFIX = /^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/;
const LORA_RULES: ObjectRule['fields'] = {
  r: positiveInt,
  alpha: positive,
  dropout: probability,
  targetModules: rule('a non-empty array of layer names such as "query"', (v) =>
    Array.isArray(v) && v.length > 0 && v.every((t) => typeof t === 'string' && MODULE_SUFFIX.test(t)),
  ),
  rankPattern: orNull(rule('an object mapping layer names to positive integer ranks', (v) =>
    isPlainObject(v) && Object.entries(v).every(([k, r]) => MODULE_SUFFIX.test(k) && positiveInt.ok(r)),
  )),
};

const TRAIN_CONFIG_RULES: { fields: { [K in keyof TrainConfig]: Rule | ObjectRule } } = {
  fields: {
    task: oneOf(TASKS),
    epochs: positive,
    maxSteps: orNull(positiveInt),
    batchSize: positiveInt,
    gradAccumulation: positiveInt,
    microBatchSize: orNull(positiveInt),
    gradientCheckpointing: boolean,
    maxLength: positiveInt,
    seed: nonNegativeInt,
    learningRate: positive,
    weightDecay: nonNegative,
    betas: rule('two numbers in [0, 1)', (v) => Array.isArray(v) && v.length === 2 && v.every((b) => probability.ok(b))),
    eps: positive,
    noDecay: substringList,
    schedule: {
      fields: {
        type: oneOf(SCHEDULE_TYPES),
        warmupRatio: rule('a number in [0, 1]', (v) => isNumber(v) && v >= 0 && v <= 1),
        warmupSteps: orNull(nonNegativeInt),
        minLr: nonNegative,
        numCycles: positive,
        restartCycles: positiveInt,
        power: positive,
        stepSize: positiveInt,
        gamma: rule('a number in (0, 1]', (v) => isNumber(v) && v > 0 && v <= 1),
        plateau: {
          fields: {
            metric,
            factor: rule('a number in (0, 1)', (v) => isNumber(v) && v > 0 && v < 1),
            patience: nonNegativeInt,
            threshold: nonNegative,
            thresholdMode: oneOf(['rel', 'abs']),
            cooldown: nonNegativeInt,
          },
        },
      },
    },
    freeze: prefixList,
    layerDecay: rule('a number in (0, 1]', (v) => isNumber(v) && v > 0 && v <= 1),
    lrMultipliers: multipliers,
    maxGradNorm: orNull(nonNegative),
    dropout: { fields: { hidden: orNull(probability), attention: orNull(probability), classifier: orNull(probability) } },
    headInit: oneOf(HEAD_INITS),
    labelSmoothing: probability,
    problemType: oneOf(PROBLEM_TYPES),
    classWeights: rule(`one of ${CLASS_WEIGHTINGS.map((w) => JSON.stringify(w)).join(', ')}, or an object mapping class names to weights > 0`, (v) =>
      (typeof v === 'string' && CLASS_WEIGHTINGS.includes(v as ClassWeighting)) || (isPlainObject(v) && Object.keys(v).length > 0 && Object.values(v).every((w) => isNumber(w) && w > 0)),
    ),
    classWeightBeta: rule('a number in (0, 1)', (v) => isNumber(v) && v > 0 && v < 1),
    focalGamma: rule('a number in [0, 10]', (v) => isNumber(v) && v >= 0 && v <= 10),
    windows: { fields: { stride: nonNegativeInt, aggregate: oneOf(['mean', 'max']) }, nullable: DEFAULT_WINDOWS },
    l2sp: nonNegative,
    validationSplit: probability,
    augment: {
      fields: {
        copies: rule('an integer in [0, 16]', (v) => Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) <= 16),
        alpha: rule('a number in (0, 1)', (v) => isNumber(v) && v > 0 && v < 1),
        operations: rule(`a non-empty array of ${EDA_OPERATIONS.map((o) => JSON.stringify(o)).join(', ')}`, (v) =>
          Array.isArray(v) && v.length > 0 && v.every((o) => EDA_OPERATIONS.includes(o as EdaOperation)),
        ),
      },
    },
    evalEvery: rule('"epoch", a positive integer (optimizer steps) or a share of the run in (0, 1)', (v) => v === 'epoch' || positiveInt.ok(v) || (isNumber(v) && v > 0 && v < 1)),
    earlyStopping: {
      fields: { metric, patience: orNull(positiveInt), minDelta: nonNegative, restoreBest: boolean },
    },
    gradualUnfreeze: orNull(positiveInt),
    mlm: { fields: { probability: rule('a number in (0, 1)', (v) => isNumber(v) && v > 0 && v < 1), wholeWord: boolean } },
    lora: { fields: LORA_RULES, nullable: DEFAULT_LORA },
    adapters: {
      fields: {
        kind: oneOf(ADAPTER_KINDS),
        reductionFactor: rule('a number > 0 (hidden_size / reductionFactor bottleneck units)', (v) => isNumber(v) && v > 0),
        nonLinearity: orNull(oneOf(ADAPTER_NON_LINEARITIES)),
      },
      nullable: DEFAULT_ADAPTERS,
    },
    tasks: rule('null, or a list of heads {"name", "task": "seq-cls" | "token-cls", "data"?, "validation"?, "textColumn"?, "labelColumn"?, "weight"?}', (v) => v === null || (Array.isArray(v) && v.length >= 1)),
    multiTask: {
      fields: {
        sampler: oneOf(TASK_SAMPLERS),
        temperature: rule('a number ≥ 1', (v) => isNumber(v) && v >= 1),
        watch: orNull(rule('a head name', (v) => typeof v === 'string')),
      },
    },
  },
};

/** A head's name: also a folder name and a dotted-name segment. */
const HEAD_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const HEAD_RULES: ObjectRule = {
  fields: {
    name: rule('a name of letters, digits, "-" and "_"', (v) => typeof v === 'string' && HEAD_NAME.test(v)),
    task: oneOf(['seq-cls', 'token-cls']),
    data: orNull(rule('a file name', (v) => typeof v === 'string' && v !== '')),
    validation: orNull(rule('a file name', (v) => typeof v === 'string' && v !== '')),
    textColumn: orNull(rule('a column name', (v) => typeof v === 'string' && v !== '')),
    labelColumn: orNull(rule('a column name', (v) => typeof v === 'string' && v !== '')),
    weight: positive,
  },
};
const HEAD_DEFAULTS = { name: '', task: 'seq-cls', data: null, validation: null, textColumn: null, labelColumn: null, weight: 1 };

/** Each head of `tasks` merged over HEAD_DEFAULTS (a list rule, so the heads are checked here with their paths). */
function mergeHeads(input: unknown, errors: ConfigFieldError[]): TaskHeadConfig[] | null {
  if (!Array.isArray(input)) return null;
  return input.map((head, i) => mergeObject(HEAD_RULES, HEAD_DEFAULTS, head, `tasks[${i}]`, errors) as unknown as TaskHeadConfig);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A short rendering of a found value for error messages. */
function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Levenshtein distance, for "did you mean" on misspelt keys. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

function unknownKey(key: string, known: string[]): string {
  const near = known
    .map((k) => ({ k, d: editDistance(key.toLowerCase(), k.toLowerCase()) }))
    .filter(({ d }) => d <= Math.max(2, Math.floor(key.length / 3)))
    .sort((x, y) => x.d - y.d)[0];
  return near ? `no such field (did you mean "${near.k}"?)` : `no such field (known: ${known.join(', ')})`;
}

/** Deep copy of plain JSON data, so that a config never aliases its input or the defaults. */
function copyJson<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/** Merges input over defaults for one object level, collecting errors with dotted paths. */
function mergeObject(
  rules: ObjectRule,
  defaults: Record<string, unknown>,
  input: unknown,
  path: string,
  errors: ConfigFieldError[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(rules.fields)) out[key] = copyJson(defaults[key]);
  if (!isPlainObject(input)) {
    errors.push({ path: path || '(config)', expected: 'an object', found: describe(input) });
    return out;
  }
  const known = Object.keys(rules.fields);
  for (const [key, value] of Object.entries(input)) {
    const where = path ? `${path}.${key}` : key;
    const r = Object.hasOwn(rules.fields, key) ? rules.fields[key] : undefined;
    if (r === undefined) {
      errors.push({ path: where, expected: unknownKey(key, known), found: describe(value) });
    } else if ('fields' in r) {
      if (r.nullable !== undefined && value === null) out[key] = null;
      else out[key] = mergeObject(r, (r.nullable ?? defaults[key]) as Record<string, unknown>, value, where, errors);
    } else if (r.ok(value)) {
      out[key] = copyJson(value);
    } else {
      errors.push({ path: where, expected: r.expected, found: describe(value) });
    }
  }
  return out;
}

/** Checks that involve more than one field; run only on fields that passed their own rules. */
function crossChecks(config: TrainConfig, bad: Set<string>, errors: ConfigFieldError[]): void {
  const { schedule, task } = config;
  if (!bad.has('schedule.minLr') && !bad.has('learningRate') && schedule.minLr >= config.learningRate) {
    errors.push({
      path: 'schedule.minLr',
      expected: `a number below learningRate (${config.learningRate})`,
      found: describe(schedule.minLr),
    });
  }
  if (!bad.has('problemType') && !bad.has('task') && config.problemType === 'multi_label_classification' && task !== 'seq-cls') {
    errors.push({ path: 'problemType', expected: `"single_label_classification" for task "${task}" (several labels per example are sequence classification)`, found: describe(config.problemType) });
  }
  if (!bad.has('task') && task === 'mlm') {
    for (const [path, off] of [['classWeights', config.classWeights === 'none'], ['focalGamma', config.focalGamma === 0], ['windows', config.windows === null]] as const) {
      if (!bad.has(path) && !off) errors.push({ path, expected: 'its default for masked-LM training (it applies to the classification tasks)', found: describe(config[path]) });
    }
  }
  if (!bad.has('labelSmoothing') && !bad.has('problemType') && config.labelSmoothing > 0 && config.problemType === 'multi_label_classification') {
    errors.push({ path: 'labelSmoothing', expected: '0 for multi-label classification (binary cross-entropy has no label smoothing)', found: describe(config.labelSmoothing) });
  }
  if (!bad.has('labelSmoothing') && !bad.has('focalGamma') && config.labelSmoothing > 0 && config.focalGamma > 0) {
    errors.push({ path: 'focalGamma', expected: '0 when labelSmoothing is set (focal loss and label smoothing do not combine here)', found: describe(config.focalGamma) });
  }
  if (config.windows !== null && !bad.has('windows.stride') && !bad.has('maxLength') && config.windows.stride > config.maxLength / 2) {
    errors.push({ path: 'windows.stride', expected: `at most half of maxLength (${Math.floor(config.maxLength / 2)}), so that each window moves on`, found: describe(config.windows.stride) });
  }
  const badUnder = (path: string) => [...bad].some((b) => b === path || b.startsWith(`${path}.`) || b.startsWith(`${path}[`));
  if (config.adapters !== null && config.lora !== null && !badUnder('lora') && !badUnder('adapters')) {
    errors.push({ path: 'adapters', expected: 'null when lora is set (one kind of adapter per run)', found: describe(config.adapters) });
  }
  if (config.adapters !== null && !bad.has('task') && task === 'mlm') {
    errors.push({ path: 'adapters', expected: 'null for masked-LM training (adapters train sequence and token classification here)', found: describe(config.adapters) });
  }
  if (config.tasks !== null && !badUnder('tasks')) {
    multiTaskChecks(config, config.tasks, bad, errors);
    return;
  }
  if (config.multiTask.watch !== null && !bad.has('multiTask.watch')) {
    errors.push({ path: 'multiTask.watch', expected: 'null without tasks (it names a head of a multi-task run)', found: describe(config.multiTask.watch) });
  }
  const metricPaths = ['earlyStopping.metric', 'schedule.plateau.metric'] as const;
  for (const path of metricPaths) {
    const value = path === 'earlyStopping.metric' ? config.earlyStopping.metric : schedule.plateau.metric;
    if (bad.has(path) || bad.has('task') || METRICS_BY_TASK[task].includes(value)) continue;
    errors.push({
      path,
      expected: `a metric that task "${task}" reports: ${METRICS_BY_TASK[task].join(', ')}`,
      found: describe(value),
    });
  }
}

/**
 * A multi-task run: distinct head names, `task` the first head's, the watched head one of them, the watched metric
 * reported by it (or, watching the mean, by every head), and what one run-wide setting cannot mean for several heads
 * refused: several labels per row, sliding windows, LoRA (a PEFT adapter has one head).
 */
function multiTaskChecks(config: TrainConfig, heads: TaskHeadConfig[], bad: Set<string>, errors: ConfigFieldError[]): void {
  const names = heads.map((h) => h.name);
  names.forEach((name, i) => {
    if (name === '' && !bad.has(`tasks[${i}].name`)) errors.push({ path: `tasks[${i}].name`, expected: 'a name of letters, digits, "-" and "_" (every head has one)', found: 'none' });
    else if (names.indexOf(name) !== i && !bad.has(`tasks[${i}].name`)) errors.push({ path: `tasks[${i}].name`, expected: 'a name no other head has', found: describe(name) });
  });
  if (!bad.has('task') && !bad.has('tasks[0].task') && config.task !== heads[0].task) {
    errors.push({ path: 'task', expected: `the first head's task ("${heads[0].task}"): the primary head is exported as the model`, found: describe(config.task) });
  }
  for (const [path, off, why] of [
    ['problemType', config.problemType === 'single_label_classification', 'one label per row in a multi-task run'],
    ['windows', config.windows === null, 'null in a multi-task run (each head reads its texts cut to maxLength)'],
    ['lora', config.lora === null, 'null in a multi-task run (a PEFT adapter saves one head; bottleneck adapters train with several)'],
  ] as const) {
    if (!off && !bad.has(path)) errors.push({ path, expected: why, found: describe(config[path]) });
  }
  const watch = config.multiTask.watch;
  const watched = watch === null ? heads : heads.filter((h) => h.name === watch);
  if (watch !== null && watched.length === 0 && !bad.has('multiTask.watch')) {
    errors.push({ path: 'multiTask.watch', expected: `a head's name (${names.join(', ')}), or null for the mean over the heads`, found: describe(watch) });
    return;
  }
  for (const path of ['earlyStopping.metric', 'schedule.plateau.metric'] as const) {
    const value = path === 'earlyStopping.metric' ? config.earlyStopping.metric : config.schedule.plateau.metric;
    const missing = watched.filter((h) => !METRICS_BY_TASK[h.task].includes(value));
    if (bad.has(path) || missing.length === 0) continue;
    errors.push({ path, expected: `a metric that ${watch === null ? 'every head' : `head "${watch}"`} reports (${missing[0].name}, ${missing[0].task}: ${METRICS_BY_TASK[missing[0].task].join(', ')})`, found: describe(value) });
  }
}

/** Validates a partial config merged over DEFAULT_TRAIN_CONFIG (deep for nested objects); lists every bad field. */
export function validateTrainConfig(input: unknown): TrainConfigResult {
  const errors: ConfigFieldError[] = [];
  // earlyStopping: null is accepted as "off": no early stop and no restoration.
  const normalised =
    isPlainObject(input) && input.earlyStopping === null
      ? { ...input, earlyStopping: { patience: null, restoreBest: false } }
      : input;
  const merged = mergeObject(
    TRAIN_CONFIG_RULES,
    DEFAULT_TRAIN_CONFIG as unknown as Record<string, unknown>,
    normalised,
    '',
    errors,
  ) as unknown as TrainConfig;
  if (merged.tasks !== null) merged.tasks = mergeHeads(merged.tasks, errors);
  crossChecks(merged, new Set(errors.map((e) => e.path)), errors);
  return errors.length === 0 ? { ok: true, config: merged } : { ok: false, errors };
}

/** Like validateTrainConfig, but throws TRAIN_CONFIG_INVALID naming every bad field. */
export function parseTrainConfig(input: unknown, file?: string): TrainConfig {
  const result = validateTrainConfig(input);
  if (result.ok) return result.config;
  const { errors } = result;
  const list = errors.map((e) => `${e.path}: expected ${e.expected}, found ${e.found}`).join('; ');
  const noun = errors.length === 1 ? 'field' : 'fields';
  throw new LayerwiseError('TRAIN_CONFIG_INVALID', `The training config has ${errors.length} bad ${noun}: ${list}`, {
    file,
    field: errors.map((e) => e.path).join(', '),
  });
}
