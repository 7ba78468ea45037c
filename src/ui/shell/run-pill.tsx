// The run in flight, seen from every panel: a pill in the header and a bar under the Train tab with the run's state
// and progress ("Training · step 120 of 900"); the pill opens the Train panel. Nothing shows without a run.
import { formatCount } from '../format';
import { useApp, type AppState } from '../store/app-store';
import { isActive, type RunStatus } from '../store/training-slice';

const STATE: Partial<Record<RunStatus, string>> = {
  preparing: 'Preparing',
  running: 'Training',
  pausing: 'Pausing',
  paused: 'Paused',
  stopping: 'Stopping',
};

/** One string, so that a component re-renders only when what it shows changes (not on every step's telemetry). */
export function progressKey(s: AppState): string {
  const t = s.training;
  if (!isActive(t.status)) return '';
  const step = t.steps.curve.at(-1)?.step ?? 0;
  return `${t.status}|${step}|${t.plan?.totalSteps ?? 0}`;
}

/** The run's state and progress, or null without a run in flight. */
export function runProgress(key: string): { label: string; step: number; total: number; status: RunStatus } | null {
  if (key === '') return null;
  const [status, step, total] = key.split('|');
  const s = status as RunStatus;
  return { label: STATE[s] ?? 'Training', step: Number(step), total: Number(total), status: s };
}

function useRunProgress(): { label: string; step: number; total: number; status: RunStatus } | null {
  return runProgress(useApp(progressKey));
}

export function RunPill() {
  const run = useRunProgress();
  const showPanel = useApp((s) => s.showPanel);
  return run === null ? null : <RunPillView {...run} onOpen={() => showPanel('train', true)} />;
}

/** The pill itself, from the run's state and progress. */
export function RunPillView(run: { label: string; step: number; total: number; status: RunStatus; onOpen: () => void }) {
  const share = run.total > 0 ? Math.round((100 * run.step) / run.total) : 0;
  const text = run.total > 0 ? `${run.label} · step ${formatCount(run.step)} of ${formatCount(run.total)}` : `${run.label}…`;
  return (
    <button type="button" className={`run-pill is-${run.status}`} aria-label={`Run in progress: ${text}. Open the Train panel`} onClick={run.onOpen}>
      <span className="run-pill-dot" aria-hidden="true" />
      <span className="tabular">{text}</span>
      {run.total > 0 && <span className="run-pill-share tabular">{share}%</span>}
    </button>
  );
}

/** The thin bar under the Train tab of the panel list. */
export function NavRunProgress() {
  const run = useRunProgress();
  if (run === null) return null;
  return (
    <progress
      className={`nav-run-progress is-${run.status}`}
      aria-label={`Training progress: ${run.label.toLowerCase()}`}
      value={run.total > 0 ? run.step : undefined}
      max={run.total > 0 ? run.total : undefined}
    />
  );
}
