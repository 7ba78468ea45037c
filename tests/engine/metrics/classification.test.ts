// Classification metrics against scikit-learn 1.2 (classification_reference.json, made by
// make_classification_reference.py): accuracy, per-class and averaged P/R/F1 with zero_division=0, confusion matrix.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { accuracy, classificationReport, confusionMatrix, majorityBaseline } from '../../../src/engine/metrics/classification';

interface Scores {
  precision: number;
  recall: number;
  f1: number;
}
interface Case {
  name: string;
  yTrue: number[];
  yPred: number[];
  labels: number[];
  accuracy: number;
  confusion: number[][];
  perClass: (Scores & { label: number; support: number })[];
  macro: Scores;
  micro: Scores;
  weighted: Scores;
}
const { cases } = JSON.parse(readFileSync(new URL('./classification_reference.json', import.meta.url), 'utf8')) as {
  cases: Case[];
};

function expectScores(actual: Scores, expected: Scores, what: string): void {
  for (const key of ['precision', 'recall', 'f1'] as const) {
    expect(actual[key], `${what} ${key}`).toBeCloseTo(expected[key], 12);
  }
}

describe('classificationReport matches scikit-learn', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const report = classificationReport(c.yTrue, c.yPred, c.labels);
    expect(report.accuracy).toBeCloseTo(c.accuracy, 12);
    expect(report.confusion).toEqual(c.confusion);
    expect(report.labels).toEqual(c.labels);
    expect(report.perClass.map((p) => [p.label, p.support])).toEqual(c.perClass.map((p) => [p.label, p.support]));
    report.perClass.forEach((p, i) => expectScores(p, c.perClass[i], `label ${p.label}`));
    expectScores(report.macro, c.macro, 'macro');
    expectScores(report.micro, c.micro, 'micro');
    expectScores(report.weighted, c.weighted, 'weighted');
  });
});

describe('edge cases', () => {
  it('accuracy of no examples is NaN, as sklearn (0/0)', () => {
    expect(accuracy([], [])).toBeNaN();
  });

  it('accepts typed arrays', () => {
    const c = cases[0];
    expect(confusionMatrix(Int32Array.from(c.yTrue), Int32Array.from(c.yPred), c.labels)).toEqual(c.confusion);
  });

  it('refuses predictions and labels of different lengths', () => {
    expect(() => classificationReport([0, 1], [0], [0, 1])).toThrow(
      expect.objectContaining({ code: 'METRICS_LENGTH_MISMATCH' }),
    );
  });
});

describe('majority-class baseline', () => {
  const { baselines } = JSON.parse(readFileSync(new URL('./classification_reference.json', import.meta.url), 'utf8')) as {
    baselines: { name: string; yTrue: number[]; classes: number; label: number; accuracy: number; f1_macro: number }[];
  };
  for (const b of baselines) {
    it(`as DummyClassifier(most_frequent): ${b.name}`, () => {
      const names = Array.from({ length: b.classes }, (_, i) => `c${i}`);
      const got = majorityBaseline(b.yTrue, names);
      expect(got?.label).toBe(`c${b.label}`);
      expect(got?.accuracy).toBeCloseTo(b.accuracy, 12);
      expect(got?.f1_macro).toBeCloseTo(b.f1_macro, 12);
    });
  }
  it('leaves ignored positions out, and is null without labels', () => {
    expect(majorityBaseline([-100, 1, 1, 0, -100], ['a', 'b'])).toMatchObject({ label: 'b', accuracy: 2 / 3 });
    expect(majorityBaseline([-100], ['a', 'b'])).toBeNull();
  });
});
