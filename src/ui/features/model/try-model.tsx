// "Try the model": one text through the loaded model in the engine worker, shown the way its head reads —
// label probabilities (sequence classification), a label per token (token classification), or the likeliest
// words for each mask (masked LM). Raw logits are shown too, so a checkpoint can be compared with transformers.
import type { CSSProperties } from 'react';
import { Card } from '../../components/card';
import { ErrorAlert } from '../../components/error-alert';
import { Icon } from '../../components/icons';
import { useEngine } from '../../engine-context';
import type { ModelSummary, Prediction } from '../../../protocol/messages';
import { useApp } from '../../store/app-store';

const percent = (p: number) => `${(100 * p).toFixed(1)}%`;

function placeholderFor(summary: ModelSummary): string {
  if (summary.task === 'mlm') return `The weather today is ${summary.tokenizer?.maskToken ?? '[MASK]'}.`;
  if (summary.task === 'token-cls') return 'Type a sentence to label each of its tokens…';
  return 'Type a sentence to classify…';
}

function SequenceResult({ result }: { result: Extract<Prediction, { task: 'seq-cls' }> }) {
  // Label names come from config.json and may repeat; the id keeps rows apart.
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

function TokenResult({ result, labels }: { result: Extract<Prediction, { task: 'token-cls' }>; labels: string[] }) {
  return (
    <ol className="token-tags" aria-label="Token labels">
      {result.tokens.map((t, i) => (
        <li key={i} className={t.special ? 'token-tag is-special' : 'token-tag'} style={{ '--tag-hue': (labels.indexOf(t.label) * 67) % 360 } as CSSProperties}>
          <bdi className="token-text">{t.token}</bdi>
          <bdi className="token-label">{t.label}</bdi>
          <span className="token-prob tabular">{percent(t.probability)}</span>
        </li>
      ))}
    </ol>
  );
}

function MaskResult({ result }: { result: Extract<Prediction, { task: 'mlm' }> }) {
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

function tokensOf(result: Prediction): string[] {
  return result.task === 'token-cls' ? result.tokens.map((t) => t.token) : result.tokens;
}

export function TryModel({ summary }: { summary: ModelSummary }) {
  const engine = useEngine();
  const text = useApp((s) => s.prediction.text);
  const running = useApp((s) => s.prediction.requestId !== null);
  const result = useApp((s) => s.prediction.result);
  const error = useApp((s) => s.prediction.error);
  const setText = useApp((s) => s.predictionTextChanged);

  function submit(e: { preventDefault(): void }) {
    e.preventDefault();
    if (text.trim() !== '') engine.predict(text);
  }

  return (
    <Card title="Try the model" description="Runs the loaded model on your text in the engine worker, in evaluation mode (no dropout).">
      <form className="try-form" onSubmit={submit}>
        <label className="field-label" htmlFor="try-text">
          Text
        </label>
        <textarea
          id="try-text"
          className="text-input"
          rows={2}
          value={text}
          placeholder={placeholderFor(summary)}
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
          {result.task === 'seq-cls' && <SequenceResult result={result} />}
          {result.task === 'token-cls' && <TokenResult result={result} labels={summary.labels} />}
          {result.task === 'mlm' && <MaskResult result={result} />}
          {result.truncated && <p className="muted">The text was longer than the model reads at once; only its start was used.</p>}
          <details className="token-details">
            <summary>{tokensOf(result).length} tokens</summary>
            <ol className="tensor-list" aria-label="Tokens">
              {tokensOf(result).map((t, i) => (
                <li key={i}>
                  <code>{t}</code>
                </li>
              ))}
            </ol>
          </details>
        </div>
      )}
    </Card>
  );
}
