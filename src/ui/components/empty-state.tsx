// What a panel shows before there is anything to show: an icon, a headline, one line of help, the next action.
import type { ReactNode } from 'react';
import { Icon, type IconName } from './icons';

export function EmptyState(props: { icon: IconName; title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="empty-state">
      <span className="empty-state-icon">
        <Icon name={props.icon} size={28} />
      </span>
      <p className="empty-state-title">{props.title}</p>
      {props.children && <div className="empty-state-text">{props.children}</div>}
      {props.action && <div className="empty-state-action">{props.action}</div>}
    </div>
  );
}
