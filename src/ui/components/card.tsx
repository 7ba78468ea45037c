// A titled section of a panel. The title is a real heading (h2) that also names the region.
import { useId, type ReactNode } from 'react';

export function Card(props: { title: string; description?: ReactNode; actions?: ReactNode; className?: string; children: ReactNode }) {
  const id = useId();
  return (
    <section className={props.className ? `card ${props.className}` : 'card'} aria-labelledby={id}>
      <header className="card-header">
        <div>
          <h2 className="card-title" id={id}>
            {props.title}
          </h2>
          {props.description && <p className="card-description">{props.description}</p>}
        </div>
        {props.actions && <div className="card-actions">{props.actions}</div>}
      </header>
      {props.children}
    </section>
  );
}
