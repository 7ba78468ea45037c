// The charts of issue 16 item 9, rendered as the studio renders them (react-dom/server): the loss smoothed by a
// debiased EMA, a colour of its own for each parameter group's line, the confusion matrix on row shares and a log
// colour scale for imbalanced data, the label counts written at the end of their bars, and a multi-task run's line per head.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { DatasetSummary } from '../../src/protocol/dataset-summary';
import { groupColor } from '../../src/ui/components/chart-figure';
import { LabelChart } from '../../src/ui/features/dataset/label-chart';
import { ConfusionMatrix, imbalance } from '../../src/ui/features/evaluation/metrics-view';
import { headSeries, smoothEma } from '../../src/ui/features/training/training-charts';

describe('smoothEma', () => {
  it('is TensorBoard\'s debiased EMA: the first value as it is, then the weighted mean; non-finite values skipped', () => {
    const out = smoothEma([1, 3, null, Number.NaN, 5], 0.5);
    expect(out[0]).toBe(1);
    // (0.5·0.5·1 ... ) debiased: last = 0.25 + 1.5 = 1.75 after two values, over 1 − 0.25.
    expect(out[1]).toBeCloseTo(1.75 / 0.75, 12);
    expect(out[2]).toBeNull();
    expect(out[3]).toBeNull();
    expect(out[4]).toBeCloseTo((0.875 + 2.5) / 0.875, 12);
    expect(smoothEma([2, 4], 0)).toEqual([2, 4]);
  });
});

describe('groupColor', () => {
  it('gives neighbouring groups different hues, and 14 groups 14 different colours', () => {
    const colours = Array.from({ length: 14 }, (_, i) => groupColor(i));
    expect(new Set(colours).size).toBe(14);
    const hue = (c: string) => Number(/hsl\((\d+)/.exec(c)?.[1]);
    for (let i = 1; i < 12; i++) {
      const d = Math.abs(hue(colours[i]) - hue(colours[i - 1]));
      expect(Math.min(d, 360 - d)).toBeGreaterThanOrEqual(30);
    }
  });
});

describe('ConfusionMatrix', () => {
  const heat = (html: string) => [...html.matchAll(/--heat:([\d.e-]+)/g)].map((m) => Number(m[1]));

  it('opens on row shares for imbalanced data, so the big class does not drown the errors', () => {
    // NER-like: 10,000 "O" tokens, 20 PER, one PER read as O.
    const matrix = [
      [10_000, 0],
      [1, 19],
    ];
    expect(imbalance(matrix)).toBe(500);
    const html = renderToStaticMarkup(createElement(ConfusionMatrix, { matrix, labels: ['O', 'B-PER'] }));
    expect(html).toMatch(/<input type="checkbox" checked=""/);
    expect(html).toContain('each row in shares of its examples');
    expect(html).toContain('95%');
    expect(heat(html)).toEqual([1, 0, 0.05, 0.95]);
  });

  it('keeps counts for balanced data, coloured on a log scale', () => {
    const matrix = [
      [90, 10],
      [1, 99],
    ];
    const html = renderToStaticMarkup(createElement(ConfusionMatrix, { matrix, labels: ['a', 'b'] }));
    expect(html).not.toMatch(/<input type="checkbox" checked=""/);
    expect(html).toContain('colour on a log scale of the counts');
    const [a, b, c, d] = heat(html);
    expect(d).toBe(1);
    expect(a).toBeCloseTo(Math.log1p(90) / Math.log1p(99), 12);
    expect(b).toBeCloseTo(Math.log1p(10) / Math.log1p(99), 12);
    // One error among a hundred still shows: linear would be 0.01.
    expect(c).toBeGreaterThan(0.1);
  });
});

describe('LabelChart', () => {
  it('writes each label\'s count and share at the end of its bar', () => {
    const summary = {
      kind: 'examples',
      role: 'train',
      labelColumn: 'label',
      labels: {
        items: [
          { label: 'ham', count: 225 },
          { label: 'spam', count: 75 },
        ],
        total: 2,
      },
    } as unknown as DatasetSummary;
    const html = renderToStaticMarkup(createElement(LabelChart, { summary }));
    expect(html).toMatch(/<bdi class="hbar-label">ham<\/bdi>.*?<span class="hbar-value tabular">225 <span class="muted">· 75\.0%<\/span>/);
    expect(html).toMatch(/<bdi class="hbar-label">spam<\/bdi>.*?--share:0\.333.*?75 <span class="muted">· 25\.0%/);
  });
});

describe('headSeries', () => {
  it("draws each head of a multi-task run's evaluations (EvalMetrics.tasks) as its own accuracy line, at the steps it was evaluated", () => {
    const m = (accuracy: number) => ({ eval_loss: 1, accuracy, eval_samples: 4 });
    const at = (step: number, tasks?: Record<string, ReturnType<typeof m>>) => ({ record: { ...m(0.5), step, epoch: 0, learning_rate: 0, tasks }, isBest: false, lrReduced: false });
    const series = headSeries([at(2, { sentiment: m(0.25), topic: m(0.5) }), at(4, { sentiment: m(0.75) }), at(6)]);
    expect(series.map((s) => [s.name, s.xs, s.ys])).toEqual([
      ['sentiment accuracy', [2, 4], [0.25, 0.75]],
      ['topic accuracy', [2], [0.5]],
    ]);
    expect(headSeries([at(2)])).toEqual([]);
  });
});
