// A PEFT LoRA adapter folder's format, no tfjs: adapter_config.json as PEFT's LoraConfig writes and reads it
// (peft/tuners/lora/config.py; peft/config.py for peft_type, task_type, base_model_name_or_path) and the key names of
// adapter_model.safetensors (peft/utils/save_and_load.py get_peft_model_state_dict): `base_model.model.` + the
// model's name, the adapter name dropped — `…query.lora_A.weight`, and a modules_to_save module's own parameters.
import { LayerwiseError } from '../lib/errors';
import type { Task } from '../protocol/task';

export const ADAPTER_CONFIG = 'adapter_config.json';
export const ADAPTER_WEIGHTS = 'adapter_model.safetensors';
/** PeftModel wraps LoraModel wraps the transformers model: two prefixes on every key. */
export const PEFT_KEY_PREFIX = 'base_model.model.';

export const peftKey = (name: string): string => `${PEFT_KEY_PREFIX}${name}`;

/** PEFT's TaskType for the studio's tasks (masked-LM has none). */
const TASK_TYPES: Partial<Record<Task, string>> = { 'seq-cls': 'SEQ_CLS', 'token-cls': 'TOKEN_CLS' };

/** What a LoRA adapter is, read from or written to adapter_config.json. */
export interface PeftLoraConfig {
  r: number;
  loraAlpha: number;
  loraDropout: number;
  targetModules: string[];
  /** rank_pattern / alpha_pattern: a key names the end of a layer's name (PEFT get_pattern_key). */
  rankPattern: Record<string, number>;
  alphaPattern: Record<string, number>;
  /** scaling alpha / √r instead of alpha / r. */
  useRslora: boolean;
  modulesToSave: string[];
  task: Task | null;
  baseModel: string | null;
}

/** adapter_config.json with LoraConfig's fields as PEFT writes them (defaults where Layerwise has no such option). */
export function adapterConfigJson(c: PeftLoraConfig): Record<string, unknown> {
  const task = c.task === null ? null : (TASK_TYPES[c.task] ?? null);
  return {
    alpha_pattern: c.alphaPattern,
    auto_mapping: null,
    base_model_name_or_path: c.baseModel,
    bias: 'none',
    exclude_modules: null,
    fan_in_fan_out: false,
    inference_mode: true,
    init_lora_weights: true,
    layer_replication: null,
    layers_pattern: null,
    layers_to_transform: null,
    lora_alpha: c.loraAlpha,
    lora_bias: false,
    lora_dropout: c.loraDropout,
    modules_to_save: c.modulesToSave.length > 0 ? c.modulesToSave : null,
    peft_type: 'LORA',
    r: c.r,
    rank_pattern: c.rankPattern,
    revision: null,
    target_modules: c.targetModules,
    task_type: task,
    use_dora: false,
    use_rslora: c.useRslora,
  };
}

const bad = (message: string, field: string) => new LayerwiseError('PEFT_ADAPTER_CONFIG_INVALID', message, { file: ADAPTER_CONFIG, field });

function numberMap(value: unknown, field: string, integer: boolean): Record<string, number> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw bad(`${field} must be an object of layer names to numbers`, field);
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v !== 'number' || !(v > 0) || (integer && !Number.isInteger(v))) throw bad(`${field}["${k}"] must be a ${integer ? 'positive integer' : 'number > 0'}, found ${JSON.stringify(v)}`, field);
    out[k] = v;
  }
  return out;
}

/**
 * Reads adapter_config.json. Refused with a coded error: another PEFT method (PEFT_NOT_LORA), options whose weights
 * this engine cannot apply (DoRA, trained biases, fan_in_fan_out, a regex or "all-linear" target, layer subsets:
 * PEFT_ADAPTER_UNSUPPORTED), and malformed fields (PEFT_ADAPTER_CONFIG_INVALID).
 */
export function parseAdapterConfig(text: string): PeftLoraConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw bad(`${ADAPTER_CONFIG} is not JSON: ${(err as Error).message}`, '(file)');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw bad(`${ADAPTER_CONFIG} must hold an object`, '(file)');
  const c = raw as Record<string, unknown>;
  if (c.peft_type !== 'LORA') {
    throw new LayerwiseError('PEFT_NOT_LORA', `this adapter is PEFT's ${JSON.stringify(c.peft_type ?? null)}; Layerwise loads LoRA adapters`, { file: ADAPTER_CONFIG, field: 'peft_type' });
  }
  const unsupported = (field: string, why: string) => new LayerwiseError('PEFT_ADAPTER_UNSUPPORTED', `${field}: ${why}`, { file: ADAPTER_CONFIG, field });
  if (c.use_dora === true) throw unsupported('use_dora', 'DoRA adapters are not supported');
  if (c.fan_in_fan_out === true) throw unsupported('fan_in_fan_out', 'weights stored as [in, out] (GPT-2 Conv1D) are not supported');
  if (c.bias !== undefined && c.bias !== 'none') throw unsupported('bias', `bias "${String(c.bias)}" trains biases that this loader does not apply`);
  if (c.lora_bias === true) throw unsupported('lora_bias', 'adapters with a bias are not supported');
  if (c.layers_to_transform !== undefined && c.layers_to_transform !== null) throw unsupported('layers_to_transform', 'adapters on a subset of layers are not supported');
  if (typeof c.target_modules === 'string') throw unsupported('target_modules', `a pattern ("${c.target_modules}") instead of a list of layer names is not supported`);
  if (!Array.isArray(c.target_modules) || c.target_modules.length === 0 || !c.target_modules.every((t) => typeof t === 'string' && t !== '')) {
    throw bad('target_modules must be a non-empty list of layer names', 'target_modules');
  }
  const r = c.r ?? 8;
  if (typeof r !== 'number' || !Number.isInteger(r) || r < 1) throw bad(`r must be a positive integer, found ${JSON.stringify(r)}`, 'r');
  const alpha = c.lora_alpha ?? 8;
  if (typeof alpha !== 'number' || !(alpha > 0)) throw bad(`lora_alpha must be a number > 0, found ${JSON.stringify(alpha)}`, 'lora_alpha');
  const dropout = c.lora_dropout ?? 0;
  if (typeof dropout !== 'number' || !(dropout >= 0 && dropout < 1)) throw bad(`lora_dropout must be in [0, 1), found ${JSON.stringify(dropout)}`, 'lora_dropout');
  const save = c.modules_to_save ?? [];
  if (!Array.isArray(save) || !save.every((m) => typeof m === 'string')) throw bad('modules_to_save must be a list of module names, or null', 'modules_to_save');
  const taskType = c.task_type ?? null;
  const task = (Object.keys(TASK_TYPES) as Task[]).find((t) => TASK_TYPES[t] === taskType) ?? null;
  if (taskType !== null && task === null) throw unsupported('task_type', `task ${JSON.stringify(taskType)}; Layerwise's adapters are SEQ_CLS or TOKEN_CLS`);
  return {
    r,
    loraAlpha: alpha,
    loraDropout: dropout,
    targetModules: c.target_modules as string[],
    rankPattern: numberMap(c.rank_pattern, 'rank_pattern', true),
    alphaPattern: numberMap(c.alpha_pattern, 'alpha_pattern', false),
    useRslora: c.use_rslora === true,
    modulesToSave: save as string[],
    task,
    baseModel: typeof c.base_model_name_or_path === 'string' ? c.base_model_name_or_path : null,
  };
}
