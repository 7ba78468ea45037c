// How good a run is, in words (ui/result.ts) and as the result card shows it: the headline score beside the
// majority-class baseline, and when it was measured ("after step N of M" mid-run, "final" after).
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { EvalMetrics } from '../../src/protocol/train-events';
import { ResultCard } from '../../src/ui/components/result-card';
import { evaluationWhen, headline } from '../../src/ui/result';

const metrics = (accuracy: number, extra: Partial<EvalMetrics> = {}): EvalMetrics => ({ eval_loss: 0.7, accuracy, eval_samples: 64, ...extra });
const neutral = { label: 'neutral', accuracy: 0.594, f1_macro: 0.248 };

describe('headline', () => {
  it('sets accuracy against always guessing the commonest class', () => {
    expect(headline(metrics(0.687), neutral, 'seq-cls')).toEqual({
      label: 'Accuracy',
      value: '68.7%',
      comparison: 'Always guessing “neutral” gets 59.4% (the majority-class baseline); this model is 9.3 points better.',
      margin: expect.closeTo(9.3, 5),
    });
    expect(headline(metrics(0.5), neutral, 'seq-cls').comparison).toBe(
      'Always guessing “neutral” gets 59.4% (the majority-class baseline); this model is 9.4 points worse: it has not learned more than the class balance yet.',
    );
    expect(headline(metrics(0.594), neutral, 'seq-cls').comparison).toMatch(/this model is no better than that\.$/);
    expect(headline(metrics(0.9), null, 'seq-cls')).toEqual({ label: 'Accuracy', value: '90.0%', comparison: null, margin: null });
  });

  it('a multi-task run: the first head\'s score against its own baseline, not the mean over the heads', () => {
    const tasks = { sentiment: metrics(0.8), topic: metrics(0.2) };
    const pos = { label: 'pos', accuracy: 0.6, f1_macro: 0.375 };
    const h = headline(metrics(0.5, { tasks }), pos, 'seq-cls', { name: 'sentiment', task: 'seq-cls' });
    expect(h).toMatchObject({ label: 'Accuracy of sentiment', value: '80.0%', margin: expect.closeTo(20, 5) });
    expect(headline(metrics(0.5, { tasks }), pos, 'seq-cls').value).toBe('50.0%');
  });

  it('reads entity F1 for token classification, where always "O" finds no entity', () => {
    const h = headline(metrics(0.91, { entity_f1: 0.712 }), { label: 'O', accuracy: 0.85, f1_macro: 0.2 }, 'token-cls');
    expect(h.label).toBe('Entity F1');
    expect(h.value).toBe('0.712');
    expect(h.comparison).toBe('Always guessing “O” finds no entity (entity F1 0) and labels 85.0% of the tokens right; this model labels 91.0% right.');
  });
});

describe('evaluationWhen', () => {
  it('says "after step N of M" mid-run and "final" once the run has ended', () => {
    expect(evaluationWhen(120, 900, 'running', null, false)).toBe('After step 120 of 900');
    expect(evaluationWhen(120, 900, 'paused', null, false)).toBe('After step 120 of 900');
    expect(evaluationWhen(900, 900, 'finished', null, false)).toBe('Final');
    expect(evaluationWhen(40, 900, 'finished', null, true)).toBe('Final (stopped at step 40 of 900)');
    expect(evaluationWhen(900, 900, 'finished', 600, false)).toBe('Final (best weights, step 600)');
  });
});

describe('ResultCard', () => {
  it('shows the score, when it was measured and the baseline sentence', () => {
    const html = renderToStaticMarkup(createElement(ResultCard, { headline: headline(metrics(0.687), neutral, 'seq-cls'), when: 'After step 120 of 900' }));
    expect(html).toContain('How good is it');
    expect(html).toContain('After step 120 of 900');
    expect(html).toMatch(/<span class="result-value tabular">68\.7%<\/span>/);
    expect(html).toContain('result-headline is-better');
    expect(html).toContain('Always guessing “neutral” gets 59.4%');
  });
});
