// An unfinished run, seen from every panel (RELIABILITY F5, F8): after a reload or a restarted engine, a banner above
// the open panel offers to resume it in one click (the Train panel has the same offer with what resuming needs), and
// says so when the browser no longer holds the checkpoint of a run this tab left unfinished (F12).
import { CodedMessage } from '../components/coded-message';
import { Icon } from '../components/icons';
import { formatCount, formatDateTime } from '../format';
import { forgetRememberedRun } from '../features/training/page-lifecycle';
import { useResumeRun } from '../features/training/resume-card';
import { useApp } from '../store/app-store';
import { isActive } from '../store/training-slice';
import type { UnfinishedRun } from '../../protocol/run-checkpoint';

function Offer({ run }: { run: UnfinishedRun }) {
  const showPanel = useApp((s) => s.showPanel);
  const { ready, resume } = useResumeRun(run);
  const { info } = run;
  return (
    <div className="alert alert-warning run-banner" role="region" aria-label="Unfinished run">
      <span className="alert-icon">
        <Icon name="train" size={20} />
      </span>
      <div className="alert-body">
        <p className="alert-title">
          Unfinished run: <bdi>{info.name}</bdi>
        </p>
        <p className="alert-message">
          Saved at step {formatCount(info.step)} of {formatCount(info.totalSteps)} on {formatDateTime(info.savedAt)}.{' '}
          {ready ? 'Resuming continues exactly from there.' : 'Open its model first (the Train panel says what resuming needs).'}
        </p>
        <div className="alert-actions">
          <button type="button" className="button button-primary button-small" disabled={!ready} onClick={() => void resume()}>
            Resume from step {formatCount(info.step)}
          </button>
          <button type="button" className="button button-ghost button-small" onClick={() => showPanel('train', true)}>
            Details
          </button>
        </div>
      </div>
    </div>
  );
}

export function RunBanner() {
  const panel = useApp((s) => s.layout.panel);
  const unfinished = useApp((s) => s.checkpoints.unfinished);
  const evicted = useApp((s) => s.checkpoints.evicted);
  const elsewhere = useApp((s) => s.checkpoints.lock === 'elsewhere');
  const active = useApp((s) => isActive(s.training.status));
  const dismiss = useApp((s) => s.checkpointEvicted);
  // After a GPU loss the engine banner offers the run it paused, on WASM or a new device, instead.
  const deviceLost = useApp((s) => s.engine.lost !== null || s.training.status === 'interrupted');
  return (
    <>
      {evicted && (
        <div className="alert alert-warning" role="alert" aria-label="Checkpoint no longer available">
          <span className="alert-icon">
            <Icon name="warning" size={20} />
          </span>
          <div className="alert-body">
            <p className="alert-title">Checkpoint no longer available</p>
            <p className="alert-message">
              <CodedMessage
                code="CHECKPOINT_EVICTED"
                message={`The run ${evicted.name} was saved at step ${formatCount(evicted.step)} on ${formatDateTime(evicted.savedAt)}, but its checkpoint is no longer in this browser: the browser evicted it to free space, or this site’s data was cleared. It cannot be resumed; its curve is still in the History panel.`}
              />
            </p>
          </div>
          <button
            type="button"
            className="icon-button"
            aria-label="Dismiss"
            onClick={() => {
              forgetRememberedRun();
              dismiss(null);
            }}
          >
            <Icon name="close" size={16} />
          </button>
        </div>
      )}
      {/* The Train panel shows the same offer as a card, with what resuming needs. */}
      {unfinished && panel !== 'train' && !active && !elsewhere && !deviceLost && <Offer run={unfinished} />}
    </>
  );
}
