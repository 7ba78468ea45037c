// The loaded model at a glance: name, family and task, the parameter count, and the architecture numbers as
// config.json names them. The Layers panel will show the same model as a tree.
import { Badge } from '../../components/badge';
import { StatGrid } from '../../components/stat-grid';
import type { ModelSummary } from '../../../protocol/messages';
import { TASK_LABELS, formatCompact, formatCount, formatDuration } from '../../format';

export function ModelOverview({ summary }: { summary: ModelSummary }) {
  const title = summary.source !== '' ? summary.source : 'Checkpoint';
  return (
    <section className="card overview" aria-labelledby="model-overview-title">
      <div className="overview-head">
        <div className="overview-name">
          <h2 id="model-overview-title" className="overview-title">
            <bdi>{title}</bdi>
          </h2>
          <p className="overview-subtitle">
            {summary.architectures.length > 0 ? <bdi>{summary.architectures.join(', ')}</bdi> : `${summary.model_type} checkpoint`}
          </p>
          <div className="badge-row">
            <Badge tone="accent">{summary.family}</Badge>
            <Badge>{TASK_LABELS[summary.task]}</Badge>
            <Badge tone="success">Loaded in {formatDuration(summary.loadMs)}</Badge>
            {summary.adaptations.length > 0 && <Badge tone="warning">Adapted to your text</Badge>}
          </div>
        </div>
        <div className="overview-params">
          <span className="overview-params-value tabular">{formatCompact(summary.parameterCount)}</span>
          <span className="overview-params-label">parameters</span>
        </div>
      </div>
      <StatGrid
        label="Model summary"
        items={[
          { label: 'Family', value: summary.family },
          { label: 'Model type', value: summary.model_type },
          { label: 'Layers', value: formatCount(summary.num_hidden_layers) },
          { label: 'Hidden size', value: formatCount(summary.hidden_size) },
          { label: 'Attention heads', value: formatCount(summary.num_attention_heads) },
          { label: 'Intermediate size', value: formatCount(summary.intermediate_size) },
          { label: 'Vocabulary', value: formatCount(summary.vocab_size) },
          { label: 'Max positions', value: formatCount(summary.max_position_embeddings) },
          { label: 'Parameters', value: formatCount(summary.parameterCount) },
        ]}
      />
    </section>
  );
}
