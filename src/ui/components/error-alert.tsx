// A coded error as people read it: what failed, the sentence, then the stable code and where (file, tensor, line)
// on a details line.
// role="alert" so screen readers announce it; every string is rendered as text, never as HTML.
import type { ReactNode } from 'react';
import { formatLocation, type LayerwiseErrorData } from '../../lib/errors';
import { CodedMessage } from './coded-message';
import { Icon } from './icons';

export function ErrorAlert(props: { title: string; error: LayerwiseErrorData; onDismiss?: () => void; children?: ReactNode }) {
  const where = formatLocation(props.error.location);
  return (
    <div className="alert alert-error" role="alert">
      <span className="alert-icon">
        <Icon name="alert" size={20} />
      </span>
      <div className="alert-body">
        <p className="alert-title">{props.title}</p>
        <p className="alert-message">
          <CodedMessage code={props.error.code} message={props.error.message} where={where !== '' ? where : undefined} />
        </p>
        {props.children}
      </div>
      {props.onDismiss && (
        <button type="button" className="icon-button" aria-label="Dismiss error" onClick={props.onDismiss}>
          <Icon name="close" size={16} />
        </button>
      )}
    </div>
  );
}
