// The way on at the end of a panel: one button to the next panel of the journey, so a newcomer never has to guess.
// The next panel opens at its top with the focus on its heading.
import type { PanelId } from '../store/layout-slice';
import { useApp } from '../store/app-store';
import { Icon } from './icons';

export function NextStep(props: { to: PanelId; label: string; hint?: string }) {
  const showPanel = useApp((s) => s.showPanel);
  return (
    <div className="next-step">
      {props.hint && <p className="muted">{props.hint}</p>}
      <button type="button" className="button button-secondary" onClick={() => showPanel(props.to, true)}>
        {props.label}
        <span className="next-arrow" aria-hidden="true">
          <Icon name="chevron" size={16} />
        </span>
      </button>
    </div>
  );
}
