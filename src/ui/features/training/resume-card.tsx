// Resumable runs in the Train panel (RELIABILITY F5, F8, F10–F14): the one-tab notice, the offer to resume a run
// left unfinished by a reload or a crashed worker (with what the user must open again: the browser keeps no copy
// of their files, only the built-in model is fetched again by the page), the latest checkpoint of the run in hand,
// and a failed checkpoint write with "Download checkpoint now".
import { Card } from '../../components/card';
import { ErrorAlert } from '../../components/error-alert';
import { useEngine } from '../../engine-context';
import { formatBytes, formatCount, formatDateTime } from '../../format';
import { useApp } from '../../store/app-store';
import { isActive } from '../../store/training-slice';
import type { UnfinishedRun } from '../../../protocol/run-checkpoint';
import { useTrainingLock } from './training-lock';

/** Where checkpoints are kept, for the details line (the headline just says "in this browser"). */
const STORAGE_LABELS = { opfs: 'OPFS', indexeddb: 'IndexedDB', none: 'nowhere' } as const;

function LockNotice() {
  const lock = useApp((s) => s.checkpoints.lock);
  if (lock === 'elsewhere') {
    return (
      <div className="alert alert-warning" role="status" aria-label="Training in another tab">
        <div className="alert-body">
          <p className="alert-title">Layerwise is training in another tab</p>
          <p className="alert-message">
            This tab can still browse models, datasets and the history, but it cannot start or resume a run: both tabs would write the same checkpoints. Close the
            other tab, or let its run end, to train here.
          </p>
        </div>
      </div>
    );
  }
  if (lock === 'unsupported') {
    return (
      <p className="muted small" role="note">
        This browser has no Web Locks: nothing stops a second Layerwise tab from training at the same time and overwriting this run’s checkpoints. Keep one tab open.
      </p>
    );
  }
  return null;
}

function Offer({ run }: { run: UnfinishedRun }) {
  const engine = useEngine();
  const lockHandle = useTrainingLock();
  const lock = useApp((s) => s.checkpoints.lock);
  const model = useApp((s) => s.model.current);
  const train = useApp((s) => s.dataset.train);
  const status = useApp((s) => s.training.status);
  const { info } = run;
  const modelOpen = model !== null && model.source === info.model.source;
  const dataOpen = train !== null && train.file === info.dataset.train.name;
  const resume = async () => {
    if (lockHandle && !(await lockHandle.acquire())) return;
    engine.continueRun(run);
  };
  return (
    <Card
      title="Unfinished run"
      className="resume-card"
      description={
        <>
          Saved in this browser on {formatDateTime(info.savedAt)}. Resuming continues exactly where it was saved; the steps after that are trained again.
          <span className="code-line">
            Stored in {STORAGE_LABELS[run.storage]}, slot {run.slot}
          </span>
        </>
      }
      actions={
        <>
          <button type="button" className="button button-primary" disabled={lock === 'elsewhere' || isActive(status) || model === null || train === null} onClick={() => void resume()}>
            Resume run {info.name} from step {formatCount(info.step)} of {formatCount(info.totalSteps)}
          </button>
          <button type="button" className="button button-secondary" disabled={lock === 'elsewhere' || isActive(status)} onClick={() => engine.discardUnfinishedRun(run)}>
            Discard
          </button>
        </>
      }
    >
      <ul className="checklist" aria-label="What resuming needs">
        <li className={modelOpen ? 'is-ok' : 'is-missing'}>
          <strong>Model</strong>{' '}
          <bdi className="muted">
            {info.model.fromSite
              ? `${info.model.source}: the built-in model, loaded again by the page.`
              : `Open the same model folder again in the Model panel: ${info.model.files.map((f) => `${f.name} (${formatBytes(f.size)})`).join(', ')}. The browser keeps no copy of your files.`}
            {info.model.adapted && ' This run started from weights adapted to your text, which were not saved: it cannot be resumed.'}
          </bdi>
        </li>
        <li className={dataOpen ? 'is-ok' : 'is-missing'}>
          <strong>Dataset</strong>{' '}
          <bdi className="muted">
            Open {info.dataset.train.name} ({formatBytes(info.dataset.train.size)}) again in the Dataset panel
            {info.dataset.validation ? `, and ${info.dataset.validation.name} as the validation file` : ''}. Resuming checks that the files are the same ones.
          </bdi>
        </li>
      </ul>
      {run.notes.map((n) => (
        <p key={n} className="muted small">
          {n}
        </p>
      ))}
    </Card>
  );
}

/** The run in hand: its latest checkpoint, or why the latest one could not be stored. */
function RunCheckpoint() {
  const engine = useEngine();
  const c = useApp((s) => s.checkpoints);
  const runId = useApp((s) => s.training.runId);
  const status = useApp((s) => s.training.status);
  const saved = c.saved !== null && c.saved.runId === runId ? c.saved : null;
  const download = (
    <button type="button" className="button button-secondary button-small" disabled={c.downloading !== null} onClick={() => engine.downloadCheckpoint()}>
      Download checkpoint now
    </button>
  );
  return (
    <>
      {c.error && (
        <ErrorAlert title={c.failedStep !== null ? `The checkpoint of step ${formatCount(c.failedStep)} was not stored` : 'Checkpoint'} error={c.error}>
          {download}
        </ErrorAlert>
      )}
      {isActive(status) && c.storage !== null && (
        <p className="muted small" aria-label="Checkpoint status">
          {saved
            ? `Progress saved at step ${formatCount(saved.step)}: a reload or a crash loses at most the steps after it.`
            : 'Progress is saved in this browser about every 30 s of training, at each evaluation and on pause.'}
          {c.persisted === false && ' The browser may remove it when space runs low (it did not grant lasting storage).'}
          {saved && (
            <span className="code-line">
              {formatBytes(saved.bytes)} in {STORAGE_LABELS[c.storage]}, slot {saved.slot}
            </span>
          )}
        </p>
      )}
    </>
  );
}

export function ResumeCard() {
  const unfinished = useApp((s) => s.checkpoints.unfinished);
  const storageNote = useApp((s) => s.checkpoints.storageNote);
  const storage = useApp((s) => s.checkpoints.storage);
  // While another tab trains, the stored run is that tab's.
  const elsewhere = useApp((s) => s.checkpoints.lock === 'elsewhere');
  return (
    <>
      <LockNotice />
      {unfinished && !elsewhere && <Offer run={unfinished} />}
      <RunCheckpoint />
      {storage === 'none' && <p className="muted small">{storageNote}</p>}
    </>
  );
}
