// The one worker protocol (DESIGN.md "Contracts"): ToWorker commands are verbs, FromWorker events are past tense.
// Plain, structured-cloneable data only; File handles are cloned (cheap), weight buffers would be transferred.
// Both unions are switched on exhaustively (`satisfies never`) by the worker host and the UI's engine client.
import type { LayerwiseErrorData } from '../lib/errors';
import type { Task } from './task';

/** The tfjs backends the studio can run on, fastest first. */
export type BackendName = 'webgpu' | 'wasm' | 'cpu';

export const BACKENDS: readonly BackendName[] = ['webgpu', 'wasm', 'cpu'];

/** What the browser offered when the worker probed it; shown next to the backend badge. */
export interface BackendProbe {
  /** navigator.gpu exists and the page is a secure context. */
  webgpuApi: boolean;
  /** The WebGPU adapter, when one was returned. */
  adapter: { vendor: string; architecture: string; description: string; isFallbackAdapter: boolean } | null;
  crossOriginIsolated: boolean;
  hardwareConcurrency: number;
}

/** A note from the loader about something it did or found (a rename, a new head, non-finite values). */
export interface LoaderMessage {
  level: 'info' | 'warning';
  /** Stable UPPER_SNAKE code, e.g. PARAM_RENAMED. */
  code: string;
  message: string;
  /** The checkpoint tensors it concerns, by their Hugging Face names. */
  tensors?: string[];
}

/** One parameter of the loaded model, by its checkpoint name (the layer tree is derived from these names). */
export interface ParameterInfo {
  name: string;
  shape: number[];
  /** Count of NaN/±Inf values found by the loader's pre-flight scan (RELIABILITY M17). */
  nonFinite: number;
}

/** Everything the UI shows about a loaded model: plain data, no tensors. HF field names stay verbatim. */
export interface ModelSummary {
  /** The folder the user opened, for display only. */
  source: string;
  /** Model family whose code computes it: bert, roberta, distilbert, electra. */
  family: string;
  /** config.json's model_type as written (e.g. xlm-roberta for the roberta family). */
  model_type: string;
  architectures: string[];
  task: Task;
  num_hidden_layers: number;
  hidden_size: number;
  num_attention_heads: number;
  intermediate_size: number;
  vocab_size: number;
  max_position_embeddings: number;
  /** Total number of scalar parameters in the store. */
  parameterCount: number;
  /** id2label in id order. */
  labels: string[];
  /** Tokenizer in use (kind: wordpiece, bpe, unigram); null when the folder has none. */
  tokenizer: { kind: string; files: string[]; maskToken: string | null } | null;
  /** The files the user gave, with sizes in bytes. */
  files: { name: string; size: number }[];
  messages: LoaderMessage[];
  parameters: ParameterInfo[];
  /** config.json as parsed, pretty-printed (rendered as text). */
  configJson: string;
  /** Wall time of the load in the worker, in milliseconds. */
  loadMs: number;
}

/** The loaded model's output for one text, in eval mode (no dropout); the shape follows the task head. */
export type Prediction =
  | {
      task: 'seq-cls';
      tokens: string[];
      /** One entry per label, in id order: the raw logit and its softmax probability. */
      labels: { label: string; logit: number; probability: number }[];
      truncated: boolean;
    }
  | {
      task: 'token-cls';
      /** Every token of the sequence with its most likely label; special tokens ([CLS], [SEP]) flagged. */
      tokens: { token: string; label: string; probability: number; special: boolean }[];
      truncated: boolean;
    }
  | {
      task: 'mlm';
      tokens: string[];
      /** For each mask token (by position in tokens), the most likely tokens. */
      masks: { position: number; candidates: { token: string; probability: number }[] }[];
      truncated: boolean;
    };

/** Commands from the UI to the engine worker. */
export type ToWorker =
  /** Load a checkpoint folder's files; the current model stays until this one has loaded. */
  | { type: 'loadModel'; loadId: number; source: string; files: File[] }
  /** The user's backend choice; overrides the automatic pick. */
  | { type: 'setBackend'; backend: BackendName }
  /** Run the loaded model on one text (the Model panel's "Try the model"). */
  | { type: 'predict'; requestId: number; text: string };

/** Events from the engine worker to the UI. */
export type FromWorker =
  /** A backend is initialised and in use: after start-up and after every successful setBackend. */
  | {
      type: 'ready';
      backend: BackendName;
      /** Why this backend, in a sentence a person understands. */
      reason: string;
      chosenBy: 'auto' | 'user';
      /** WASM thread count; 1 elsewhere. */
      threads: number;
      /** Things the user should know (no threads without cross-origin isolation, software GPU). */
      notices: string[];
      probe: BackendProbe;
    }
  /** setBackend could not initialise the requested backend; the previous one is still in use. */
  | { type: 'backendFailed'; backend: BackendName; error: LayerwiseErrorData }
  /** loadModel succeeded; the new model replaced the previous one. */
  | { type: 'modelLoaded'; loadId: number; summary: ModelSummary }
  /** loadModel failed; the previous model (if any) is untouched and still usable. */
  | { type: 'loadFailed'; loadId: number; source: string; error: LayerwiseErrorData }
  /** predict finished. */
  | { type: 'predicted'; requestId: number; prediction: Prediction }
  /** predict failed (no model, no tokenizer, no mask token in the text); nothing else changed. */
  | { type: 'predictFailed'; requestId: number; error: LayerwiseErrorData }
  /** An error outside any command (uncaught exception, unhandled rejection, undecodable message). */
  | { type: 'failed'; error: LayerwiseErrorData }
  /** Sent every HEARTBEAT_MS while the worker's event loop is alive. */
  | { type: 'heartbeat' };

/** Heartbeat period of the worker, and how long the UI waits before calling the engine unresponsive. */
export const HEARTBEAT_MS = 1000;
export const HEARTBEAT_TIMEOUT_MS = 10_000;
