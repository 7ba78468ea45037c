// Engine health and engine-level errors, above every panel: a stalled or crashed worker is said plainly with a
// way out (restart), never left as a perpetual spinner (RELIABILITY F5, F6). A restart loads the built-in model again
// when that was the model (a folder of the user's is opened again), and the new engine offers the run it was training
// (shell/run-banner.tsx). A lost GPU device (F2) pauses the run on its last checkpoint; the engine asks for a new
// device by itself, and one click resumes the run there or on WASM (the model is loaded again on either). A browser without
// WebGPU, or without an adapter, is told once that the engine chose WASM, why, and how much slower to expect (F1).
import { useState } from 'react';
import { ErrorAlert } from '../components/error-alert';
import { Icon } from '../components/icons';
import { useEngine } from '../engine-context';
import { formatCount } from '../format';
import { DEFAULT_MODEL_NAME, loadDefaultModel } from '../features/model/default-model';
import { useResumeRun } from '../features/training/resume-card';
import type { UnfinishedRun } from '../../protocol/run-checkpoint';
import { useApp } from '../store/app-store';

const AFTER_LOSS = { wasm: 'on WASM', webgpu: 'on a new GPU device' } as const;

/**
 * The run the device loss paused, resumed on `backend` in the same click (the worker takes the commands in order);
 * no switch when the engine is on it already (the new device it asked for by itself).
 */
function ResumeOn({ run, backend, primary, disabled }: { run: UnfinishedRun; backend: keyof typeof AFTER_LOSS; primary: boolean; disabled: boolean }) {
  const engine = useEngine();
  const { resume } = useResumeRun(run);
  const there = useApp((s) => s.engine.backend === backend && s.engine.lost === null);
  return (
    <button
      type="button"
      className={`button button-small ${primary ? 'button-primary' : 'button-secondary'}`}
      disabled={disabled}
      onClick={() => {
        if (!there) engine.setBackend(backend);
        void resume();
      }}
    >
      Resume {AFTER_LOSS[backend]} from step {formatCount(run.info.step)}
    </button>
  );
}

/**
 * A lost GPU device (F2): said until the run it paused goes on (or, with no run, until another backend is ready),
 * with how the new device the engine asks for came along — asking, ready (the model loaded again on it), or none
 * (then only WASM is offered).
 */
function DeviceLost() {
  const engine = useEngine();
  const lost = useApp((s) => s.engine.lost);
  const renewal = useApp((s) => s.engine.renewal);
  const renewed = useApp((s) => s.engine.lost === null && s.engine.backend === 'webgpu');
  const paused = useApp((s) => (s.training.status === 'interrupted' ? s.training : null));
  const offer = useApp((s) => s.checkpoints.unfinished);
  const switching = useApp((s) => s.engine.requestedBackend !== null);
  const error = lost ?? paused?.error ?? null;
  if (error === null) return null;
  const run = offer !== null && paused !== null && offer.info.runId === paused.runId ? offer : null;
  const failed = renewal?.status === 'failed' ? renewal.error : null;
  const asking = lost !== null && failed === null;
  const device = renewed ? 'A new GPU device is ready: the model was loaded again on it.' : failed ? `No new GPU device: ${failed.message}` : 'Asking the browser for a new GPU device…';
  return (
    <ErrorAlert title="The GPU was lost" error={error}>
      <p className="alert-note" role="status" aria-label="New GPU device">
        {device}
      </p>
      <div className="alert-actions">
        {run !== null ? (
          <>
            {failed === null && <ResumeOn run={run} backend="webgpu" primary={renewed} disabled={asking} />}
            <ResumeOn run={run} backend="wasm" primary={!renewed} disabled={false} />
          </>
        ) : (
          <>
            <button type="button" className="button button-primary button-small" disabled={switching} onClick={() => engine.setBackend('wasm')}>
              Continue on WASM
            </button>
            {failed === null && !renewed && (
              <button type="button" className="button button-secondary button-small" disabled={switching || asking} onClick={() => engine.setBackend('webgpu')}>
                Try a new GPU device
              </button>
            )}
          </>
        )}
      </div>
    </ErrorAlert>
  );
}

/** The engine chose WASM because the browser offers no WebGPU adapter at all: why, and the slowdown to expect. */
function NoGpu() {
  const [dismissed, setDismissed] = useState(false);
  const reason = useApp((s) => s.engine.reason);
  const notices = useApp((s) => s.engine.notices);
  if (dismissed) return null;
  return (
    <div className="alert alert-warning" role="status" aria-label="No GPU">
      <span className="alert-icon">
        <Icon name="chip" size={20} />
      </span>
      <div className="alert-body">
        <p className="alert-title">Training runs on the CPU</p>
        <p className="alert-message">{reason}</p>
        {notices.map((n) => (
          <p key={n} className="alert-note">
            {n}
          </p>
        ))}
        <button type="button" className="button button-secondary button-small" onClick={() => setDismissed(true)}>
          Dismiss
        </button>
      </div>
    </div>
  );
}

export function EngineBanner() {
  const engine = useEngine();
  const status = useApp((s) => s.engine.status);
  const error = useApp((s) => s.engine.error);
  const dismiss = useApp((s) => s.dismissEngineError);
  const noGpu = useApp((s) => s.engine.chosenBy === 'auto' && s.engine.backend !== 'webgpu' && s.engine.probe !== null && s.engine.probe.adapter === null);
  const builtIn = useApp((s) => (s.model.current ?? s.model.pending)?.source === DEFAULT_MODEL_NAME);
  const stalledRun = useApp((s) => s.training.stalledFrom !== null || s.training.error?.code === 'ENGINE_CRASHED');
  const restart = (
    <button
      type="button"
      className="button button-secondary button-small"
      onClick={() => {
        engine.restart();
        if (builtIn) loadDefaultModel(engine);
      }}
    >
      <Icon name="refresh" size={16} /> Restart engine
    </button>
  );
  if (status === 'crashed') {
    return (
      <ErrorAlert title="The engine stopped" error={error ?? { code: 'WORKER_CRASHED', message: 'The engine worker stopped.' }}>
        <p className="alert-note">
          Restarting starts a fresh engine; {builtIn ? 'the built-in model is loaded again' : 'the model has to be opened again'}
          {stalledRun ? ', and the run can be resumed from its last checkpoint' : ''}.
        </p>
        {restart}
      </ErrorAlert>
    );
  }
  return (
    <>
      {status === 'unresponsive' && (
        <div className="alert alert-warning" role="alert">
          <span className="alert-icon">
            <Icon name="warning" size={20} />
          </span>
          <div className="alert-body">
            <p className="alert-title">The engine is not responding</p>
            <p className="alert-message">
              It has sent no heartbeat for more than 10 seconds. Wait, or restart it ({builtIn ? 'the built-in model is loaded again' : 'the loaded model is lost'}
              {stalledRun ? '; the run then resumes from its last checkpoint' : ''}).
            </p>
            {restart}
          </div>
        </div>
      )}
      {status === 'ready' && noGpu && <NoGpu />}
      <DeviceLost />
      {error && <ErrorAlert title="Engine error" error={error} onDismiss={dismiss} />}
    </>
  );
}
