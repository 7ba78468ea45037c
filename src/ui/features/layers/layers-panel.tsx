// The Layers panel: the model the run will train as a tree derived from its checkpoint names — the checkpoint's
// encoder with the head of the task being configured (store/run-model.ts), so a new head shows, and trains, from
// the start; clicks edit TrainConfig.freeze, presets and the pyramid edit freeze, gradualUnfreeze and layerDecay.
// Every number comes from planParameterGroups and effectiveLr on the config being edited, as the loop computes them.
import { useCallback, useMemo, useState } from 'react';
import { Card } from '../../components/card';
import { Later } from '../../components/later';
import { EmptyState } from '../../components/empty-state';
import { Icon } from '../../components/icons';
import { ErrorAlert } from '../../components/error-alert';
import { SelectField } from '../../components/fields';
import { NextStep } from '../../components/next-step';
import { PanelHeader } from '../../components/panel-header';
import { toErrorData } from '../../../lib/errors';
import type { ModelSummary } from '../../../protocol/messages';
import { effectiveLr, planParameterGroups, type ParameterGroupsPlan } from '../../../protocol/param-groups';
import { BACKEND_LABELS, TASK_LABELS, formatCount } from '../../format';
import { useApp } from '../../store/app-store';
import { useRunConfig } from '../../store/config-draft';
import { useRunModel, type RunModel } from '../../store/run-model';
import { LayerPresets, Pyramid, TrainableBudget } from './layer-controls';
import { layerTree, matchingPreset, nodeStates, presetFreeze, toggleSubtree, type LayerPreset } from './layer-plan';
import { LayerTree } from './layer-tree';
import { runMemoryPlan, secondsPerStep, withAdapters } from './memory';
import { latestStep } from '../../series';


/** Says which head the tree shows when the run makes it: the checkpoint has none for this task. */
function HeadNote({ run, model }: { run: RunModel; model: ModelSummary }) {
  if (!run.newHead) return null;
  const head = run.parameters.filter((p) => p.depth > model.num_hidden_layers).map((p) => p.name.split('.').slice(0, -1).join('.'));
  const modules = [...new Set(head)];
  return (
    <p className="inline-note" role="note">
      <Icon name="info" size={16} />
      <span>
        The checkpoint has no {TASK_LABELS[run.task].toLowerCase()} head: the run makes one
        {run.task === 'mlm' ? '' : ` for ${formatCount(run.classes)} ${run.classes === 1 ? 'class' : 'classes'}`} (
        {modules.map((m, i) => (
          <span key={m}>
            {i > 0 && ', '}
            <code>{m}</code>
          </span>
        ))}
        ), freshly initialised, and the tree shows it as the run will train it.
      </span>
    </p>
  );
}

function Layers({ model, run }: { model: ModelSummary; run: RunModel }) {
  const { config, derived } = useRunConfig();
  const patch = useApp((s) => s.configPatched);
  const backend = useApp((s) => s.engine.backend);
  const probe = useApp((s) => s.engine.probe);
  // LoRA's adapters are parameters of the run: nodes of the tree, and counted in the trainable share.
  const adapted = useMemo(() => withAdapters(run.parameters, config, model.num_hidden_layers), [run.parameters, config, model.num_hidden_layers]);
  const parameters = adapted.parameters;
  const tree = useMemo(() => layerTree(parameters), [parameters]);
  const [lastN, setLastN] = useState(() => Math.max(1, Math.ceil(model.num_hidden_layers / 3)));
  const [epochShown, setEpochShown] = useState(0);
  const L = model.num_hidden_layers;
  const names = useMemo(() => parameters.map((p) => p.name), [parameters]);
  const depthOf = useMemo(() => {
    const depth = new Map(parameters.map((p) => [p.name, p.depth]));
    return (n: string) => depth.get(n) ?? 0;
  }, [parameters]);
  const epoch = config.gradualUnfreeze === null ? 0 : Math.min(epochShown, Math.max(0, derived.epochs - 1));
  const planned = useMemo((): { plan: ParameterGroupsPlan; error: ReturnType<typeof toErrorData> | null } => {
    try {
      return { plan: planParameterGroups(names, depthOf, L, config, epoch), error: null };
    } catch (err) {
      return { plan: planParameterGroups(names, depthOf, L, { ...config, freeze: [], lrMultipliers: {} }, epoch), error: toErrorData(err) };
    }
  }, [names, depthOf, L, config, epoch]);
  const peakLr = useMemo(() => (scale: number) => effectiveLr(scale, derived.warmupSteps, derived.totalSteps, config), [derived, config]);
  const states = useMemo(() => nodeStates(tree, planned.plan, peakLr), [tree, planned.plan, peakLr]);
  const root = states.get('')!;
  // The last run's latest step and the way it ran, for the time estimates (none before a run).
  const lastStep = useApp((s) => latestStep(s.training.steps));
  const ran = useApp((s) => s.training.config);
  const ranMicro = useApp((s) => s.training.plan?.microBatchSize ?? null);
  const measured = useMemo(
    () =>
      lastStep && ran
        ? { seconds: lastStep.seconds, examples: ran.batchSize * ran.gradAccumulation, microBatch: ranMicro ?? ran.batchSize, checkpointing: ran.gradientCheckpointing, lora: ran.lora !== null }
        : null,
    [lastStep, ran, ranMicro],
  );
  const memoryPlan = useMemo(() => {
    try {
      return runMemoryPlan(model, run.parameters, run.classes, config, backend, probe);
    } catch {
      return null; // a freeze list or LoRA targets that name nothing: said above the tree
    }
  }, [model, run.parameters, run.classes, config, backend, probe]);
  const active = useMemo(() => matchingPreset(tree, parameters, L, config.freeze, config.gradualUnfreeze), [tree, parameters, L, config.freeze, config.gradualUnfreeze]);
  const gradualEvery = config.gradualUnfreeze ?? 1;
  const freeze = config.freeze;
  const onToggle = useCallback((path: string) => patch({ freeze: toggleSubtree(tree, freeze, path) }), [patch, tree, freeze]);

  function applyPreset(preset: LayerPreset, n = lastN) {
    if (preset === 'gradual') patch({ freeze: [], gradualUnfreeze: gradualEvery });
    else patch({ freeze: presetFreeze(tree, parameters, L, preset, n), gradualUnfreeze: null });
  }

  return (
    <>
      {planned.error && <ErrorAlert title="The freeze list does not fit this model" error={planned.error} />}
      {adapted.error && <ErrorAlert title="LoRA's targets do not fit this model" error={adapted.error} />}
      <div className="layers-grid">
        <Card
          title="Layer tree"
          description={`${formatCount(root.trainable)} of ${formatCount(root.total)} parameters train. Click a layer to freeze or unfreeze it with everything inside it.`}
        >
          <HeadNote run={run} model={model} />
          {config.gradualUnfreeze !== null && (
            <SelectField
              label="Show the plan of epoch"
              help="Gradual unfreezing changes what trains from epoch to epoch."
              value={String(epoch)}
              options={Array.from({ length: Math.max(1, derived.epochs) }, (_, e) => ({ value: String(e), label: `Epoch ${e + 1}` }))}
              onChange={(v) => setEpochShown(Number(v))}
            />
          )}
          <LayerTree key={run.task} tree={tree} states={states} onToggle={onToggle} />
        </Card>
        <Later minHeight={400}>
        <div className="layers-side">
          <LayerPresets
            active={active}
            numLayers={L}
            lastN={active?.preset === 'last-n' ? active.n : lastN}
            gradualEvery={gradualEvery}
            onPreset={(p) => applyPreset(p)}
            onLastN={(n) => {
              setLastN(n);
              applyPreset('last-n', n);
            }}
            onGradualEvery={(n) => patch({ freeze: [], gradualUnfreeze: n })}
          />
          {memoryPlan && (
            <TrainableBudget
              trainable={root.trainable}
              total={root.total}
              plan={memoryPlan}
              backendLabel={backend ? BACKEND_LABELS[backend] : 'WASM'}
              batchSize={config.batchSize}
              seqLength={Math.min(config.maxLength, model.max_position_embeddings)}
              onApply={patch}
              seconds={(o) => secondsPerStep(o, config, measured)}
              totalSteps={derived.totalSteps}
            />
          )}
        </div>
        </Later>
      </div>
      <Later minHeight={360}>
        <Pyramid layerDecay={config.layerDecay} onChange={(layerDecay) => patch({ layerDecay })} groups={planned.plan.groups} peakLr={peakLr} />
      </Later>
      <NextStep to="configure" label="Next: configure the run" />
    </>
  );
}

export function LayersPanel() {
  const model = useApp((s) => s.model.current);
  const run = useRunModel();
  return (
    <div className="panel-body">
      <PanelHeader title="Layers" description="Which parts of the model train, and how fast. Frozen layers keep their pretrained weights and cost no gradient memory." />
      {model && run ? (
        <Layers model={model} run={run} />
      ) : (
        <div className="card empty-card">
          <EmptyState icon="layers" title="No model loaded" action={<NextStep to="model" label="Open a model first" />}>
            <p>The layer tree is built from the checkpoint's parameter names once a model is loaded.</p>
          </EmptyState>
        </div>
      )}
    </div>
  );
}
