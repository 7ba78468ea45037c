// What a run needs before it can start, pure of layout: the checklist the Train panel shows (engine, model, a dataset
// that fits the task — or the switch to the task it holds —, a valid configuration whose prefixes name parameters of
// the run's model), and starting a run: the training lock first (one tab trains at a time, RELIABILITY F10), then the
// command. The Dataset panel's "Train with defaults" starts a run through the same hook.
import { useMemo } from 'react';
import { toErrorData } from '../../../lib/errors';
import { planParameterGroups } from '../../../protocol/param-groups';
import type { Task } from '../../../protocol/task';
import { useEngine } from '../../engine-context';
import { BACKEND_LABELS, TASK_LABELS, formatCount } from '../../format';
import { isAdapting } from '../../store/adaptation-slice';
import { useApp, type AppState } from '../../store/app-store';
import { useRunConfig } from '../../store/config-draft';
import { dataTask, fitsTask } from '../../store/config-slice';
import { useRunModel } from '../../store/run-model';
import { isSweeping } from '../../store/sweep-slice';
import { isActive } from '../../store/training-slice';
import { useTrainingLock } from './training-lock';

export interface Check {
  ok: boolean;
  label: string;
  detail: string;
  fix?: { panel: 'model' | 'dataset' | 'configure'; label: string } | { task: Task; label: string };
}

export function usePreflight(): Check[] {
  const model = useApp((s) => s.model.current);
  const train = useApp((s) => s.dataset.train);
  const planError = useApp((s) => s.dataset.planError);
  const engineStatus = useApp((s) => s.engine.status);
  const backend = useApp((s) => s.engine.backend);
  const { config, errors } = useRunConfig();
  const run = useRunModel();
  const prefixError = useMemo(() => {
    if (!model || !run) return null;
    const depth = new Map(run.parameters.map((p) => [p.name, p.depth]));
    try {
      planParameterGroups(run.parameters.map((p) => p.name), (n) => depth.get(n) ?? 0, model.num_hidden_layers, config);
      return null;
    } catch (err) {
      return toErrorData(err).message;
    }
  }, [model, run, config]);
  const task = config.task;
  const fits = train !== null && fitsTask(task, train);
  // A file of the other task: switch to it here (after a run on rows, a CoNLL file).
  const switchTo = train !== null && !fits && (train.kind === 'tokens' || train.labelColumn !== null) ? dataTask(train) : null;
  const rows = train === null ? 0 : train.kind === 'tokens' ? train.sentenceCount : train.rowCount;
  return [
    {
      ok: engineStatus === 'ready',
      label: 'Engine',
      detail: engineStatus === 'ready' && backend ? `Running on ${BACKEND_LABELS[backend]}` : 'Starting the engine…',
    },
    {
      ok: model !== null && model.tokenizer !== null,
      label: 'Model',
      detail: model ? (model.tokenizer ? `${model.source || 'Checkpoint'} · ${formatCount(model.parameterCount)} parameters` : 'This checkpoint has no tokenizer') : 'No model loaded',
      fix: { panel: 'model', label: 'Open a model' },
    },
    {
      ok: fits && planError === null,
      label: 'Dataset',
      detail: train
        ? fits
          ? planError
            ? planError.message
            : `${train.file} · ${formatCount(rows)} ${train.kind === 'tokens' ? 'sentences' : 'rows'}`
          : `${train.file} holds ${train.kind === 'tokens' ? 'tagged sentences' : train.labelColumn === null ? 'rows without a label column' : 'labelled rows'}, which ${TASK_LABELS[task].toLowerCase()} cannot train on`
        : 'No dataset loaded',
      fix: switchTo !== null ? { task: switchTo, label: `Switch to ${TASK_LABELS[switchTo].toLowerCase()}` } : { panel: 'dataset', label: train ? 'Review the dataset' : 'Open a dataset' },
    },
    {
      ok: errors.length === 0 && prefixError === null,
      label: 'Configuration',
      detail: errors.length > 0 ? `${errors.length} ${errors.length === 1 ? 'field needs' : 'fields need'} attention` : (prefixError ?? `${config.epochs} epochs · batch ${config.batchSize} · learning rate ${config.learningRate}`),
      fix: { panel: 'configure', label: 'Review the configuration' },
    },
  ];
}


export const SWEEP_BLOCKS_START = 'A sweep is using the model: stop it in the Sweep panel or wait for it to end.';

/** A run cannot start while one trains, the model is being adapted or swept, or another tab holds the training lock. */
export function startBusy(s: AppState): boolean {
  return isActive(s.training.status) || isAdapting(s.adaptation.status) || isSweeping(s.sweep.status) || s.checkpoints.lock === 'elsewhere';
}

/**
 * Starts a run with the config being edited (after taking the training lock); busy while one cannot start, with the
 * reason where the page would not show it otherwise (a sweep uses the model: the worker would refuse SWEEP_IN_PROGRESS).
 */
export function useStartRun(): { start: () => Promise<boolean>; busy: boolean; why: string | null } {
  const engine = useEngine();
  const lock = useTrainingLock();
  const { config } = useRunConfig();
  const busy = useApp((s) => startBusy(s));
  const why = useApp((s) => (isSweeping(s.sweep.status) ? SWEEP_BLOCKS_START : null));
  const start = async () => {
    if (lock && !(await lock.acquire())) return false;
    engine.startTraining(config);
    return true;
  };
  return { start, busy, why };
}
