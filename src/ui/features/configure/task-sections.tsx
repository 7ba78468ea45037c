// The TrainConfig fields of the tasks people really have (#20): several labels per example (problemType), class
// weights and the focal loss for imbalanced classes, and sliding windows over texts longer than maxLength. Class weights
// by hand are one number per class of the training file.
import { Card } from '../../components/card';
import { CheckboxField, NumberField, SelectField } from '../../components/fields';
import { CLASS_WEIGHTINGS, DEFAULT_WINDOWS, type ClassWeighting, type ProblemType, type TrainConfig, type WindowAggregate } from '../../../protocol/train-config';
import { useApp } from '../../store/app-store';

interface SectionProps {
  draft: TrainConfig;
  errors: ReadonlyMap<string, string>;
  set: (path: string, value: unknown) => void;
}

const WEIGHTING_LABELS: Record<ClassWeighting | 'by-hand', string> = {
  none: 'None',
  'inverse-frequency': 'Inverse frequency',
  'effective-number': 'Effective number (Cui et al.)',
  'by-hand': 'By hand, per class',
};

export function LabelsAndLengthSection(props: SectionProps) {
  const { draft, errors, set } = props;
  const train = useApp((s) => s.dataset.train);
  const classes = train?.labels.items.map((l) => l.label) ?? [];
  const multiLabel = draft.problemType === 'multi_label_classification';
  const byHand = typeof draft.classWeights === 'object';
  const weighting: ClassWeighting | 'by-hand' = byHand ? 'by-hand' : (draft.classWeights as ClassWeighting);
  const classification = draft.task !== 'mlm';
  if (!classification) return null;
  return (
    <Card title="Labels, imbalance and long texts" description="How examples with several labels, rare classes and texts longer than max length are trained.">
      <div className="field-grid">
        {draft.task === 'seq-cls' && (
          <SelectField<ProblemType>
            label="Labels per example"
            help={multiLabel ? 'Any number: a sigmoid per label with binary cross-entropy; thresholds are tuned per label on the validation data.' : 'Exactly one: a softmax over the classes.'}
            value={draft.problemType}
            options={[
              { value: 'single_label_classification', label: 'One label' },
              { value: 'multi_label_classification', label: 'Several labels (multi-label)' },
            ]}
            error={errors.get('problemType')}
            onChange={(v) => set('problemType', v)}
          />
        )}
        <SelectField<ClassWeighting | 'by-hand'>
          label={multiLabel ? 'Positive weights' : 'Class weights'}
          help={multiLabel ? "Each label's positives weighted against its negatives (pos_weight), from the training counts." : 'Rare classes count more in the loss, from the training counts.'}
          value={weighting}
          options={[...CLASS_WEIGHTINGS, 'by-hand' as const].map((w) => ({ value: w, label: WEIGHTING_LABELS[w] }))}
          error={byHand ? undefined : errors.get('classWeights')}
          onChange={(v) => set('classWeights', v === 'by-hand' ? Object.fromEntries(classes.map((c) => [c, 1])) : v)}
        />
        {weighting === 'effective-number' && (
          <NumberField label="β (effective number)" help="Closer to 1 weights rare classes more; 0.999 is Cui et al.'s choice." value={draft.classWeightBeta} error={errors.get('classWeightBeta')} step="any" onChange={(v) => set('classWeightBeta', v)} />
        )}
        <NumberField label="Focal loss γ" help="0 is plain cross-entropy; 2 (Lin et al.) lowers the loss of examples already right." value={draft.focalGamma} error={errors.get('focalGamma')} step="any" min={0} onChange={(v) => set('focalGamma', v)} />
      </div>
      {byHand && (
        <fieldset className="field-grid">
          <legend>Weight per class</legend>
          {classes.map((c) => (
            <NumberField
              key={c}
              label={c}
              help=""
              value={(draft.classWeights as Record<string, number>)[c] ?? 1}
              step="any"
              onChange={(v) => set('classWeights', { ...(draft.classWeights as Record<string, number>), [c]: v })}
            />
          ))}
          {errors.get('classWeights') && <p className="field-error">{errors.get('classWeights')}</p>}
        </fieldset>
      )}
      <div className="field-grid">
        <CheckboxField
          label="Sliding windows over long texts"
          help="Texts longer than max length are read as overlapping windows instead of being cut."
          checked={draft.windows !== null}
          error={errors.get('windows')}
          onChange={(on) => set('windows', on ? { ...DEFAULT_WINDOWS } : null)}
        />
        {draft.windows !== null && (
          <>
            <NumberField label="Window stride (tokens)" help="Tokens each window repeats from the one before; at most half of max length." value={draft.windows.stride} error={errors.get('windows.stride')} min={0} onChange={(v) => set('windows.stride', v)} />
            {draft.task === 'seq-cls' && (
              <SelectField<WindowAggregate>
                label="Windows combined by"
                help="A text's logits: the mean of its windows', or the maximum (one window decides)."
                value={draft.windows.aggregate}
                options={[
                  { value: 'mean', label: 'Mean' },
                  { value: 'max', label: 'Maximum' },
                ]}
                onChange={(v) => set('windows.aggregate', v)}
              />
            )}
          </>
        )}
      </div>
    </Card>
  );
}
