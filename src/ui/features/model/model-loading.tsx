// The load in flight: which folder, how much, for how long. role="status" announces it politely.
import { useEffect, useState } from 'react';
import { formatBytes, formatDuration } from '../../format';
import type { PendingLoad } from '../../store/model-slice';

export function ModelLoading({ pending }: { pending: PendingLoad }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, []);
  const name = pending.source !== '' ? pending.source : 'the selected files';
  return (
    <div className="card loading-card" role="status" aria-live="polite">
      <div className="loading-row">
        <span className="spinner" aria-hidden="true" />
        <div className="loading-text">
          <p className="loading-title">
            Loading <bdi>{name}</bdi>…
          </p>
          <p className="muted">
            {pending.fromSite
              ? 'Fetching its files from this site, then validating headers and reading weights in the engine worker'
              : `${pending.fileCount} ${pending.fileCount === 1 ? 'file' : 'files'} · ${formatBytes(pending.bytes)} · validating headers and reading weights in the engine worker`}
          </p>
        </div>
        <span className="loading-elapsed tabular">{formatDuration(Math.max(0, now - pending.startedAt))}</span>
      </div>
      <div className="progress-track" aria-hidden="true">
        <div className="progress-indeterminate" />
      </div>
    </div>
  );
}
