// Engine health and engine-level errors, above every panel: a stalled or crashed worker is said plainly with a
// way out (restart), never left as a perpetual spinner (RELIABILITY F5, F6).
import { ErrorAlert } from '../components/error-alert';
import { Icon } from '../components/icons';
import { useEngine } from '../engine-context';
import { useApp } from '../store/app-store';

export function EngineBanner() {
  const engine = useEngine();
  const status = useApp((s) => s.engine.status);
  const error = useApp((s) => s.engine.error);
  const dismiss = useApp((s) => s.dismissEngineError);
  const restart = (
    <button type="button" className="button button-secondary button-small" onClick={() => engine.restart()}>
      <Icon name="refresh" size={16} /> Restart engine
    </button>
  );
  if (status === 'crashed') {
    return (
      <ErrorAlert title="The engine stopped" error={error ?? { code: 'WORKER_CRASHED', message: 'The engine worker stopped.' }}>
        <p className="alert-note">Restarting starts a fresh engine; the model has to be opened again.</p>
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
            <p className="alert-message">It has sent no heartbeat for more than 10 seconds. Wait, or restart it (the loaded model is lost).</p>
            {restart}
          </div>
        </div>
      )}
      {error && <ErrorAlert title="Engine error" error={error} onDismiss={dismiss} />}
    </>
  );
}
