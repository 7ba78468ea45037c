// The playground: type a text, run the current (fine-tuned) model on it in the worker, and read the answer the way
// the task reads: label probabilities, entities highlighted in the words (NER), or the likeliest words for a mask.
import type { CSSProperties } from 'react';
import { Card } from '../../components/card';
import { ErrorAlert } from '../../components/error-alert';
import { Icon } from '../../components/icons';
import { useEngine } from '../../engine-context';
import type { ModelSummary, Prediction } from '../../../protocol/messages';
import { useApp } from '../../store/app-store';
import { entitySegments } from './entity-spans';

const percent = (p: number) => `${(100 * p).toFixed(1)}%`;

function hue(type: string): number {
  let h = 0;
  for (let i = 0; i < type.length; i++) h = (h * 31 + type.charCodeAt(i)) % 360;
  return h;
}

function Probabilities({ result }: { result: Extract<Prediction, { task: 'seq-cls' }> }) {
  const ranked = result.labels.map((l, id) => ({ ...l, id })).sort((a, b) => b.probability - a.probability);
  return (
    <ol className="score-list" aria-label="Label probabilities">
      {ranked.map((l, i) => (
        <li key={l.id} className={i === 0 ? 'score-row is-top' : 'score-row'}>
          <bdi className="score-label">{l.label}</bdi>
          <span className="score-bar" aria-hidden="true">
            <span style={{ width: `${100 * l.probability}%` }} />
          </span>
          <span className="score-value tabular">{percent(l.probability)}</span>
          <span className="score-logit tabular">logit {l.logit.toFixed(4)}</span>
        </li>
      ))}
    </ol>
  );
}

function Entities({ result }: { result: Extract<Prediction, { task: 'token-cls' }> }) {
  const words = result.words;
  const segments = entitySegments(words);
  const found = segments.filter((s) => s.entity !== null);
  return (
    <div className="entities">
      <p className="entity-text" aria-label="Text with entities">
        {segments.map((s, i) =>
          s.entity === null ? (
            <span key={i}>{s.words.map((w) => w.text).join(' ')} </span>
          ) : (
            <mark key={i} className="entity" style={{ '--tag-hue': hue(s.entity) } as CSSProperties}>
              <bdi>{s.words.map((w) => w.text).join(' ')}</bdi>
              <span className="entity-type">
                <bdi>{s.entity}</bdi>
              </span>
            </mark>
          ),
        )}
      </p>
      <p className="muted small">{found.length === 0 ? 'No entities found.' : `${found.length} ${found.length === 1 ? 'entity' : 'entities'} found.`}</p>
      <details className="table-details" open={words.length <= 12}>
        <summary>Every word with its label</summary>
        <table className="data-table" aria-label="Word labels">
          <thead>
            <tr>
              <th scope="col">Word</th>
              <th scope="col">Label</th>
              <th scope="col" className="numeric">
                Probability
              </th>
            </tr>
          </thead>
          <tbody>
            {words.map((w, i) => (
              <tr key={i}>
                <td>
                  <bdi>{w.text}</bdi>
                </td>
                <td>
                  <bdi>{w.label}</bdi>
                </td>
                <td className="numeric tabular">{percent(w.probability)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </div>
  );
}

function Masks({ result }: { result: Extract<Prediction, { task: 'mlm' }> }) {
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
              <span className="score-value tabular">{percent(c.probability)}</span>
            </li>
          ))}
        </ol>
      ))}
    </div>
  );
}

export function Playground({ model }: { model: ModelSummary }) {
  const engine = useEngine();
  const text = useApp((s) => s.playground.text);
  const running = useApp((s) => s.playground.requestId !== null);
  const result = useApp((s) => s.playground.result);
  const error = useApp((s) => s.playground.error);
  const setText = useApp((s) => s.playgroundTextChanged);
  const submit = (e: { preventDefault(): void }) => {
    e.preventDefault();
    if (text.trim() !== '') engine.predict(text, 'playground');
  };
  const placeholder =
    model.task === 'mlm' ? `Put ${model.tokenizer?.maskToken ?? '[MASK]'} where a word should be guessed.` : model.task === 'token-cls' ? 'Type a sentence to find its entities…' : 'Type a text to classify…';
  return (
    <Card title="Playground" description="Your own text through the current model, in the engine worker.">
      <form className="try-form" onSubmit={submit}>
        <label className="field-label" htmlFor="playground-text">
          Playground text
        </label>
        <textarea
          id="playground-text"
          className="text-input"
          rows={3}
          value={text}
          placeholder={placeholder}
          onChange={(e) => setText(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) submit(e);
          }}
        />
        <div className="try-actions">
          <button type="submit" className="button button-primary" disabled={running || text.trim() === ''}>
            <Icon name="train" size={16} />
            {running ? 'Running…' : 'Predict'}
          </button>
          <span className="muted hint">Ctrl+Enter runs it too.</span>
        </div>
      </form>
      {error && <ErrorAlert title="Prediction failed" error={error} />}
      {result && (
        <div className="try-result" aria-live="polite">
          {result.task === 'seq-cls' && <Probabilities result={result} />}
          {result.task === 'token-cls' && <Entities result={result} />}
          {result.task === 'mlm' && <Masks result={result} />}
          {result.truncated && <p className="muted">The text was longer than the model reads at once; only its start was used.</p>}
        </div>
      )}
    </Card>
  );
}
