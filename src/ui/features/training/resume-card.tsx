// Resumable runs in the Train panel (RELIABILITY F5, F8, F9, F10–F14): the one-tab notice, the offer to resume a run
// left unfinished by a reload or a crashed worker (with what the user must open again: the dataset is kept in the
// browser with the checkpoint, the built-in model is fetched again by the page, a model folder of the user's is
// opened again), the latest checkpoint of the run in hand, the run going on while the tab is hidden, and a failed
// checkpoint write with "Download checkpoint now". useResumeRun is shared with the banner every panel shows
// (shell/run-banner.tsx).
import { Card } from '../../components/card';
import { ErrorAlert } from '../../components/error-alert';
import { useEngine } from '../../engine-context';
import { formatBytes, formatCount, formatDateTime, formatElapsed } from '../../format';
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

/**
 * Whether the unfinished run can be resumed now (a model is open, its dataset is open or kept in the browser, no run
 * is in flight, no other tab trains), and the one click that resumes it (optionally in smaller passes).
 */
export function useResumeRun(run: UnfinishedRun) {
  const engine = useEngine();
  const lockHandle = useTrainingLock();
  const lock = useApp((s) => s.checkpoints.lock);
  const model = useApp((s) => s.model.current);
  const modelLoading = useApp((s) => s.model.pending !== null);
  const train = useApp((s) => s.dataset.train);
  const status = useApp((s) => s.training.status);
  const { info } = run;
  const modelOpen = model !== null && model.source === info.model.source;
  const dataOpen = train !== null && train.file === info.dataset.train.name;
  const ready = lock !== 'elsewhere' && !isActive(status) && model !== null && !modelLoading && (dataOpen || run.datasetKept);
  const resume = async (passes?: Parameters<typeof engine.continueRun>[1]) => {
    if (lockHandle && !(await lockHandle.acquire())) return;
    engine.continueRun(run, passes);
  };
  return { ready, modelOpen, dataOpen, blocked: lock === 'elsewhere' || isActive(status), resume, discard: () => engine.discardUnfinishedRun(run) };
}

function Offer({ run }: { run: UnfinishedRun }) {
  const { info } = run;
  const { ready, modelOpen, dataOpen, blocked, resume, discard } = useResumeRun(run);
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
          <button type="button" className="button button-primary" disabled={!ready} onClick={() => void resume()}>
            Resume run {info.name} from step {formatCount(info.step)} of {formatCount(info.totalSteps)}
          </button>
          <button type="button" className="button button-secondary" disabled={blocked} onClick={discard}>
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
        <li className={dataOpen || run.datasetKept ? 'is-ok' : 'is-missing'}>
          <strong>Dataset</strong>{' '}
          <bdi className="muted">
            {run.datasetKept
              ? `${[info.dataset.train, ...(info.dataset.validation ? [info.dataset.validation] : [])].map((f) => `${f.name} (${formatBytes(f.size)})`).join(' and ')}: a copy is kept in this browser with the checkpoint, and resuming reads it again as the run did.`
              : `Open ${info.dataset.train.name} (${formatBytes(info.dataset.train.size)}) again in the Dataset panel${info.dataset.validation ? `, and ${info.dataset.validation.name} as the validation file` : ''}. Resuming checks that the files are the same ones.`}
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
  const kept = c.kept !== null && c.kept.runId === runId ? c.kept : null;
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
      {kept && kept.error === null && isActive(status) && (
        <p className="muted small" aria-label="Dataset kept">
          A copy of {kept.files.join(' and ')} is kept with the checkpoint: resuming after a reload does not ask for it again.
        </p>
      )}
      {kept && kept.error !== null && <ErrorAlert title="The dataset was not kept with the checkpoint" error={kept.error} />}
      {(status === 'running' || status === 'pausing' || c.wentOnHidden !== null) && (
        <p className="muted small" role="note" aria-label="Training in the background">
          {c.wentOnHidden !== null
            ? `While this tab was hidden, training went on from step ${formatCount(c.wentOnHidden.from)} to step ${formatCount(c.wentOnHidden.to)}.`
            : 'Training goes on in the engine while this tab is hidden or another window is in front; progress is saved when you switch away.'}
        </p>
      )}
      {c.wasFrozen !== null && (
        <p className="muted small" role="note" aria-label="Page frozen">
          The browser froze this page for {formatElapsed(c.wasFrozen.ms / 1000)}; a checkpoint was asked for as it froze. The run was at step{' '}
          {formatCount(c.wasFrozen.from)} then, and at step {formatCount(c.wasFrozen.to)} when the page came back.
        </p>
      )}
    </>
  );
}

/**
 * A run that ran out of memory (RELIABILITY F3, F4): its weights and optimizer state are those of its last good
 * step, its last checkpoint is offered, and the pass that would fit is one click away — resumed from that checkpoint,
 * or, when none was taken yet, started again.
 */
function OutOfMemoryOffer() {
  const engine = useEngine();
  const lock = useTrainingLock();
  const t = useApp((s) => s.training);
  const unfinished = useApp((s) => s.checkpoints.unfinished);
  const patch = useApp((s) => s.configPatched);
  const retry = t.status === 'failed' && t.error?.code === 'TRAIN_OUT_OF_MEMORY' ? t.error.retryWith : undefined;
  const micro = retry?.microBatchSize;
  if (typeof micro !== 'number' || t.config === null) return null;
  const passes = { microBatchSize: micro, gradientCheckpointing: retry?.gradientCheckpointing === true };
  const offer = unfinished !== null && unfinished.info.runId === t.runId ? unfinished : null;
  const label = `micro-batches of ${formatCount(micro)}${passes.gradientCheckpointing ? ' with gradient checkpointing' : ''}`;
  const go = async () => {
    patch(passes);
    if (lock && !(await lock.acquire())) return;
    if (offer) engine.continueRun(offer, passes);
    else engine.startTraining({ ...t.config!, ...passes });
  };
  return (
    <div className="alert alert-warning" role="region" aria-label="Out of memory">
      <div className="alert-body">
        <p className="alert-title">This run needs smaller passes</p>
        <p className="alert-message">
          {offer
            ? `Its weights are those of step ${formatCount(offer.info.step)}, saved before memory ran out. Resuming in ${label} trains the same batches of ${formatCount(t.config.batchSize)}, summed pass by pass.`
            : `No checkpoint was taken before memory ran out. Starting again in ${label} trains the same batches of ${formatCount(t.config.batchSize)}, summed pass by pass.`}
        </p>
        <button type="button" className="button button-primary button-small" onClick={() => void go()}>
          {offer ? `Resume with ${label}` : `Start again with ${label}`}
        </button>
      </div>
    </div>
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
      <OutOfMemoryOffer />
      {unfinished && !elsewhere && <Offer run={unfinished} />}
      <RunCheckpoint />
      {storage === 'none' && <p className="muted small">{storageNote}</p>}
    </>
  );
}
