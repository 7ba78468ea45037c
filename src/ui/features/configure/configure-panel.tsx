// The Configure panel: every TrainConfig field with its default and one line of help, checked as the CLI checks
// it (validateTrainConfig, and planParameterGroups for prefixes that name no parameter), the learning-rate
// schedule of each parameter group previewed before training, "Check gradients", the config as JSON for the CLI and
// the run as a shareable recipe.
import { useMemo } from 'react';
import { Card } from '../../components/card';
import { Later } from '../../components/later';
import { NextStep } from '../../components/next-step';
import { PanelHeader } from '../../components/panel-header';
import { Icon } from '../../components/icons';
import { toErrorData } from '../../../lib/errors';
import { planParameterGroups } from '../../../protocol/param-groups';
import { useApp } from '../../store/app-store';
import { useRunConfig } from '../../store/config-draft';
import { useRunModel } from '../../store/run-model';
import { EvaluationSection, LayersSection, OptimizerSection, RegularisationSection, RunSection, ScheduleSection } from './config-sections';
import { LabelsAndLengthSection } from './task-sections';
import { TasksSection } from './tasks-card';
import { ScheduleChart } from './schedule-chart';
import { GradientCheckCard } from './gradient-check-card';
import { whyBlocked } from './model-users';
import { ShareRecipeCard } from '../recipe/share-recipe-card';

export function ConfigurePanel() {
  const draft = useApp((s) => s.config.draft);
  const set = useApp((s) => s.configFieldChanged);
  const reset = useApp((s) => s.configReset);
  const model = useApp((s) => s.model.current);
  const run = useRunModel();
  const { config, errors, batchesPerEpoch, fromData } = useRunConfig();
  const prefixError = useMemo(() => {
    if (!model || !run) return null;
    const depth = new Map(run.parameters.map((p) => [p.name, p.depth]));
    try {
      planParameterGroups(
        run.parameters.map((p) => p.name),
        (n) => depth.get(n) ?? 0,
        model.num_hidden_layers,
        config,
      );
      return null;
    } catch (err) {
      return toErrorData(err);
    }
  }, [model, run, config]);
  const fieldErrors = useMemo(() => {
    const map = new Map(errors.map((e) => [e.path, `Expected ${e.expected}; found ${e.found}.`]));
    if (prefixError) for (const field of (prefixError.location?.field ?? '').split(', ')) if (field) map.set(field, prefixError.message);
    return map;
  }, [errors, prefixError]);
  const props = { draft, errors: fieldErrors, set };
  const blocked = useApp((s) => whyBlocked(s, fieldErrors.size));
  const headPrefix = run?.parameters.at(-1)?.name.split('.')[0] ?? 'classifier';
  return (
    <div className="panel-body">
      <PanelHeader
        title="Configure"
        description="Every setting of the run, with defaults that suit fine-tuning BERT-size models. The same config drives the command line."
        actions={
          <button type="button" className="button button-secondary" onClick={reset}>
            <Icon name="refresh" size={16} /> Reset to defaults
          </button>
        }
      />
      {fieldErrors.size > 0 && (
        <div className="alert alert-warning" role="alert">
          <span className="alert-icon">
            <Icon name="warning" size={20} />
          </span>
          <div className="alert-body">
            <p className="alert-title">
              {fieldErrors.size === 1 ? '1 field needs attention' : `${fieldErrors.size} fields need attention`} before training can start
            </p>
            <ul className="alert-list">
              {[...fieldErrors].map(([path, message]) => (
                <li key={path}>
                  <code>{path}</code>: {message}
                </li>
              ))}
            </ul>
          </div>
        </div>
      )}
      <div className="card-row">
        <RunSection {...props} />
        <OptimizerSection {...props} />
      </div>
      <ScheduleSection {...props} />
      <LabelsAndLengthSection {...props} />
      <TasksSection {...props} />
      {model && run && (
        <Later minHeight={420}>
          <ScheduleChart config={config} batchesPerEpoch={batchesPerEpoch} fromData={fromData} parameters={run.parameters} numLayers={model.num_hidden_layers} />
        </Later>
      )}
      <Later minHeight={320}>
        <div className="card-row">
          <RegularisationSection {...props} />
          <EvaluationSection {...props} />
        </div>
      </Later>
      <Later minHeight={200}>
        <LayersSection {...props} headPrefix={headPrefix} />
      </Later>
      <Card title="As JSON" description="The validated config, as `layerwise train --config` reads it.">
        <details className="config-details">
          <summary>config.json</summary>
          <pre className="code-block" tabIndex={0} aria-label="Training config as JSON">
            {JSON.stringify(config, null, 2)}
          </pre>
        </details>
      </Card>
      <GradientCheckCard config={config} blocked={blocked} />
      <ShareRecipeCard config={config} valid={fieldErrors.size === 0} />
      <NextStep to="train" label="Next: train" />
    </div>
  );
}
