// The parameter plan of protocol/param-groups applied to a ParamStore for one epoch: which variables train
// (freezing, ULMFiT gradual unfreezing), each parameter's AdamW learning rate and weight decay at a step (the
// pyramid layerDecay × lrMultipliers scale on the scheduled rate), and every group's rate for telemetry.
import { planParameterGroups, type GroupPlan, type ParameterGroupsPlan, type ParameterPlan } from '../../protocol/param-groups';
import type { TrainConfig } from '../../protocol/train-config';
import type { ModelConfig } from '../../formats/hf-config';
import type { ModelFamily } from '../models/index';
import type { ParamHyper } from '../optim/adamw';
import type { ParamStore } from '../params/store';

export class ParameterSchedule {
  private readonly names: string[];
  private readonly depthOf: (name: string) => number;
  private readonly numLayers: number;
  private readonly config: TrainConfig;
  /** Parameters that never train whatever the plan says (family.isFixed: DistilBERT's sinusoidal position table). */
  private readonly fixed: Set<string>;
  private byName = new Map<string, ParameterPlan>();
  private current: ParameterGroupsPlan;

  constructor(names: readonly string[], family: ModelFamily, modelConfig: ModelConfig, config: TrainConfig) {
    this.names = [...names];
    this.depthOf = (name) => family.depthOf(name, modelConfig);
    this.numLayers = modelConfig.num_hidden_layers;
    this.config = config;
    this.fixed = new Set(names.filter((n) => family.isFixed(n, modelConfig)));
    this.current = this.plan(0);
  }

  /** Re-plans for an epoch (0-based); only gradual unfreezing makes epochs differ. */
  plan(epoch: number): ParameterGroupsPlan {
    this.current = planParameterGroups(this.names, this.depthOf, this.numLayers, this.config, epoch);
    this.byName = new Map(this.current.params.map((p) => [p.name, p]));
    return this.current;
  }

  get groups(): GroupPlan[] {
    return this.current.groups;
  }

  /** Sets each variable's trainable flag from the current plan: a frozen one is left out of the gradients. */
  apply(store: ParamStore): void {
    for (const p of this.current.params) store.setTrainable(p.name, p.trainable && !this.fixed.has(p.name));
  }

  /** Names that train in some epoch of the run: everything but the `freeze` prefixes and, under LoRA, the base model. */
  everTrainable(): string[] {
    return this.current.params.filter((p) => (p.frozenBy === null || p.frozenBy === 'gradual-unfreeze') && !this.fixed.has(p.name)).map((p) => p.name);
  }

  /** AdamW's rate and decay for a parameter when the scheduled base rate is baseLr. */
  hyper(name: string, baseLr: number): ParamHyper {
    const p = this.byName.get(name);
    return p === undefined ? { lr: 0, weightDecay: 0 } : { lr: baseLr * p.lrScale, weightDecay: p.weightDecay };
  }

  /** Each group's learning rate at base rate baseLr, in plan order (0 for frozen groups). */
  groupRates(baseLr: number): { name: string; lr: number }[] {
    return this.current.groups.map((g) => ({ name: g.name, lr: baseLr * g.lrScale }));
  }
}
