// "Try the model": one text through the loaded model in the engine worker, shown the way its head reads —
// label probabilities (sequence classification), a label per token (token classification), or the likeliest
// words for each mask (masked LM). Raw logits are shown too, so a checkpoint can be compared with transformers.
import type { CSSProperties } from 'react';
import { Card } from '../../components/card';
import { PredictionForm, type TokenPrediction } from '../../components/prediction-form';
import { useEngine } from '../../engine-context';
import { formatPercent } from '../../format';
import type { ModelSummary, Prediction } from '../../../protocol/messages';
import { useApp } from '../../store/app-store';

function placeholderFor(summary: ModelSummary): string {
  if (summary.task === 'mlm') return `The weather today is ${summary.tokenizer?.maskToken ?? '[MASK]'}.`;
  if (summary.task === 'token-cls') return 'Type a sentence to label each of its tokens…';
  return 'Type a sentence to classify…';
}

function TokenResult({ result, labels }: { result: TokenPrediction; labels: string[] }) {
  return (
    <ol className="token-tags" aria-label="Token labels">
      {result.tokens.map((t, i) => (
        <li key={i} className={t.special ? 'token-tag is-special' : 'token-tag'} style={{ '--tag-hue': (labels.indexOf(t.label) * 67) % 360 } as CSSProperties}>
          <bdi className="token-text">{t.token}</bdi>
          <bdi className="token-label">{t.label}</bdi>
          <span className="token-prob tabular">{formatPercent(t.probability)}</span>
        </li>
      ))}
    </ol>
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
  return (
    <Card title="Try the model" description="Runs the loaded model on your text in the engine worker, in evaluation mode (no dropout).">
      <PredictionForm
        id="try-text"
        label="Text"
        rows={2}
        placeholder={placeholderFor(summary)}
        text={text}
        running={running}
        result={result}
        error={error}
        onTextChange={(t) => setText('model', t)}
        onPredict={(t) => engine.predict(t)}
        renderTokens={(r) => <TokenResult result={r} labels={summary.labels} />}
        renderDetails={(r) => (
          <details className="token-details">
            <summary>{tokensOf(r).length} tokens</summary>
            <ol className="tensor-list" aria-label="Tokens">
              {tokensOf(r).map((t, i) => (
                <li key={i}>
                  <code>{t}</code>
                </li>
              ))}
            </ol>
          </details>
        )}
      />
    </Card>
  );
}
