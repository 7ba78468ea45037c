// "Load from the Hub": a model id, a revision (main by default) and, under "Advanced", the endpoint. Nothing is
// requested until the user presses Load; then the engine worker downloads the files (progress bar) into this
// browser's cache and loads them like an opened folder. The page's CSP allows only the Hugging Face Hub and its CDN.
import { useState, type FormEvent } from 'react';
import { DEFAULT_HUB_ENDPOINT, DEFAULT_HUB_REVISION, type HubNote, type HubProgress } from '../../../protocol/hub';
import { Card } from '../../components/card';
import { CodedMessage } from '../../components/coded-message';
import { TextField } from '../../components/fields';
import { Icon } from '../../components/icons';
import { ProgressBar } from '../../components/progress-bar';
import { useEngine } from '../../engine-context';
import { formatBytes } from '../../format';
import { useApp } from '../../store/app-store';
import { activeHubDownload } from '../../store/hub-slice';

function progressText(p: HubProgress | null): string {
  if (p === null) return 'Connecting…';
  const bytes = p.total === null ? formatBytes(p.loaded) : `${formatBytes(p.loaded)} of ${formatBytes(p.total)}`;
  return `${p.file} · ${bytes} · ${p.filesDone} of ${p.filesTotal} files`;
}

function HubNotes({ source, notes }: { source: string; notes: HubNote[] }) {
  if (notes.length === 0) return null;
  return (
    <ul className="message-list" role="status" aria-label={`Notes on the download of ${source}`}>
      {notes.map((n) => (
        <li key={n.code} className={n.level === 'warning' ? 'message message-warning' : 'message'}>
          <span className="message-icon">
            <Icon name={n.level === 'warning' ? 'warning' : 'info'} size={16} />
          </span>
          <span className="message-body">
            <CodedMessage code={n.code} message={n.message} />
          </span>
        </li>
      ))}
    </ul>
  );
}

export function HubForm() {
  const engine = useEngine();
  const endpoint = useApp((s) => s.hub.endpoint);
  const setEndpoint = useApp((s) => s.hubEndpointChanged);
  const active = useApp(activeHubDownload);
  const finished = useApp((s) => (s.hub.download?.downloaded ? s.hub.download : null));
  const [id, setId] = useState('');
  const [revision, setRevision] = useState(DEFAULT_HUB_REVISION);
  const custom = endpoint.trim().replace(/\/+$/, '') !== DEFAULT_HUB_ENDPOINT;
  const host = custom ? endpoint.trim() : 'huggingface.co';

  function submit(e: FormEvent) {
    e.preventDefault();
    if (id.trim() === '' || active) return;
    engine.loadHubModel({ id: id.trim(), revision: revision.trim() === '' ? DEFAULT_HUB_REVISION : revision.trim(), endpoint: endpoint.trim() });
  }

  return (
    <Card
      title="Load from the Hugging Face Hub"
      description={
        <>
          Pressing Load downloads <code>config.json</code>, the safetensors weights and the tokenizer files from <bdi>{host}</bdi>. Nothing is
          requested before. Downloads are kept in this browser's cache and reused offline.
        </>
      }
    >
      <form className="try-form" onSubmit={submit} aria-label="Load from the Hub">
        <TextField label="Model id" value={id} onChange={setId} placeholder="google-bert/bert-base-uncased" help="owner/name, as in the model's Hub URL." />
        <TextField label="Revision" value={revision} onChange={setRevision} help="A branch, tag or commit hash." />
        <details className="config-details">
          <summary>Advanced</summary>
          <TextField
            label="Endpoint"
            value={endpoint}
            onChange={setEndpoint}
            placeholder={DEFAULT_HUB_ENDPOINT}
            help={
              <>
                A mirror in the Hub's layout (<code>/owner/name/resolve/revision/file</code>). This page's security policy lets it connect only to
                huggingface.co and its download hosts (*.hf.co); a mirror works where the studio is served with a policy that allows it. The command
                line takes <code>--hub-endpoint</code> or <code>HF_ENDPOINT</code>.
              </>
            }
          />
        </details>
        <div className="try-actions">
          <button type="submit" className="button button-primary" disabled={active !== null || id.trim() === ''}>
            <Icon name="download" size={16} />
            {active ? 'Downloading…' : 'Load'}
          </button>
        </div>
      </form>
      {active && (
        <ProgressBar
          label={`Downloading ${active.source}`}
          value={active.progress?.loaded ?? 0}
          max={active.progress?.total ?? 0}
          text={progressText(active.progress)}
        />
      )}
      {finished && <HubNotes source={finished.source} notes={finished.notes} />}
    </Card>
  );
}
