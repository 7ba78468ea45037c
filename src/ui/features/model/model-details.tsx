// Tokenizer, task and labels, files and config.json of the loaded model. Labels and names come from user files,
// so they are rendered as text inside <bdi> (isolated from right-to-left overrides), never as HTML.
import { useState } from 'react';
import { Card } from '../../components/card';
import { FileTable } from '../../components/file-table';
import { Icon } from '../../components/icons';
import type { ModelSummary } from '../../../protocol/messages';
import { TASK_LABELS, formatBytes, formatCount, tokenizerLabel } from '../../format';

/** A 50k-label head must not render 50k chips before the user asks for them. */
const SHOWN_LABELS = 48;

export function TokenizerCard({ tokenizer }: { tokenizer: ModelSummary['tokenizer'] }) {
  return (
    <Card title="Tokenizer">
      {tokenizer ? (
        <>
          <p className="lead-value">{tokenizerLabel(tokenizer.kind)}</p>
          <ul className="chip-list" aria-label="Tokenizer files">
            {tokenizer.files.map((f) => (
              <li key={f} className="chip">
                <Icon name="file" size={14} />
                <bdi>{f}</bdi>
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p className="muted">No tokenizer in this folder: add tokenizer.json or vocab.txt to train on text.</p>
      )}
    </Card>
  );
}

export function TaskCard({ summary }: { summary: ModelSummary }) {
  const [showAll, setShowAll] = useState(false);
  const labels = showAll ? summary.labels : summary.labels.slice(0, SHOWN_LABELS);
  return (
    <Card title="Task and labels">
      <p className="lead-value">
        {TASK_LABELS[summary.task]} <code className="muted-code">{summary.task}</code>
      </p>
      {summary.task === 'mlm' ? (
        <p className="muted">Masked language modelling predicts tokens from the vocabulary; it has no labels.</p>
      ) : (
        <>
          <ol className="chip-list" aria-label="Labels">
            {labels.map((label, id) => (
              <li key={id} className="chip">
                <span className="chip-index tabular">{id}</span>
                <bdi>{label}</bdi>
              </li>
            ))}
          </ol>
          {summary.labels.length > SHOWN_LABELS && (
            <button type="button" className="button button-ghost button-small" onClick={() => setShowAll(!showAll)}>
              {showAll ? 'Show fewer labels' : `Show all ${formatCount(summary.labels.length)} labels`}
            </button>
          )}
        </>
      )}
    </Card>
  );
}

export function FilesCard({ files }: { files: ModelSummary['files'] }) {
  const sorted = [...files].sort((a, b) => a.name.localeCompare(b.name));
  const total = files.reduce((n, f) => n + f.size, 0);
  return (
    <Card title="Files" description={`${files.length} ${files.length === 1 ? 'file' : 'files'}, ${formatBytes(total)}. Read on this device; nothing is uploaded.`}>
      <FileTable files={sorted} label="Checkpoint files" />
    </Card>
  );
}

export function ConfigCard({ configJson }: { configJson: string }) {
  return (
    <Card title="Configuration" description="config.json as read from the folder.">
      <details className="config-details" open>
        <summary>config.json</summary>
        <pre className="code-block" tabIndex={0} aria-label="config.json">
          {configJson}
        </pre>
      </details>
    </Card>
  );
}
