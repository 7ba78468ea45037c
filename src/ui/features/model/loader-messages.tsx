// Every note the loader made (renames, a freshly initialised head, non-finite values), each with its code and
// the tensors it concerns. An empty list is said out loud: nothing was renamed, added or found non-finite. Training
// on non-finite weights is refused unless the user ticks "Train anyway" under their table (RELIABILITY M17).
import { Badge } from '../../components/badge';
import { Card } from '../../components/card';
import { CodedMessage } from '../../components/coded-message';
import { Icon } from '../../components/icons';
import type { LoaderMessage, ParameterInfo } from '../../../protocol/messages';
import { formatCount } from '../../format';

/** Long tensor lists stay folded so one message cannot push the rest off screen. */
const SHOWN_TENSORS = 4;

function TensorList({ tensors }: { tensors: string[] }) {
  const list = (names: string[]) => (
    <ul className="tensor-list">
      {names.map((t, i) => (
        <li key={i}>
          <code title={t.length > 200 ? t.slice(0, 500) : undefined}>{t}</code>
        </li>
      ))}
    </ul>
  );
  if (tensors.length <= SHOWN_TENSORS) return list(tensors);
  return (
    <details className="tensor-details">
      <summary>{formatCount(tensors.length)} tensors</summary>
      {list(tensors)}
    </details>
  );
}

export interface LoaderMessagesProps {
  messages: LoaderMessage[];
  parameters: ParameterInfo[];
  /** The "Train anyway" choice for non-finite weights, and its setter. */
  trainNonFinite: boolean;
  onTrainNonFinite(on: boolean): void;
}

export function LoaderMessages({ messages, parameters, trainNonFinite, onTrainNonFinite }: LoaderMessagesProps) {
  // Warnings first: they ask for a decision (a new head to train, weights to fix); info notes only inform.
  const warningList = messages.filter((m) => m.level === 'warning');
  const ordered = [...warningList, ...messages.filter((m) => m.level !== 'warning')];
  const warnings = warningList.length;
  const nonFinite = parameters.filter((p) => p.nonFinite > 0);
  return (
    <Card
      title="Loader report"
      description="What the loader changed or found while reading the checkpoint."
      actions={
        messages.length > 0 && (
          <>
            {warnings > 0 && <Badge tone="warning">{warnings === 1 ? '1 warning' : `${warnings} warnings`}</Badge>}
            {messages.length - warnings > 0 && <Badge>{messages.length - warnings} info</Badge>}
          </>
        )
      }
    >
      {messages.length === 0 ? (
        <p className="all-clear">
          <Icon name="check" /> Loaded as written: no renames, no new heads, every value finite.
        </p>
      ) : (
        <ul className="message-list" aria-label="Loader messages">
          {ordered.map((m, i) => (
            <li key={`${m.code}-${i}`} className={`message message-${m.level}`}>
              <span className="message-icon">
                <Icon name={m.level === 'warning' ? 'warning' : 'info'} />
              </span>
              <div className="message-body">
                <p>
                  <CodedMessage code={m.code} message={m.message} />
                </p>
                {m.tensors && m.tensors.length > 0 && <TensorList tensors={m.tensors} />}
              </div>
            </li>
          ))}
        </ul>
      )}
      {nonFinite.length > 0 && (
        <table className="data-table">
          <caption>Tensors with NaN or infinite values</caption>
          <thead>
            <tr>
              <th scope="col">Tensor</th>
              <th scope="col" className="numeric">
                Non-finite values
              </th>
            </tr>
          </thead>
          <tbody>
            {nonFinite.map((p) => (
              <tr key={p.name}>
                <td>
                  <code>{p.name}</code>
                </td>
                <td className="numeric tabular">{formatCount(p.nonFinite)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {nonFinite.length > 0 && (
        <label className="check-label override">
          <input type="checkbox" checked={trainNonFinite} onChange={(e) => onTrainNonFinite(e.currentTarget.checked)} />
          <span>Train anyway: runs start from these weights, NaN and infinite values included (training is blocked otherwise)</span>
        </label>
      )}
    </Card>
  );
}
