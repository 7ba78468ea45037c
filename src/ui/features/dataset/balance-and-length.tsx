// What the data means for a run before it starts (#20): whether the rarest class is rare, what always answering the
// most frequent one scores, the class weights that would balance them; and how many texts are longer than max length
// with the tokens cutting them would lose. Each with the Configure change that answers it, one click away.
import { Card } from '../../components/card';
import { formatCount, formatPercent } from '../../format';
import { useApp } from '../../store/app-store';
import { DEFAULT_WINDOWS } from '../../../protocol/train-config';

/** A class is called rare below half the share it would have if the classes were balanced (SMS Spam's 13% of 2 is). */
const RARE_FRACTION_OF_EVEN = 0.5;

export function BalanceAndLength() {
  const plan = useApp((s) => s.dataset.plan);
  const draft = useApp((s) => s.config.draft);
  const set = useApp((s) => s.configFieldChanged);
  if (plan === null || (plan.imbalance === null && plan.length === null)) return null;
  const { imbalance, length } = plan;
  const multiLabel = draft.problemType === 'multi_label_classification';
  const rare = imbalance !== null && imbalance.rarest.share < RARE_FRACTION_OF_EVEN / imbalance.suggested.length;
  const long = length !== null && length.over > 0;
  if (!rare && !long) return null;
  return (
    <Card title="Before you train" description="Rare classes and long texts, and what the run can do about them.">
      {imbalance !== null && rare && (
        <div className="alert alert-warning" role="note" aria-label="Rare class">
          <p>
            The rarest {multiLabel ? 'label' : 'class'}, <bdi>{imbalance.rarest.label}</bdi>, is {formatPercent(imbalance.rarest.share)} of the training {multiLabel ? 'rows' : 'examples'}
            {multiLabel ? '.' : <>; always answering <bdi>{imbalance.majority.label}</bdi> would score {formatPercent(imbalance.majority.share)} accuracy while never finding it.</>}{' '}
            {multiLabel ? 'Positive weights' : 'Class weights'} by inverse frequency would be{' '}
            {imbalance.suggested.slice(0, 6).map((w, i) => (
              <span key={i}>
                {i > 0 && ', '}
                <bdi>{w.label}</bdi> {w.weight}
              </span>
            ))}
            {imbalance.suggested.length > 6 && ', …'}.
          </p>
          {draft.classWeights === 'none' ? (
            <button type="button" className="button button-secondary" onClick={() => set('classWeights', 'inverse-frequency')}>
              Use inverse-frequency class weights
            </button>
          ) : (
            <p className="muted small">The run weights classes: {typeof draft.classWeights === 'string' ? draft.classWeights : 'by hand'} (Configure).</p>
          )}
        </div>
      )}
      {length !== null && long && (
        <div className="alert alert-warning" role="note" aria-label="Long texts">
          <p>
            {formatCount(length.over)} of {formatCount(length.texts)} texts are longer than {length.maxLength} tokens:{' '}
            {length.windows
              ? `the run reads them in sliding windows, so none of their ${formatCount(length.lost)} extra tokens is lost.`
              : `cutting them loses ${formatCount(length.lost)} of ${formatCount(length.tokens)} tokens (${formatPercent(length.lost / length.tokens)}).`}
          </p>
          {!length.windows && (
            <button type="button" className="button button-secondary" onClick={() => set('windows', { ...DEFAULT_WINDOWS, stride: Math.min(DEFAULT_WINDOWS.stride, Math.floor(length.maxLength / 4)) })}>
              Read long texts in sliding windows
            </button>
          )}
        </div>
      )}
    </Card>
  );
}
