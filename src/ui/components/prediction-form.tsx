// Text in, prediction out: the form, error and result frame that "Try the model" (Model panel) and the playground
// (Evaluate panel) share, with the readings they share — label probabilities and the likeliest words per mask.
// Token classification is read differently by each panel, so it is handed in.
import type { ReactNode } from 'react';
import type { LayerwiseErrorData } from '../../lib/errors';
import type { Prediction } from '../../protocol/messages';
import { formatPercent } from '../format';
import { ErrorAlert } from './error-alert';
import { Icon } from './icons';

export type TokenPrediction = Extract<Prediction, { task: 'token-cls' }>;

function LabelProbabilities({ result }: { result: Extract<Prediction, { task: 'seq-cls' }> }) {
  // Label names come from config.json and may repeat; the id keeps rows apart.
  const ranked = result.labels.map((l, id) => ({ ...l, id })).sort((a, b) => b.probability - a.probability);
  const applies = (l: (typeof ranked)[number], i: number) => (result.multiLabel ? l.probability >= (l.threshold ?? 0.5) : i === 0);
  const predicted = result.predicted ?? (ranked.length > 0 ? [ranked[0].label] : []);
  return (
    <>
      <p className="prediction-answer">
        {result.multiLabel ? 'Labels that apply: ' : 'Predicted: '}
        <strong>{predicted.length > 0 ? predicted.join(', ') : 'none'}</strong>
        {(result.windows ?? 1) > 1 && ` (read in ${result.windows} windows; each label's window is the one with its highest logit)`}
      </p>
      <ol className="score-list" aria-label={result.multiLabel ? 'Label probabilities (each its own sigmoid)' : 'Label probabilities'}>
        {ranked.map((l, i) => (
          <li key={l.id} className={applies(l, i) ? 'score-row is-top' : 'score-row'}>
            <bdi className="score-label">{l.label}</bdi>
            <span className="score-bar" aria-hidden="true">
              <span style={{ width: `${100 * l.probability}%` }} />
            </span>
            <span className="score-value tabular">{formatPercent(l.probability)}</span>
            {l.threshold !== undefined && <span className="score-logit tabular">threshold {formatPercent(l.threshold)}</span>}
            {l.window !== undefined && <span className="score-logit tabular">window {l.window + 1}</span>}
            <span className="score-logit tabular">logit {l.logit.toFixed(4)}</span>
          </li>
        ))}
      </ol>
    </>
  );
}

function MaskPredictions({ result }: { result: Extract<Prediction, { task: 'mlm' }> }) {
  return (
    <div className="mask-results">
      {result.masks.map((m) => (
        <ol key={m.position} className="score-list" aria-label={`Predictions for the mask at token ${m.position}`}>
          {m.candidates.map((c, i) => (
            <li key={i} className={i === 0 ? 'score-row is-top' : 'score-row'}>
              <bdi className="score-label">{c.token}</bdi>
              <span className="score-bar" aria-hidden="true">
                <span style={{ width: `${100 * c.probability}%` }} />
              </span>
              <span className="score-value tabular">{formatPercent(c.probability)}</span>
            </li>
          ))}
        </ol>
      ))}
    </div>
  );
}

export function PredictionForm(props: {
  /** The textarea's id and visible label. */
  id: string;
  label: string;
  rows: number;
  placeholder: string;
  text: string;
  running: boolean;
  result: Prediction | null;
  error: LayerwiseErrorData | null;
  onTextChange: (text: string) => void;
  onPredict: (text: string) => void;
  renderTokens: (result: TokenPrediction) => ReactNode;
  /** Shown under the result, e.g. the tokens the model read. */
  renderDetails?: (result: Prediction) => ReactNode;
}) {
  const { text, result } = props;
  const submit = (e: { preventDefault(): void }) => {
    e.preventDefault();
    if (text.trim() !== '') props.onPredict(text);
  };
  return (
    <>
      <form className="try-form" onSubmit={submit}>
        <label className="field-label" htmlFor={props.id}>
          {props.label}
        </label>
        <textarea
          id={props.id}
          className="text-input"
          rows={props.rows}
          value={text}
          placeholder={props.placeholder}
          onChange={(e) => props.onTextChange(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) submit(e);
          }}
        />
        <div className="try-actions">
          <button type="submit" className="button button-primary" disabled={props.running || text.trim() === ''}>
            <Icon name="train" size={16} />
            {props.running ? 'Running…' : 'Predict'}
          </button>
          <span className="muted hint">Ctrl+Enter runs it too.</span>
        </div>
      </form>
      {props.error && <ErrorAlert title="Prediction failed" error={props.error} />}
      {result && (
        <div className="try-result" aria-live="polite">
          {result.task === 'seq-cls' && <LabelProbabilities result={result} />}
          {result.task === 'token-cls' && props.renderTokens(result)}
          {result.task === 'mlm' && <MaskPredictions result={result} />}
          {result.truncated && <p className="muted">The text was longer than the model reads at once; only its start was used.</p>}
          {props.renderDetails?.(result)}
        </div>
      )}
    </>
  );
}
