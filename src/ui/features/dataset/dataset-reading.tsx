// The read in flight: which file, how much of it has been read (a real progress bar), Cancel, and the first rows
// as soon as the reader has them (RELIABILITY D9: the preview comes before the whole file is parsed).
import { useEffect, useState } from 'react';
import { Icon } from '../../components/icons';
import { ProgressBar } from '../../components/progress-bar';
import { useEngine } from '../../engine-context';
import { formatBytes, formatDuration } from '../../format';
import type { PendingRead } from '../../store/dataset-slice';

export function DatasetReading({ pending }: { pending: PendingRead }) {
  const engine = useEngine();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, []);
  const preview = pending.preview;
  return (
    <section className="card loading-card" aria-label="Reading the dataset">
      <div className="loading-row" role="status">
        <span className="spinner" aria-hidden="true" />
        <div className="loading-text">
          <p className="loading-title">
            Reading <bdi>{pending.file}</bdi>
            {pending.role === 'validation' ? ' (validation file)' : ''}…
          </p>
          <p className="muted">
            {formatBytes(pending.bytesRead)} of {formatBytes(pending.size)} · parsed in the engine worker · {formatDuration(Math.max(0, now - pending.startedAt))}
          </p>
        </div>
        <button type="button" className="button button-secondary button-small" onClick={() => engine.cancelDatasetRead()}>
          <Icon name="close" size={14} /> Cancel
        </button>
      </div>
      <ProgressBar label="Dataset read progress" value={pending.bytesRead} max={pending.size} text={pending.size > 0 ? `${Math.round((100 * pending.bytesRead) / pending.size)}%` : undefined} />
      {preview && preview.rows.length > 0 && (
        <div className="table-scroll">
          <table className="data-table preview-table" aria-label="First rows, while reading">
            <thead>
              <tr>
                {preview.columns.map((c, i) => (
                  <th key={i} scope="col">
                    <bdi>{c}</bdi>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {preview.rows.map((row, r) => (
                <tr key={r}>
                  {row.map((cell, c) => (
                    <td key={c}>
                      <bdi className="cell-text">{cell}</bdi>
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
