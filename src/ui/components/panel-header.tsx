// The top of every panel: its name as the page's h1 (focusable from script: a panel opened by a link inside another
// moves the focus there), one line on what it is for, and the panel's main actions.
import type { ReactNode } from 'react';

export function PanelHeader(props: { title: string; description: ReactNode; actions?: ReactNode }) {
  return (
    <header className="panel-header">
      <div>
        <h1 className="panel-title" tabIndex={-1}>
          {props.title}
        </h1>
        <p className="panel-description">{props.description}</p>
      </div>
      {props.actions && <div className="panel-actions">{props.actions}</div>}
    </header>
  );
}
