// Bottleneck adapters as the adapters library (AdapterHub, `adapters` 1.2.0) places, sizes and names them: pure, so
// that the engine adds exactly the adapters the studio's layer tree shows. A BottleneckLayer sits where a sub-block's
// output meets its residual (BertSelfOutput "mh_adapter", BertOutput "output_adapter"; methods/bottleneck.py), and
// holds Adapter modules under `adapters.<name>`: adapter_down = Sequential(Linear(H, d), act) and adapter_up =
// Linear(d, H) (methods/modeling.py), d = int(H // reduction_factor), at least 1.
import type { AdapterKind, AdapterNonLinearity, AdaptersConfig } from './train-config';

/** The adapters library's two locations in an encoder layer (BnConfig.mh_adapter, BnConfig.output_adapter). */
export type AdapterLocation = 'mh_adapter' | 'output_adapter';

/** Where a family's BottleneckLayer is: its module name (e.g. "bert.encoder.layer.0.attention.output"), location, layer. */
export interface AdapterSite {
  module: string;
  location: AdapterLocation;
  /** Encoder layer index (0-based). */
  layer: number;
}

/** The adapter's name (its key segment `adapters.<name>`, and adapter_config.json's "name"). */
export const BOTTLENECK_NAME = 'layerwise';

/** `${site}.adapters.${BOTTLENECK_NAME}`: the Adapter module of a site. */
export const bottleneckModule = (site: string): string => `${site}.adapters.${BOTTLENECK_NAME}`;

const BOTTLENECK_PARAM = /\.adapters\.[^.]+\.adapter_(down\.0|up)\.(weight|bias)$/;
/** A parameter of a bottleneck adapter (`….adapters.<name>.adapter_down.0.weight`, `….adapter_up.bias`, ...). */
export const isBottleneckName = (name: string): boolean => BOTTLENECK_PARAM.test(name);

/** Each kind's activation where the config leaves it null: DoubleSeqBnConfig "swish", SeqBnConfig "relu". */
export const KIND_NON_LINEARITY: Readonly<Record<AdapterKind, AdapterNonLinearity>> = { houlsby: 'swish', pfeiffer: 'relu' };

export function nonLinearityOf(adapters: AdaptersConfig): AdapterNonLinearity {
  return adapters.nonLinearity ?? KIND_NON_LINEARITY[adapters.kind];
}

/** The locations of a kind: Houlsby both (mh_adapter and output_adapter True), Pfeiffer output_adapter only. */
export function kindLocations(kind: AdapterKind): AdapterLocation[] {
  return kind === 'houlsby' ? ['mh_adapter', 'output_adapter'] : ['output_adapter'];
}

/**
 * Python's float floor division a // b for a, b > 0 (CPython float_floor_div: (a − fmod(a, b)) / b, then floored and
 * rounded), so that the bottleneck has the library's width for factors such as 0.1 too (768 // 0.1 is 7679).
 */
function pyFloorDiv(a: number, b: number): number {
  const mod = a % b;
  const div = (a - mod) / b;
  const floor = Math.floor(div);
  return div - floor > 0.5 ? floor + 1 : floor;
}

/** Bottleneck width: int(hidden_size // reduction_factor), at least 1 (BottleneckLayer.add_adapter, Adapter.__init__). */
export function bottleneckWidth(hidden: number, reductionFactor: number): number {
  return Math.max(1, pyFloorDiv(hidden, reductionFactor));
}

/** The sites a config uses among a family's. */
export function activeSites(sites: readonly AdapterSite[], adapters: AdaptersConfig): AdapterSite[] {
  const locations = kindLocations(adapters.kind);
  return sites.filter((s) => locations.includes(s.location));
}

/**
 * The adapters' parameters in the library's names and torch's layouts, site by site: adapter_down.0.weight [d, H],
 * adapter_down.0.bias [d], adapter_up.weight [H, d], adapter_up.bias [H].
 */
export function bottleneckShapes(sites: readonly AdapterSite[], hidden: number, adapters: AdaptersConfig): [string, number[]][] {
  const d = bottleneckWidth(hidden, adapters.reductionFactor);
  return activeSites(sites, adapters).flatMap((s): [string, number[]][] => {
    const m = bottleneckModule(s.module);
    return [
      [`${m}.adapter_down.0.weight`, [d, hidden]],
      [`${m}.adapter_down.0.bias`, [d]],
      [`${m}.adapter_up.weight`, [hidden, d]],
      [`${m}.adapter_up.bias`, [hidden]],
    ];
  });
}
