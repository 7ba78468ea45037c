// A bottleneck adapter as the adapters library (AdapterHub, `adapters` 1.2.0) saves it with model.save_adapter(dir,
// name, use_safetensors=True), no tfjs: adapter_config.json (configuration/model_adapters_config.py build_full_config:
// model_type, hidden_size, name, model_name, model_class, the BnConfig as a dict, version "adapters.1.2.0"; written by
// loading.py with json.dump(indent=2, sort_keys=True)) and adapter.safetensors (utils.py SAFE_WEIGHTS_NAME) holding the
// model's own names, e.g. bert.encoder.layer.0.output.adapters.<name>.adapter_down.0.weight. Two BnConfigs are
// supported, SeqBnConfig (Pfeiffer) and DoubleSeqBnConfig (Houlsby) with any reduction factor and activation.
import { LayerwiseError } from '../lib/errors';
import { ADAPTER_NON_LINEARITIES, type AdapterKind, type AdapterNonLinearity } from '../protocol/train-config';

export const BOTTLENECK_CONFIG = 'adapter_config.json';
export const BOTTLENECK_WEIGHTS = 'adapter.safetensors';
/**
 * The subfolder of a model folder that holds its adapter: the library's adapter_config.json cannot lie beside the
 * model's own files, where transformers takes an adapter_config.json for PEFT's and reads base_model_name_or_path.
 */
export const BOTTLENECK_FOLDER = 'adapter';
/** The library version whose files these are ("adapters." + __version__, so that it tells itself from adapter-transformers). */
export const ADAPTERS_VERSION = 'adapters.1.2.0';

export interface BottleneckConfigFile {
  kind: AdapterKind;
  reductionFactor: number;
  nonLinearity: AdapterNonLinearity;
  /** The adapter's name (its key segment). */
  name: string;
  hiddenSize: number | null;
  modelType: string | null;
}

/** BnConfig's fields (configuration/adapter_config.py) as SeqBnConfig / DoubleSeqBnConfig set them, the rest at BnConfig's defaults. */
function bnConfig(kind: AdapterKind, reductionFactor: number, nonLinearity: AdapterNonLinearity): Record<string, unknown> {
  return {
    adapter_residual_before_ln: false,
    cross_adapter: false,
    dropout: 0,
    factorized_phm_W: true,
    factorized_phm_rule: false,
    hypercomplex_nonlinearity: 'glorot-uniform',
    init_weights: 'bert',
    init_weights_seed: null,
    inv_adapter: null,
    inv_adapter_reduction_factor: null,
    is_parallel: false,
    learn_phm: true,
    leave_out: [],
    ln_after: false,
    ln_before: false,
    mh_adapter: kind === 'houlsby',
    non_linearity: nonLinearity,
    original_ln_after: true,
    original_ln_before: kind === 'pfeiffer',
    output_adapter: true,
    phm_bias: true,
    phm_c_init: 'normal',
    phm_dim: 4,
    phm_init_range: 0.0001,
    phm_layer: false,
    phm_rank: 1,
    reduction_factor: reductionFactor,
    residual_before_ln: true,
    scaling: 1,
    shared_W_phm: false,
    shared_phm_rule: true,
    stochastic_depth: 0,
    use_gating: false,
  };
}

/**
 * adapter_config.json's text, keys sorted as json.dump(sort_keys=True) writes them. `scaling` is written 1.0: the
 * library's Adapter takes a float scaling as a constant and rejects the int 1 ("Unknown scaling type").
 */
export function bottleneckConfigText(c: { kind: AdapterKind; reductionFactor: number; nonLinearity: AdapterNonLinearity; name: string; hiddenSize: number; modelType: string; modelClass: string; modelName: string | null }): string {
  const value = {
    config: bnConfig(c.kind, c.reductionFactor, c.nonLinearity),
    hidden_size: c.hiddenSize,
    model_class: c.modelClass,
    model_name: c.modelName,
    model_type: c.modelType,
    name: c.name,
    version: ADAPTERS_VERSION,
  };
  const text = JSON.stringify(value, null, 2).replace(/^(\s*"scaling": )1,$/m, '$11.0,');
  return `${text}\n`;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What Layerwise computes of a BnConfig: these fields must hold these values (the library's defaults for both kinds). */
const FIXED: Record<string, unknown> = {
  original_ln_after: true,
  residual_before_ln: true,
  adapter_residual_before_ln: false,
  ln_before: false,
  ln_after: false,
  is_parallel: false,
  use_gating: false,
  phm_layer: false,
  inv_adapter: null,
  stochastic_depth: 0,
};

/**
 * Reads the library's adapter_config.json: a SeqBnConfig-shaped adapter (output_adapter only, original_ln_before
 * true) is Pfeiffer, a DoubleSeqBnConfig-shaped one (mh_adapter and output_adapter, original_ln_before false)
 * Houlsby. Anything Layerwise does not compute (parallel adapters, their own LayerNorms, gating, PHM layers, layers
 * left out, a learned or other scaling, a per-layer reduction factor, another method) is ADAPTER_CONFIG_UNSUPPORTED
 * naming the field.
 */
export function parseBottleneckConfig(text: string, file = BOTTLENECK_CONFIG): BottleneckConfigFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new LayerwiseError('ADAPTER_CONFIG_INVALID', `${file} is not JSON: ${(err as Error).message}`, { file });
  }
  const unsupported = (field: string, why: string) => new LayerwiseError('ADAPTER_CONFIG_UNSUPPORTED', `${file}: ${field} ${why}`, { file, field });
  if (!isRecord(raw) || !isRecord(raw.config)) throw new LayerwiseError('ADAPTER_CONFIG_INVALID', `${file} must be an object with the adapter's "config" (the adapters library's adapter_config.json)`, { file, field: 'config' });
  const c = raw.config;
  if (c.architecture !== undefined && c.architecture !== null) throw unsupported('config.architecture', `is ${JSON.stringify(c.architecture)}: only bottleneck adapters (no architecture) are read`);
  for (const [key, want] of Object.entries(FIXED)) {
    const v = c[key] === undefined ? want : c[key];
    const same = typeof want === 'number' ? typeof v === 'number' && v === want : v === want;
    if (!same) throw unsupported(`config.${key}`, `is ${JSON.stringify(v)}; Layerwise computes ${JSON.stringify(want)} (the library's SeqBnConfig and DoubleSeqBnConfig)`);
  }
  if (c.scaling !== undefined && c.scaling !== 1) throw unsupported('config.scaling', `is ${JSON.stringify(c.scaling)}; Layerwise computes 1.0`);
  if (Array.isArray(c.leave_out) ? c.leave_out.length > 0 : c.leave_out !== undefined) throw unsupported('config.leave_out', `is ${JSON.stringify(c.leave_out)}; every layer has its adapter here`);
  let kind: AdapterKind;
  if (c.output_adapter !== true) throw unsupported('config.output_adapter', `is ${JSON.stringify(c.output_adapter)}; both kinds have an adapter after the feed-forward block`);
  if (c.mh_adapter === true && c.original_ln_before === false) kind = 'houlsby';
  else if (c.mh_adapter === false && c.original_ln_before === true) kind = 'pfeiffer';
  else throw unsupported('config.mh_adapter', `${JSON.stringify(c.mh_adapter)} with original_ln_before ${JSON.stringify(c.original_ln_before)} is neither Houlsby (true, false) nor Pfeiffer (false, true)`);
  const rf = c.reduction_factor;
  if (typeof rf !== 'number' || !(rf > 0)) throw unsupported('config.reduction_factor', `is ${JSON.stringify(rf)}; a number > 0 (one factor for every layer) is read`);
  const act = typeof c.non_linearity === 'string' ? c.non_linearity.toLowerCase() : c.non_linearity;
  if (!ADAPTER_NON_LINEARITIES.includes(act as AdapterNonLinearity)) throw unsupported('config.non_linearity', `is ${JSON.stringify(c.non_linearity)} (supported: ${ADAPTER_NON_LINEARITIES.join(', ')})`);
  if (typeof raw.name !== 'string' || !/^[^.\s]+$/.test(raw.name)) throw new LayerwiseError('ADAPTER_CONFIG_INVALID', `${file}: "name" must be the adapter's name, one segment without dots`, { file, field: 'name' });
  return {
    kind,
    reductionFactor: rf,
    nonLinearity: act as AdapterNonLinearity,
    name: raw.name,
    hiddenSize: typeof raw.hidden_size === 'number' ? raw.hidden_size : null,
    modelType: typeof raw.model_type === 'string' ? raw.model_type : null,
  };
}
