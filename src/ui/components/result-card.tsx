// How good the model is, at a glance: the task's headline score, when it was measured, and the majority-class
// baseline beside it (ui/result.ts), with an "Evaluate now" action while a run goes on.
import type { ReactNode } from 'react';
import type { Headline } from '../result';
import { Card } from './card';

export function ResultCard(props: { headline: Headline; when: string; actions?: ReactNode; children?: ReactNode }) {
  const { headline: h } = props;
  const tone = h.margin === null ? '' : h.margin > 0.05 ? 'is-better' : 'is-worse';
  return (
    <Card title="How good is it" className="result-card" description={props.when} actions={props.actions}>
      <div className={`result-headline ${tone}`} role="group" aria-label="Headline result">
        <span className="result-label">{h.label}</span>
        <span className="result-value tabular">{h.value}</span>
      </div>
      {h.comparison && <p className="result-comparison">{h.comparison}</p>}
      {props.children}
    </Card>
  );
}
