// How an export was checked before its download: for each file, who read it back, the largest difference from the
// engine's logits and the accepted one, and how many predictions agree ("verified: max |Δ| 3.1e-7").
import type { ExportVerification } from '../../../protocol/export';
import { Badge } from '../../components/badge';
import { formatCount } from '../../format';

const SOURCE: Record<ExportVerification['source'], string> = {
  validation: 'validation examples',
  training: 'training examples (no validation data is open)',
  generated: 'generated id sequences (no dataset is open)',
};

export function VerificationView({ verification }: { verification: ExportVerification }) {
  return (
    <div className="verification" role="group" aria-label="Verification">
      <p className="muted">
        Checked before download on {formatCount(verification.examples)} {SOURCE[verification.source]}: the same inputs through the engine and through the exported files.
      </p>
      <ul className="verification-list">
        {verification.checks.map((c) => (
          <li key={c.file}>
            <Badge tone={c.passed ? 'success' : 'danger'}>{c.file}</Badge> <strong>{c.passed ? 'verified' : 'mismatch'}:</strong>{' '}
            <span className="tabular">
              max |Δ| {c.maxAbsDiff.toExponential(1)} (accepted ≤ {c.tolerance.toExponential(1)})
            </span>{' '}
            · same prediction on {formatCount(c.agree)} of {formatCount(c.compared)} · read by {c.reader}
          </li>
        ))}
      </ul>
    </div>
  );
}
