// Label/value pairs as a description list (dt/dd keep each value paired with its label for assistive tech),
// laid out as a grid of figures.
import type { ReactNode } from 'react';

export interface StatItem {
  label: string;
  value: ReactNode;
}

export function StatGrid({ items, label }: { items: StatItem[]; label: string }) {
  return (
    <dl className="stat-grid" aria-label={label}>
      {items.map((item) => (
        <div className="stat" key={item.label}>
          <dt className="stat-label">{item.label}</dt>
          <dd className="stat-value tabular">{item.value}</dd>
        </div>
      ))}
    </dl>
  );
}
