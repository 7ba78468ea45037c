// Stand-in for a panel whose feature is not built yet: says plainly what it will do, and does nothing else.
import { EmptyState } from '../../components/empty-state';
import type { IconName } from '../../components/icons';
import { PanelHeader } from '../../components/panel-header';

export function PlannedPanel(props: { title: string; icon: IconName; purpose: string }) {
  return (
    <div className="panel-body">
      <PanelHeader title={props.title} description={props.purpose} />
      <div className="card empty-card">
        <EmptyState icon={props.icon} title={`${props.title} is not built yet`}>
          <p>This panel is part of the studio's plan and arrives in a later release.</p>
        </EmptyState>
      </div>
    </div>
  );
}
