// Where the parameters are, as proportional bars per block (text carries the numbers; the bar is decoration).
import { Card } from '../../components/card';
import type { ParameterInfo } from '../../../protocol/messages';
import { formatCompact, formatCount } from '../../format';
import { groupParameters } from './parameter-groups';

export function ParameterBreakdown({ parameters, total }: { parameters: ParameterInfo[]; total: number }) {
  const groups = groupParameters(parameters);
  const largest = Math.max(1, ...groups.map((g) => g.count));
  return (
    <Card title="Parameters by block" description={`${formatCount(parameters.length)} tensors, ${formatCount(total)} values, by checkpoint name.`}>
      <ul className="breakdown" aria-label="Parameters by block">
        {groups.map((g) => (
          <li key={g.label} className="breakdown-row">
            <code className="breakdown-label">{g.label}</code>
            <span className="breakdown-bar" aria-hidden="true">
              <span style={{ width: `${(100 * g.count) / largest}%` }} />
            </span>
            <span className="breakdown-value tabular">
              {g.repeats > 1 ? `${g.repeats} × ${formatCompact(g.count / g.repeats)}` : formatCompact(g.count)}
              <span className="muted"> · {total > 0 ? ((100 * g.count) / total).toFixed(1) : '0.0'}%</span>
            </span>
          </li>
        ))}
      </ul>
    </Card>
  );
}
