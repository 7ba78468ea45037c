// One export format in the Export panel: what it holds and how big it will be, its Export button (disabled while a
// run trains or another export is in flight), the export's check against the engine, its files, and the one line
// that uses it. A failed check is an error here, and nothing is downloaded.
import { useState } from 'react';
import type { ExportFormat } from '../../../protocol/export';
import type { ModelSummary } from '../../../protocol/messages';
import { Card } from '../../components/card';
import { ErrorAlert } from '../../components/error-alert';
import { FileTable } from '../../components/file-table';
import { Icon } from '../../components/icons';
import { useEngine } from '../../engine-context';
import { formatBytes } from '../../format';
import { useApp } from '../../store/app-store';
import { FORMAT_INFO } from './formats';
import { VerificationView } from './verification-view';

const PHASE_TEXT: Record<ExportFormat, Record<'writing' | 'verifying', string>> = {
  hf: { writing: 'Writing…', verifying: 'Reloading with the engine…' },
  onnx: { writing: 'Writing the graphs…', verifying: 'Running ONNX Runtime…' },
};

export function FormatCard({ format, model, blocked, allowNonFinite }: { format: ExportFormat; model: ModelSummary; blocked: boolean; allowNonFinite: boolean }) {
  const engine = useEngine();
  const info = FORMAT_INFO[format];
  const exporting = useApp((s) => s.exporting);
  const dismiss = useApp((s) => s.dismissExportError);
  const [quantize, setQuantize] = useState(true);
  const mine = exporting.format === format;
  const result = exporting.results[format];
  const error = exporting.error?.format === format ? exporting.error.error : null;
  const estimate = info.estimate(model, { quantize });
  const folder = result ? result.fileName.replace(/\.zip$/, '') : info.placeholder;
  const snippet = info.snippet(model, folder);
  return (
    <Card title={info.title} description={info.description}>
      <p className="muted tabular">
        {result
          ? `${result.fileName} · ${formatBytes(result.size)}: ${result.files.filter((f) => /\.(safetensors|onnx)$/.test(f.name)).map((f) => `${f.name} ${formatBytes(f.size)}`).join(', ')}`
          : `About ${estimate.map(([name, bytes]) => `${formatBytes(bytes)} (${name})`).join(' + ')}, with the tokenizer files.`}
      </p>
      {format === 'onnx' && (
        <label className="check-label">
          <input type="checkbox" checked={quantize} onChange={(e) => setQuantize(e.currentTarget.checked)} />
          <span>Also the int8 file (about a quarter of the size)</span>
        </label>
      )}
      <div className="export-actions">
        <button
          type="button"
          className="button button-primary"
          disabled={exporting.requestId !== null || blocked}
          onClick={() => engine.exportModel({ format, quantize: format === 'onnx' && quantize, allowNonFinite })}
        >
          <Icon name="download" size={16} />
          {mine ? PHASE_TEXT[format][exporting.phase ?? 'writing'] : info.action}
        </button>
        {result && (
          <a className="button button-ghost" href={result.url} download={result.fileName}>
            Download {result.fileName} again
          </a>
        )}
      </div>
      {error && (
        <ErrorAlert title={error.code === 'EXPORT_VERIFY_MISMATCH' ? 'Download blocked: the exported files do not compute this model' : 'Export failed'} error={error} onDismiss={dismiss} />
      )}
      {result && (
        <>
          <VerificationView verification={result.verification} />
          <FileTable files={result.files} label={`Exported files: ${info.title}`} />
        </>
      )}
      <p className="muted">Use it ({snippet.language}):</p>
      <pre className="code-block" tabIndex={0} aria-label={`${info.title}: use it`}>
        {snippet.code}
      </pre>
    </Card>
  );
}
