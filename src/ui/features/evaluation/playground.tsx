// The playground: type a text, run the current (fine-tuned) model on it in the worker, and read the answer the way
// the task reads: label probabilities, entities highlighted in the words (NER), or the likeliest words for a mask.
import type { CSSProperties } from 'react';
import { Card } from '../../components/card';
import { PredictionForm, type TokenPrediction } from '../../components/prediction-form';
import { useEngine } from '../../engine-context';
import { formatPercent } from '../../format';
import type { ModelSummary } from '../../../protocol/messages';
import { useApp } from '../../store/app-store';
import { entitySegments } from './entity-spans';

function hue(type: string): number {
  let h = 0;
  for (let i = 0; i < type.length; i++) h = (h * 31 + type.charCodeAt(i)) % 360;
  return h;
}

function Entities({ result }: { result: TokenPrediction }) {
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
      <p className="muted small">
        {found.length === 0 ? 'No entities found.' : `${found.length} ${found.length === 1 ? 'entity' : 'entities'} found.`}
        {(result.windows ?? 1) > 1 && ` Read in ${result.windows} windows; each word is labelled by the window where it has the most context.`}
      </p>
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
              {(result.windows ?? 1) > 1 && (
                <th scope="col" className="numeric">
                  Window
                </th>
              )}
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
                <td className="numeric tabular">{formatPercent(w.probability)}</td>
                {(result.windows ?? 1) > 1 && <td className="numeric tabular">{(w.window ?? 0) + 1}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </div>
  );
}

export function Playground({ model }: { model: ModelSummary }) {
  const engine = useEngine();
  const text = useApp((s) => s.playground.text);
  const running = useApp((s) => s.playground.requestId !== null);
  const result = useApp((s) => s.playground.result);
  const error = useApp((s) => s.playground.error);
  const setText = useApp((s) => s.predictionTextChanged);
  const placeholder =
    model.task === 'mlm' ? `Put ${model.tokenizer?.maskToken ?? '[MASK]'} where a word should be guessed.` : model.task === 'token-cls' ? 'Type a sentence to find its entities…' : 'Type a text to classify…';
  return (
    <Card title="Playground" description="Your own text through the current model, in the engine worker.">
      <PredictionForm
        id="playground-text"
        label="Playground text"
        rows={3}
        placeholder={placeholder}
        text={text}
        running={running}
        result={result}
        error={error}
        onTextChange={(t) => setText('playground', t)}
        onPredict={(t) => engine.predict(t, 'playground')}
        renderTokens={(r) => <Entities result={r} />}
      />
    </Card>
  );
}
