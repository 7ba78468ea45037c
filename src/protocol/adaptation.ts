// "Adapt to my text": continued masked-LM training of the loaded model on unlabeled text before fine-tuning
// (domain/task-adaptive pretraining, Gururangan et al. 2020, "Don't Stop Pretraining"). Settings, their
// validation, the held-out share and the step cap as pure data shared by the studio's form and the worker's run.
import type { DatasetReadChoices } from './dataset-summary';
import { deriveSchedule } from './schedule';
import { DEFAULT_TRAIN_CONFIG, parseTrainConfig, type ConfigFieldError, type TrainConfig } from './train-config';

/** Where the text comes from: the text column of the loaded training dataset (labels ignored), or its own file. */
export type AdaptTextSource = { kind: 'dataset' } | { kind: 'file'; file: File; choices: DatasetReadChoices };

/** How long to train: passes over the text (capped at ADAPT_STEP_CAP steps), or an exact number of steps. */
export type AdaptLength = { unit: 'epochs'; epochs: number } | { unit: 'steps'; steps: number };

export interface AdaptSettings {
  length: AdaptLength;
  /** Peak learning rate (linear warmup over 6% of the steps, then linear decay, as RoBERTa and DAPT). */
  learningRate: number;
  /** Mask all subwords of a word together (DataCollatorForWholeWordMask). */
  wholeWord: boolean;
  /** Tokens per example; a longer line becomes consecutive windows of this length (encode.ts 'window' mode). */
  maxLength: number;
  batchSize: number;
}

export const DEFAULT_ADAPT_SETTINGS: Readonly<AdaptSettings> = {
  length: { unit: 'epochs', epochs: 1 },
  learningRate: 1e-4,
  wholeWord: true,
  maxLength: 128,
  batchSize: 16,
};

/** Most optimizer steps an epoch-based adaptation takes: a few minutes on WASM for the built-in model. */
export const ADAPT_STEP_CAP = 500;

/** Held-out text for the masked-LM evaluation: 5% of the lines, only from 100 lines on, at most 500 lines. */
export const ADAPT_HELD_OUT = { share: 0.05, minLines: 100, maxLines: 500 } as const;

/** Evaluations on the held-out lines during a run (the Trainer adds one on the final weights). */
const ADAPT_EVALUATIONS = 4;
/** The masking probability of BERT and run_mlm.py. */
const MLM_PROBABILITY = 0.15;
/** Longest window the form accepts: BERT-family position tables hold 512 at most. */
const MAX_ADAPT_LENGTH = 512;

/** Lines held out of `lines` for evaluation (0: too few to spare any). */
export function heldOutLines(lines: number): number {
  if (lines < ADAPT_HELD_OUT.minLines) return 0;
  return Math.min(ADAPT_HELD_OUT.maxLines, Math.round(lines * ADAPT_HELD_OUT.share));
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isInt = (v: unknown, min: number, max: number): v is number => Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max;
const shown = (v: unknown): string => (v === undefined ? 'nothing' : (JSON.stringify(v) ?? String(v)));

/** Every bad field of settings as typed in the form, by dotted path (the form shows each under its field). */
export function adaptSettingsErrors(s: AdaptSettings): ConfigFieldError[] {
  const errors: ConfigFieldError[] = [];
  const check = (path: string, ok: boolean, expected: string, value: unknown) => {
    if (!ok) errors.push({ path, expected, found: shown(value) });
  };
  if (s.length.unit === 'epochs') check('length.epochs', isNumber(s.length.epochs) && s.length.epochs > 0 && s.length.epochs <= 100, 'a number of epochs in (0, 100]', s.length.epochs);
  else check('length.steps', isInt(s.length.steps, 1, 1_000_000), 'a whole number of steps ≥ 1', s.length.steps);
  check('learningRate', isNumber(s.learningRate) && s.learningRate > 0 && s.learningRate < 1, 'a number in (0, 1)', s.learningRate);
  check('wholeWord', typeof s.wholeWord === 'boolean', 'true or false', s.wholeWord);
  check('maxLength', isInt(s.maxLength, 8, MAX_ADAPT_LENGTH), `a whole number of tokens in [8, ${MAX_ADAPT_LENGTH}]`, s.maxLength);
  check('batchSize', isInt(s.batchSize, 1, 1024), 'a whole number in [1, 1024]', s.batchSize);
  return errors;
}

/** The run's TrainConfig and step counts, once the number of training examples is known. */
export interface AdaptRun {
  config: TrainConfig;
  totalSteps: number;
  stepsPerEpoch: number;
  /** True when the epochs asked for would take more than ADAPT_STEP_CAP steps. */
  capped: boolean;
}

/**
 * The masked-LM TrainConfig of an adaptation over `examples` training windows: DEFAULT_TRAIN_CONFIG with task mlm,
 * the settings, 6% warmup, evaluations spread over the run, and the step cap or the exact step count.
 */
export function adaptRun(settings: AdaptSettings, examples: number, seed = DEFAULT_TRAIN_CONFIG.seed): AdaptRun {
  const batchesPerEpoch = Math.max(1, Math.ceil(examples / settings.batchSize));
  const { length } = settings;
  const epochs = length.unit === 'epochs' ? length.epochs : Math.ceil(length.steps / batchesPerEpoch);
  const maxSteps = length.unit === 'epochs' ? ADAPT_STEP_CAP : length.steps;
  const base = { ...DEFAULT_TRAIN_CONFIG, epochs, maxSteps, batchSize: settings.batchSize };
  const { totalSteps, stepsPerEpoch } = deriveSchedule(base, batchesPerEpoch);
  const config = parseTrainConfig({
    ...base,
    task: 'mlm',
    seed,
    learningRate: settings.learningRate,
    maxLength: settings.maxLength,
    schedule: { ...DEFAULT_TRAIN_CONFIG.schedule, type: 'linear', warmupRatio: 0.06 },
    validationSplit: 0,
    evalEvery: Math.max(1, Math.ceil(totalSteps / ADAPT_EVALUATIONS)),
    mlm: { probability: MLM_PROBABILITY, wholeWord: settings.wholeWord },
  });
  return { config, totalSteps, stepsPerEpoch, capped: length.unit === 'epochs' && Math.ceil(length.epochs * stepsPerEpoch) > ADAPT_STEP_CAP };
}

/** One step of a run's preparation, for its progress line. */
export type AdaptPhase = 'read' | 'model' | 'tokenise';

/** What an adaptation will train on, reported when its first step is about to run. */
export interface AdaptPlan {
  /** The text's name as the studio shows it: "notes.txt", or "reviews.csv (text column)". */
  text: string;
  /** Lines of text read (blank ones included), and those held out for evaluation. */
  lines: number;
  heldOutLines: number;
  /** Examples after cutting long lines into windows. */
  trainExamples: number;
  validationExamples: number;
  totalSteps: number;
  stepsPerEpoch: number;
  capped: boolean;
  maxLength: number;
}

/** An adaptation that changed the model, as the Model panel lists it. */
export interface AdaptationRecord {
  text: string;
  lines: number;
  /** Optimizer steps done, and planned (fewer done when the user stopped and kept the weights). */
  steps: number;
  totalSteps: number;
  /** Mean masked-LM training loss over the last steps (up to ten). */
  trainLoss: number;
  /** The last evaluation on the held-out lines; null when there were too few lines to hold any out. */
  evalLoss: number | null;
  /** Share of masked tokens predicted correctly in that evaluation. */
  maskedAccuracy: number | null;
  heldOutLines: number;
  learningRate: number;
  wholeWord: boolean;
  /** Stopped before the planned steps, its weights kept. */
  stopped: boolean;
}
