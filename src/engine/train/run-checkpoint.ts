// A resumable training state as plain data (weights and AdamW moments as Float32Array maps), and its two files: a
// safetensors file of every tensor and a JSON manifest of everything else, which records the tensor file's length
// and checksum and is written last, so that a torn or truncated pair is refused (RELIABILITY F11, F13).
import * as tf from '@tensorflow/tfjs-core';
import { LayerwiseError } from '../../lib/errors';
import { readAll, bytesFile, type SourceFile } from '../../formats/source-file';
import { readSafetensorsHeader, readTensorFloat32, writeSafetensors } from '../../formats/safetensors';
import type { PlateauState } from '../../protocol/schedule';
import { parseTrainConfig, type TrainConfig } from '../../protocol/train-config';
import type { EvalMetrics, EvalRecord } from '../../protocol/train-events';
import { TASKS, type Task } from '../../protocol/task';
import type { EncodedDataset } from '../data/encode';
import type { EarlyStoppingState } from '../metrics/early-stopping';
import type { AdamW, AdamWParamState, AdamWState } from '../optim/adamw';
import type { ParamStore, ParamValues } from '../params/store';

/** Where the loop is: everything else of the position is derived from the seed (data order, masks, dropout). */
export interface TrainProgress {
  /** Optimizer steps done (skipped ones included). */
  step: number;
  /** The epoch the next step belongs to (0-based). */
  epoch: number;
  /** Index of the next step within its epoch. */
  window: number;
  /** Consecutive steps skipped for a non-finite loss or gradient norm. */
  skippedInARow: number;
  /** Non-padding tokens trained on so far. */
  tokens: number;
}

/** The best evaluation so far; with restoreBest, the weights of every parameter that can train at that point. */
export interface BestEvaluation {
  step: number;
  metrics: EvalMetrics;
  weights: Map<string, Float32Array> | null;
}

export interface RunCheckpoint {
  config: TrainConfig;
  task: Task;
  /** The training examples' count and hash: resuming on different data is refused. */
  data: { examples: number; hash: number };
  progress: TrainProgress;
  /** Every parameter, by checkpoint name. */
  weights: Map<string, ParamValues>;
  optimizer: AdamWState;
  plateau: PlateauState | null;
  earlyStopping: EarlyStoppingState;
  best: BestEvaluation | null;
  history: EvalRecord[];
}

export interface CheckpointFiles {
  /** checkpoint.json: write it after the tensors. */
  manifest: string;
  /** checkpoint.safetensors */
  tensors: Uint8Array;
}

export const CHECKPOINT_FORMAT = 'layerwise-train-checkpoint';
export const CHECKPOINT_VERSION = 1;

/** FNV-1a over the bytes: enough to tell a torn or edited file from the one the manifest describes. */
export function checksum(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h >>> 0;
}

/** JSON has no NaN or Infinity: they travel as {"$float": "NaN"} and come back as numbers. */
const encodeFloat = (_key: string, value: unknown): unknown =>
  typeof value === 'number' && !Number.isFinite(value) ? { $float: String(value) } : value;
const decodeFloat = (_key: string, value: unknown): unknown => {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === '$float') return Number((value as { $float: string }).$float);
  }
  return value;
};

const tensorName = (kind: 'weight' | 'exp_avg' | 'exp_avg_sq' | 'best', name: string) => `${kind}:${name}`;

export function encodeCheckpoint(c: RunCheckpoint): CheckpointFiles {
  const tensors: [string, ParamValues][] = [];
  const shapes = new Map<string, number[]>();
  for (const [name, w] of c.weights) {
    shapes.set(name, w.shape);
    tensors.push([tensorName('weight', name), w]);
  }
  for (const [name, s] of c.optimizer.params) {
    const shape = shapes.get(name) ?? [s.exp_avg.length];
    tensors.push([tensorName('exp_avg', name), { shape, data: s.exp_avg }], [tensorName('exp_avg_sq', name), { shape, data: s.exp_avg_sq }]);
  }
  for (const [name, data] of c.best?.weights ?? []) tensors.push([tensorName('best', name), { shape: shapes.get(name) ?? [data.length], data }]);
  const bytes = writeSafetensors(tensors, { format: CHECKPOINT_FORMAT });
  const manifest = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    tensorFile: { bytes: bytes.byteLength, checksum: checksum(bytes) },
    config: c.config,
    task: c.task,
    data: c.data,
    progress: c.progress,
    weights: [...c.weights.keys()],
    optimizer: { steps: c.optimizer.steps, params: [...c.optimizer.params].map(([name, s]) => [name, s.step]) },
    plateau: c.plateau,
    earlyStopping: c.earlyStopping,
    best: c.best && { step: c.best.step, metrics: c.best.metrics, weights: c.best.weights ? [...c.best.weights.keys()] : null },
    history: c.history,
  };
  return { manifest: `${JSON.stringify(manifest, encodeFloat, 1)}\n`, tensors: bytes };
}

function corrupt(message: string, file: string): never {
  throw new LayerwiseError('TRAIN_CHECKPOINT_CORRUPT', message, { file });
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isNameList = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/** Reads a checkpoint pair back; a manifest that does not describe the tensor file exactly is refused. */
export async function decodeCheckpoint(manifestText: string, tensorFile: SourceFile, manifestName = 'checkpoint.json'): Promise<RunCheckpoint> {
  let m: unknown;
  try {
    m = JSON.parse(manifestText, decodeFloat);
  } catch (err) {
    corrupt(`${manifestName} is not JSON (${(err as Error).message})`, manifestName);
  }
  if (!isObject(m) || m.format !== CHECKPOINT_FORMAT) corrupt(`${manifestName} is not a Layerwise training checkpoint`, manifestName);
  if (m.version !== CHECKPOINT_VERSION) corrupt(`${manifestName} has version ${String(m.version)}; this build reads version ${CHECKPOINT_VERSION}`, manifestName);
  const file = isObject(m.tensorFile) ? m.tensorFile : {};
  if (file.bytes !== tensorFile.size) {
    corrupt(`${tensorFile.name} has ${tensorFile.size} bytes, the manifest says ${String(file.bytes)}: the checkpoint is incomplete`, tensorFile.name);
  }
  const bytes = await readAll(tensorFile);
  if (checksum(bytes) !== file.checksum) corrupt(`${tensorFile.name} does not match its manifest's checksum`, tensorFile.name);
  const progress = m.progress as TrainProgress;
  const optimizer = m.optimizer as { steps: unknown; params: unknown };
  const best = m.best as { step: number; metrics: EvalMetrics; weights: unknown } | null;
  const data = m.data as { examples: unknown; hash: unknown };
  const wellFormed =
    typeof m.task === 'string' && (TASKS as readonly string[]).includes(m.task) &&
    isObject(progress) && ['step', 'epoch', 'window', 'skippedInARow', 'tokens'].every((k) => isCount((progress as unknown as Record<string, unknown>)[k])) &&
    isObject(data) && isCount(data.examples) && isCount(data.hash) &&
    isNameList(m.weights) && isObject(optimizer) && isCount(optimizer.steps) && Array.isArray(optimizer.params) &&
    optimizer.params.every((p) => Array.isArray(p) && typeof p[0] === 'string' && isCount(p[1])) &&
    isObject(m.earlyStopping) && Array.isArray(m.history) && (best === null || (isObject(best) && isCount(best.step)));
  if (!wellFormed) corrupt(`${manifestName} is missing fields or has fields of the wrong type`, manifestName);

  const source = bytesFile(tensorFile.name, bytes);
  const header = await readSafetensorsHeader(source);
  const read = async (name: string): Promise<ParamValues> => {
    const info = header.tensors.get(name);
    if (!info) corrupt(`${tensorFile.name} has no tensor ${name}`, tensorFile.name);
    return { shape: info.shape.map(Number), data: await readTensorFloat32(source, header, name) };
  };
  const weights = new Map<string, ParamValues>();
  for (const name of m.weights as string[]) weights.set(name, await read(tensorName('weight', name)));
  const params = new Map<string, AdamWParamState>();
  for (const [name, step] of optimizer.params as [string, number][]) {
    params.set(name, { step, exp_avg: (await read(tensorName('exp_avg', name))).data, exp_avg_sq: (await read(tensorName('exp_avg_sq', name))).data });
  }
  let bestWeights: Map<string, Float32Array> | null = null;
  if (best !== null && isNameList(best.weights)) {
    bestWeights = new Map();
    for (const name of best.weights) bestWeights.set(name, (await read(tensorName('best', name))).data);
  }
  return {
    config: parseTrainConfig(m.config, manifestName),
    task: m.task as Task,
    data: { examples: data.examples as number, hash: data.hash as number },
    progress: { ...progress },
    weights,
    optimizer: { steps: optimizer.steps as number, params },
    plateau: (m.plateau as PlateauState | null) ?? null,
    earlyStopping: m.earlyStopping as unknown as EarlyStoppingState,
    best: best === null ? null : { step: best.step, metrics: best.metrics, weights: bestWeights },
    history: m.history as EvalRecord[],
  };
}

/** Count and FNV-1a hash of the training examples' ids and labels (the order a run sees them derives from the seed). */
export function dataFingerprint(data: EncodedDataset): { examples: number; hash: number } {
  let h = 0x811c9dc5;
  const mix = (v: number) => {
    h = Math.imul(h ^ (v | 0), 0x01000193);
  };
  for (const e of data.examples) {
    mix(e.ids.length);
    for (const id of e.ids) mix(id);
    mix(e.label);
    for (const label of e.tokenLabels ?? []) mix(label);
  }
  return { examples: data.examples.length, hash: h >>> 0 };
}

function mismatch(message: string, field?: string): never {
  throw new LayerwiseError('TRAIN_RESUME_MISMATCH', message, field === undefined ? undefined : { field });
}

/**
 * Fields that only change how a batch is split into passes, not the gradient it gives (micro-batches accumulate to
 * the same sum; checkpointing recomputes the same activations): a run may resume with other values, as a run that ran
 * out of memory is offered smaller passes.
 */
const PASS_FIELDS: ReadonlySet<keyof TrainConfig> = new Set(['microBatchSize', 'gradientCheckpointing']);

/**
 * Puts a checkpoint's weights and optimizer state into a run that has the same config (but for PASS_FIELDS), task,
 * model and data; anything else is refused before a value changes.
 */
export function restoreCheckpoint(
  c: RunCheckpoint,
  run: { params: ParamStore; task: Task; config: TrainConfig; fingerprint: { examples: number; hash: number }; optimizer: AdamW },
): void {
  if (c.task !== run.task) mismatch(`the checkpoint trained task ${c.task}, this run ${run.task}`, 'task');
  const differing = (Object.keys(run.config) as (keyof TrainConfig)[]).filter((k) => !PASS_FIELDS.has(k) && JSON.stringify(c.config[k]) !== JSON.stringify(run.config[k]));
  if (differing.length > 0) mismatch(`the checkpoint's training config differs in ${differing.join(', ')}`, differing.join(', '));
  if (c.data.examples !== run.fingerprint.examples || c.data.hash !== run.fingerprint.hash) {
    mismatch(`the checkpoint was trained on other data (${c.data.examples} examples; this run has ${run.fingerprint.examples} that differ)`, 'data');
  }
  const names = run.params.names();
  const missing = names.filter((n) => !c.weights.has(n));
  const extra = [...c.weights.keys()].filter((n) => !run.params.has(n));
  if (missing.length > 0 || extra.length > 0) {
    mismatch(`the checkpoint's parameters differ from the model's (missing: ${missing.join(', ') || 'none'}; unknown: ${extra.join(', ') || 'none'})`);
  }
  for (const name of names) {
    const w = c.weights.get(name) as ParamValues;
    const shape = run.params.shape(name);
    if (w.shape.length !== shape.length || w.shape.some((d, i) => d !== shape[i]) || w.data.length !== run.params.get(name).size) {
      throw new LayerwiseError('TRAIN_RESUME_MISMATCH', `checkpoint tensor ${name} has shape [${w.shape.join(', ')}], the model [${shape.join(', ')}]`, { tensor: name });
    }
  }
  run.optimizer.setState(c.optimizer);
  for (const name of names) {
    const w = c.weights.get(name) as ParamValues;
    tf.tidy(() => run.params.assign(name, tf.tensor(w.data, w.shape, 'float32')));
  }
}
