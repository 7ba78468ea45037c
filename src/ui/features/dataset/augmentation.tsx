// Augmentation (EDA without synonyms, engine/data/augment): copies per training example, the share of words
// changed, the operations — TrainConfig.augment in the config draft — and a preview of what it does to the first
// examples, made by the engine's own function.
import { Badge } from '../../components/badge';
import { Card } from '../../components/card';
import { NumberField, SliderField } from '../../components/fields';
import type { AugmentConfig } from '../../../protocol/train-config';
import { useApp } from '../../store/app-store';

const OPERATIONS: { op: AugmentConfig['operations'][number]; label: string; help: string }[] = [
  { op: 'swap', label: 'Swap', help: 'two words trade places' },
  { op: 'delete', label: 'Delete', help: 'words are dropped' },
  { op: 'insert', label: 'Insert', help: 'a word of the sentence is repeated elsewhere' },
];

export function Augmentation() {
  const augment = useApp((s) => s.config.draft.augment);
  const patch = useApp((s) => s.configPatched);
  const preview = useApp((s) => s.dataset.plan?.augmentation) ?? [];
  const set = (p: Partial<AugmentConfig>) => patch({ augment: { ...augment, ...p } });
  return (
    <Card title="Augmentation" description="New variants of each training example (validation is never augmented). Helps small datasets; entities move whole in NER.">
      <div className="field-row">
        <NumberField
          label="Copies per example"
          help="0 turns augmentation off; at most 16."
          value={augment.copies}
          onChange={(v) => set({ copies: typeof v === 'number' && Number.isInteger(v) ? Math.max(0, Math.min(16, v)) : 0 })}
        />
        <SliderField
          label="Words changed"
          help="EDA's alpha: the share of words each operation touches."
          value={augment.alpha}
          min={0.05}
          max={0.5}
          step={0.05}
          format={(v) => `${Math.round(v * 100)}%`}
          onChange={(alpha) => set({ alpha: Number(alpha.toFixed(2)) })}
          disabled={augment.copies === 0}
        />
        <fieldset className="field check-group" disabled={augment.copies === 0}>
          <legend className="field-label">Operations</legend>
          {OPERATIONS.map((o) => (
            <label key={o.op} className="check-label">
              <input
                type="checkbox"
                checked={augment.operations.includes(o.op)}
                onChange={(e) => {
                  const next = e.currentTarget.checked ? [...augment.operations, o.op] : augment.operations.filter((x) => x !== o.op);
                  if (next.length > 0) set({ operations: OPERATIONS.map((x) => x.op).filter((x) => next.includes(x)) });
                }}
              />
              <span>
                {o.label} <span className="muted">— {o.help}</span>
              </span>
            </label>
          ))}
        </fieldset>
      </div>
      {augment.copies > 0 && preview.length > 0 && (
        <ol className="augment-list" aria-label="Augmentation preview">
          {preview.map((p, i) => (
            <li key={i} className="augment-item">
              <Badge tone="accent">{p.op}</Badge>
              <p className="augment-before">
                <bdi>{p.before}</bdi>
              </p>
              <p className="augment-after">
                <bdi>{p.after}</bdi>
              </p>
            </li>
          ))}
        </ol>
      )}
    </Card>
  );
}
