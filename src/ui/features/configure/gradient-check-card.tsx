// "Check gradients" (issue #18): the model a run with this config would train, its autodiff gradients against central
// finite differences on a few examples of the training file, in the worker (worker/gradient-check.ts) on the engine's
// backend — in float32, as tfjs has no float64, so the step and threshold are set for float32 (engine/train/gradcheck.ts
// says why). The table is the report's: per module, whether it is within the threshold, the worst relative error of
// the entries checked and where it was.
import type { GradcheckReport } from '../../../protocol/gradcheck';
import { STUDIO_GRADCHECK } from '../../../protocol/gradcheck';
import type { TrainConfig } from '../../../protocol/train-config';
import { Badge } from '../../components/badge';
import { Card } from '../../components/card';
import { ErrorAlert } from '../../components/error-alert';
import { Icon } from '../../components/icons';
import { ProgressBar } from '../../components/progress-bar';
import { useEngine } from '../../engine-context';
import { useApp } from '../../store/app-store';

const relative = (x: number) => x.toExponential(2);

function ReportTable({ report }: { report: GradcheckReport }) {
  return (
    <table className="data-table" aria-label="Gradient check per module">
      <thead>
        <tr>
          <th scope="col">Module</th>
          <th scope="col" className="spaced">
            Result
          </th>
          <th scope="col" className="numeric">
            Worst relative error
          </th>
          <th scope="col" className="numeric">
            Autodiff
          </th>
          <th scope="col" className="numeric">
            Finite difference
          </th>
          <th scope="col" className="numeric">
            Entries
          </th>
          <th scope="col" className="spaced">
            At
          </th>
        </tr>
      </thead>
      <tbody>
        {report.modules.map((m) => (
          <tr key={m.module}>
            <th scope="row">{m.module}</th>
            <td className="spaced">{m.pass ? <Badge tone="success">pass</Badge> : <Badge tone="danger">fail</Badge>}</td>
            <td className="numeric tabular">{relative(m.worst.relativeError)}</td>
            <td className="numeric tabular">{m.worst.analytic.toExponential(4)}</td>
            <td className="numeric tabular">{m.worst.numeric.toExponential(4)}</td>
            <td className="numeric tabular">{m.checked}</td>
            <td className="spaced">
              <code>
                {m.worst.name}[{m.worst.index}]
              </code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function GradientCheckCard({ config, blocked }: { config: TrainConfig; blocked: string | null }) {
  const engine = useEngine();
  const check = useApp((s) => s.gradientCheck);
  const dismiss = useApp((s) => s.dismissGradientCheckError);
  const running = check.requestId !== null;
  const { progress, report } = check;
  return (
    <Card
      title="Check gradients"
      description={`Before trusting a new model family, a custom head or adapters: the gradients of the model this config trains, against finite differences on ${STUDIO_GRADCHECK.examples} examples of the training file, per module (float32: the step and threshold are set for it). The model in the studio is not changed.`}
      actions={
        running ? (
          <button type="button" className="button button-secondary" onClick={() => engine.cancelGradientCheck()}>
            <Icon name="stop" size={16} /> Cancel
          </button>
        ) : (
          <button type="button" className="button button-secondary" disabled={blocked !== null} title={blocked ?? undefined} onClick={() => engine.checkGradients(config, STUDIO_GRADCHECK.examples)}>
            <Icon name="check" size={16} /> Check gradients
          </button>
        )
      }
    >
      {blocked !== null && !running && <p className="muted">{blocked}</p>}
      {running && (
        <ProgressBar
          label={progress?.phase === 'checking' ? 'Checking gradients' : 'Preparing the run\'s model'}
          value={progress?.done ?? 0}
          max={progress?.phase === 'checking' ? progress.total : 0}
          text={progress?.phase === 'checking' ? `${progress.done} of ${progress.total} tensors` : undefined}
        />
      )}
      {check.error && <ErrorAlert title="The gradient check failed" error={check.error} onDismiss={dismiss} />}
      {report && (
        <>
          <p className={report.pass ? 'muted' : 'field-error'} role="status">
            {report.pass ? 'Every module passes' : `${report.modules.filter((m) => !m.pass).length} module(s) fail`}: worst relative error at most{' '}
            {relative(report.options.threshold)} (central differences, step {report.options.step}, {report.options.samplesPerTensor} entries per tensor), on {report.examples} examples of{' '}
            {check.model}; loss {report.loss.toFixed(4)}.
          </p>
          <ReportTable report={report} />
        </>
      )}
    </Card>
  );
}
