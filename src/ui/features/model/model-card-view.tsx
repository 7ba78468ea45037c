// The loaded model's story: its model card (README.md: title and first paragraph, the whole text one click away,
// rendered as text, never as HTML) and the text adaptations that made its current weights.
import { Card } from '../../components/card';
import type { ModelSummary } from '../../../protocol/messages';
import { describeAdaptation } from '../../format';
import { modelCardSummary } from './model-card';

export function ModelCardView({ card }: { card: NonNullable<ModelSummary['modelCard']> }) {
  const { title, summary } = modelCardSummary(card.text);
  return (
    <Card
      title="Model card"
      className="model-card"
      actions={
        card.url !== null && (
          <a className="button button-ghost button-small" href={card.url} target="_blank" rel="noopener noreferrer">
            Open README.md
          </a>
        )
      }
    >
      {title && (
        <p className="lead-value">
          <bdi>{title}</bdi>
        </p>
      )}
      <p className="model-card-summary">{summary ? <bdi>{summary}</bdi> : <span className="muted">README.md has no paragraph of text.</span>}</p>
      <details className="config-details">
        <summary>README.md{card.truncated ? ' (its start)' : ''}</summary>
        <pre className="code-block model-card-text" tabIndex={0} aria-label="README.md">
          {card.text}
        </pre>
      </details>
    </Card>
  );
}

export function AdaptationsCard({ adaptations }: { adaptations: ModelSummary['adaptations'] }) {
  return (
    <Card title="Adapted to your text" description="Masked-LM training on unlabeled text since the checkpoint was opened; fine-tuning starts from these weights.">
      <ol className="note-list" aria-label="Adaptations">
        {adaptations.map((a, i) => (
          <li key={i}>
            <bdi>{describeAdaptation(a)}</bdi>
          </li>
        ))}
      </ol>
    </Card>
  );
}
