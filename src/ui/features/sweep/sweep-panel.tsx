// The Sweep panel (issue #18): a small hyperparameter search in the worker — grid or seeded random trials over the
// learning rate, batch size, layer decay, warmup, dropout, weight decay and freezing presets, every trial starting
// from Configure's config, within a trial budget, with successive halving of weak trials — as `layerwise sweep` runs
// it; the trials as they finish in a table sorted by a chosen metric and on a scatter, and "Use this trial's
// settings", which patches Configure's draft.
import { useMemo, useState } from 'react';
import { toErrorData, type LayerwiseErrorData } from '../../../lib/errors';
import { halvingPlan, planTrials, SWEEP_PARAMS, type PlannedTrial, type SweepConfig, type SweepParam, type TrialResult } from '../../../protocol/sweep';
import { METRIC_GOAL, METRICS_BY_TASK, type EvalMetric } from '../../../protocol/train-config';
import { Badge } from '../../components/badge';
import { Card } from '../../components/card';
import { ChartFigure } from '../../components/chart-figure';
import { ErrorAlert } from '../../components/error-alert';
import { CheckboxField, NumberField, SelectField, TextField } from '../../components/fields';
import { Icon } from '../../components/icons';
import { PanelHeader } from '../../components/panel-header';
import { ProgressBar } from '../../components/progress-bar';
import { useEngine } from '../../engine-context';
import { useApp } from '../../store/app-store';
import { useRunConfig } from '../../store/config-draft';
import { useRunModel } from '../../store/run-model';
import { isSweeping } from '../../store/sweep-slice';
import { METRIC_LABELS } from '../configure/config-sections';
import { whyBlocked } from '../configure/model-users';
import { layerTree, presetFreeze } from '../layers/layer-plan';
import { FREEZE_PRESETS, NUMERIC_PARAMS, sortResults, sweepFromDraft, trialPatch, type FreezePreset, type NumericParam, type SweepDraft } from './sweep-form';
import { scatterPoints, SweepScatter } from './sweep-scatter';

const PARAM_LABELS: Record<SweepParam, string> = {
  learningRate: 'Learning rate',
  batchSize: 'Batch size',
  layerDecay: 'Layer decay ξ',
  warmupRatio: 'Warmup ratio',
  dropout: 'Dropout',
  weightDecay: 'Weight decay',
  freeze: 'Freezing',
};

const PARAM_HELP: Record<NumericParam, string> = {
  learningRate: 'e.g. "1e-5 .. 1e-3 log" (random) or "1e-4, 3e-4, 1e-3".',
  batchSize: 'A list, e.g. "8, 16, 32".',
  layerDecay: 'e.g. "0.65, 0.8, 1" or "0.5 .. 1".',
  warmupRatio: 'Share of the steps warming up, e.g. "0, 0.06, 0.1".',
  dropout: 'Hidden and attention dropout together, e.g. "0, 0.1".',
  weightDecay: 'e.g. "0, 0.01" or "1e-4 .. 0.1 log".',
};

const PRESET_LABELS: Record<FreezePreset, string> = { all: 'All layers train', 'last-2': 'Last 2 layers and the head', 'head-only': 'Head only' };

/** A trial's value of one parameter as the table shows it. */
function valueText(param: SweepParam, value: number | string[] | undefined, presets: ReadonlyMap<string, FreezePreset>): string {
  if (value === undefined) return '—';
  if (Array.isArray(value)) return PRESET_LABELS[presets.get(JSON.stringify(value)) as FreezePreset] ?? (value.length === 0 ? 'none' : value.join(', '));
  return param === 'learningRate' || param === 'weightDecay' ? value.toExponential(2) : String(value);
}

function SweepForm({ draft, error, locked }: { draft: SweepDraft; error: LayerwiseErrorData | null; locked: boolean }) {
  const change = useApp((s) => s.sweepDraftChanged);
  const task = useApp((s) => s.config.draft.task);
  const fieldError = (field: string) => (error?.location?.field === field ? error.message : undefined);
  return (
    <Card title="Search space" description="Every trial starts from Configure's settings and changes only these. A list is tried as given; a range (min .. max, add log for a log scale) is drawn from, in random search.">
      <fieldset className="field-grid sweep-fieldset" disabled={locked}>
        <SelectField<SweepDraft['method']>
          label="Search"
          help={draft.method === 'grid' ? 'Every combination of the lists (within the budget).' : 'Trials drawn at random with the seed: the same seed, the same trials.'}
          value={draft.method}
          options={[
            { value: 'random', label: 'Random (seeded)' },
            { value: 'grid', label: 'Grid' },
          ]}
          onChange={(method) => change({ method })}
        />
        <NumberField label="Trial budget" help="Random search draws this many trials; a grid may not have more points." value={draft.trials} error={fieldError('trials')} onChange={(trials) => change({ trials })} />
        <NumberField label="Sweep seed" help="Draws the random trials (each run keeps Configure's seed)." value={draft.seed} error={fieldError('seed')} onChange={(seed) => change({ seed })} />
        <SelectField<EvalMetric>
          label="Rank trials by"
          help={`On the validation data; ${METRIC_GOAL[draft.metric] === 'min' ? 'lower' : 'higher'} is better.`}
          value={draft.metric}
          options={METRICS_BY_TASK[task].map((m) => ({ value: m, label: METRIC_LABELS[m] }))}
          error={fieldError('metric')}
          onChange={(metric) => change({ metric })}
        />
        {NUMERIC_PARAMS.map((param) => (
          <TextField
            key={param}
            label={PARAM_LABELS[param]}
            help={PARAM_HELP[param]}
            placeholder="not swept"
            value={draft.values[param]}
            error={fieldError(`space.${param}`)}
            onChange={(text) => change({ values: { ...draft.values, [param]: text } })}
          />
        ))}
      </fieldset>
      <fieldset className="field-grid sweep-fieldset" disabled={locked}>
        <legend className="field-label">Freezing presets (as the Layers panel's)</legend>
        {FREEZE_PRESETS.map((preset) => (
          <CheckboxField
            key={preset}
            label={PRESET_LABELS[preset]}
            checked={draft.freeze.includes(preset)}
            error={preset === 'head-only' ? fieldError('space.freeze') : undefined}
            onChange={(on) => change({ freeze: on ? FREEZE_PRESETS.filter((p) => p === preset || draft.freeze.includes(p)) : draft.freeze.filter((p) => p !== preset) })}
          />
        ))}
      </fieldset>
      <fieldset className="field-grid sweep-fieldset" disabled={locked}>
        <CheckboxField
          label="Successive halving"
          help="Every trial trains a short budget first; the best 1/η go on with η times more, and only the last rung trains the full epochs."
          checked={draft.halving !== null}
          error={fieldError('halving')}
          onChange={(on) => change({ halving: on ? { eta: 2, rungs: 2 } : null })}
        />
        {draft.halving !== null && (
          <>
            <NumberField label="η (keep 1/η)" help="At least 2." value={draft.halving.eta} onChange={(eta) => change({ halving: { ...(draft.halving as { eta: unknown; rungs: unknown }), eta } })} />
            <NumberField label="Rungs" help="Rounds of halving, at least 2." value={draft.halving.rungs} onChange={(rungs) => change({ halving: { ...(draft.halving as { eta: unknown; rungs: unknown }), rungs } })} />
          </>
        )}
      </fieldset>
      {error && error.location?.field === undefined && <ErrorAlert title="This sweep cannot run" error={error} />}
    </Card>
  );
}

function Results({ sweep, trials, results, presets }: { sweep: SweepConfig; trials: PlannedTrial[]; results: TrialResult[]; presets: ReadonlyMap<string, FreezePreset> }) {
  const patchConfig = useApp((s) => s.configPatched);
  const draft = useApp((s) => s.config.draft);
  const [sortBy, setSortBy] = useState<EvalMetric>(sweep.metric);
  const [used, setUsed] = useState<number | null>(null);
  const params = SWEEP_PARAMS.filter((p) => sweep.space[p] !== undefined);
  const metrics = METRICS_BY_TASK[trials[0]?.config.task ?? 'seq-cls'];
  const numeric = params.filter((p) => p !== 'freeze');
  const [xParam, setXParam] = useState<SweepParam>(numeric[0] ?? 'learningRate');
  const sorted = useMemo(() => sortResults(sweep, results, sortBy), [sweep, results, sortBy]);
  const points = useMemo(() => scatterPoints(results, xParam), [results, xParam]);
  const use = (id: number) => {
    const trial = trials.find((t) => t.id === id);
    if (trial === undefined) return;
    patchConfig(trialPatch(trial, draft));
    setUsed(id);
  };
  return (
    <Card
      title="Trials"
      description={`Each trial's result at each rung it reached, best first by ${METRIC_LABELS[sortBy].toLowerCase()}.`}
      actions={
        <SelectField<EvalMetric> label="Sort by" value={sortBy} options={metrics.map((m) => ({ value: m, label: METRIC_LABELS[m] }))} onChange={setSortBy} />
      }
    >
      {used !== null && (
        <p className="muted" role="status">
          Configure now has trial {used}&apos;s settings.
        </p>
      )}
      <div className="table-scroll">
        <table className="data-table" aria-label="Sweep trials">
          <thead>
            <tr>
              <th scope="col">Trial</th>
              <th scope="col" className="spaced">
                <span className="visually-hidden">Actions</span>
              </th>
              <th scope="col" className="spaced">
                Rung
              </th>
              {params.map((p) => (
                <th key={p} scope="col" className="spaced">
                  {PARAM_LABELS[p]}
                </th>
              ))}
              {metrics.map((m) => (
                <th key={m} scope="col" className="numeric" aria-sort={m === sortBy ? (METRIC_GOAL[m] === 'min' ? 'ascending' : 'descending') : undefined}>
                  {METRIC_LABELS[m]}
                </th>
              ))}
              <th scope="col" className="numeric">
                Time
              </th>
            </tr>
          </thead>
          <tbody>
            {sorted.map((r) => (
              <tr key={`${r.id}-${r.rung}`}>
                <th scope="row">{r.id}</th>
                <td className="spaced">
                  <button type="button" className="button button-ghost button-small nowrap" onClick={() => use(r.id)} aria-label={`Use trial ${r.id}'s settings`}>
                    Use settings
                  </button>
                </td>
                <td className="spaced tabular nowrap">
                  {r.rung + 1} · {Number(r.epochs.toFixed(3))} ep.
                </td>
                {params.map((p) => (
                  <td key={p} className="spaced tabular">
                    {valueText(p, r.values[p], presets)}
                  </td>
                ))}
                {metrics.map((m) => (
                  <td key={m} className="numeric tabular">
                    {r.metrics?.[m]?.toFixed(4) ?? (r.error ? <Badge tone="danger">{r.error}</Badge> : '—')}
                  </td>
                ))}
                <td className="numeric tabular">{r.seconds.toFixed(1)} s</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {numeric.length > 0 && points.length > 0 && (
        <ChartFigure
          title="Trials by setting"
          description={`${METRIC_LABELS[sweep.metric]} of each trial result against the setting; colour is the rung.`}
          actions={<SelectField<SweepParam> label="Across" value={xParam} options={numeric.map((p) => ({ value: p, label: PARAM_LABELS[p] }))} onChange={setXParam} />}
        >
          <SweepScatter points={points} xLabel={PARAM_LABELS[xParam]} yLabel={METRIC_LABELS[sweep.metric]} summary={`${points.length} trial results: ${METRIC_LABELS[sweep.metric]} against ${PARAM_LABELS[xParam]}.`} />
        </ChartFigure>
      )}
    </Card>
  );
}

export function SweepPanel() {
  const engine = useEngine();
  const state = useApp((s) => s.sweep);
  const dismiss = useApp((s) => s.dismissSweepError);
  const model = useApp((s) => s.model.current);
  const run = useRunModel();
  const { config, errors } = useRunConfig();
  const blocked = useApp((s) => whyBlocked(s, errors.length));
  const sweeping = isSweeping(state.status);
  // Each preset's freeze list for the run's model (the Layers panel's presets), and back from a list to its preset.
  const freezeOf = useMemo(() => {
    if (model === null || run === null) return () => [];
    const tree = layerTree(run.parameters);
    return (preset: FreezePreset) => presetFreeze(tree, run.parameters, model.num_hidden_layers, preset === 'last-2' ? 'last-n' : preset, 2);
  }, [model, run]);
  const presets = useMemo(() => new Map(FREEZE_PRESETS.map((p) => [JSON.stringify(freezeOf(p)), p])), [freezeOf]);
  const built = useMemo((): { sweep: SweepConfig; error: null } | { sweep: null; error: LayerwiseErrorData } => {
    try {
      return { sweep: sweepFromDraft(state.draft, config, freezeOf), error: null };
    } catch (err) {
      return { sweep: null, error: toErrorData(err) };
    }
  }, [state.draft, config, freezeOf]);
  const plan = built.sweep === null ? null : halvingPlan(built.sweep, planTrials(built.sweep).length, config.epochs);
  const { current } = state;
  const done = new Set(state.results.map((r) => `${r.id}-${r.rung}`)).size;
  const total = state.rungs.reduce((n, r) => n + r.trials, 0);
  return (
    <div className="panel-body">
      <PanelHeader
        title="Sweep"
        description="A small hyperparameter search on this model and dataset, in the worker: compare settings, keep the best. The same search runs headless with `layerwise sweep --config`."
        actions={
          sweeping ? (
            <button type="button" className="button button-secondary" disabled={state.status === 'stopping'} onClick={() => engine.stopSweep()}>
              <Icon name="stop" size={16} /> {state.status === 'stopping' ? 'Stopping…' : 'Stop sweep'}
            </button>
          ) : (
            <button type="button" className="button button-primary" disabled={blocked !== null || built.sweep === null} title={blocked ?? undefined} onClick={() => built.sweep && engine.startSweep(built.sweep)}>
              <Icon name="train" size={16} /> Start sweep
            </button>
          )
        }
      />
      {blocked !== null && !sweeping && <p className="muted">{blocked}</p>}
      {plan !== null && !sweeping && (
        <p className="muted">
          Plan: {plan.map((r, i) => `rung ${i + 1}: ${r.trials} trial${r.trials === 1 ? '' : 's'} × ${Number(r.epochs.toFixed(3))} epoch${r.epochs === 1 ? '' : 's'}`).join('; ')}
          {config.maxSteps !== null ? ` (at most ${config.maxSteps} steps each, as Configure says)` : ''}.
        </p>
      )}
      <SweepForm draft={state.draft} error={built.error} locked={sweeping} />
      {state.error && <ErrorAlert title="The sweep failed" error={state.error} onDismiss={dismiss} />}
      {sweeping && (
        <ProgressBar
          label={current ? `Trial ${current.id}, rung ${current.rung + 1} (${Number(current.epochs.toFixed(3))} epochs)` : 'Preparing the sweep'}
          value={current?.step ?? 0}
          max={current?.totalSteps ?? 0}
          text={`${done} of ${total} trial runs done${current && current.totalSteps > 0 ? ` · step ${current.step} of ${current.totalSteps}` : ''}`}
        />
      )}
      {(state.status === 'finished' || state.status === 'stopped') && (
        <p role="status" className="muted">
          {state.status === 'stopped' ? 'Stopped. ' : 'The sweep is done. '}
          {state.best ? `Best: trial ${state.best.id}, ${METRIC_LABELS[state.sweep?.metric ?? 'eval_loss'].toLowerCase()} ${state.best.score?.toFixed(4)}.` : 'No trial was scored.'}
        </p>
      )}
      {state.sweep !== null && state.results.length > 0 && <Results sweep={state.sweep} trials={state.trials} results={state.results} presets={presets} />}
    </div>
  );
}
