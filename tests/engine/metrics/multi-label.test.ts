// Multi-label metrics, per-label threshold tuning, the multi-label majority baseline and class weights against
// scikit-learn (multilabel_reference.json, made by make_multilabel_reference.py).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { applyThresholds, multiLabelMajorityBaseline, multiLabelReport, tuneThresholds, type Scores } from '../../../src/engine/metrics/classification';
import { classWeights } from '../../../src/engine/train/class-weights';

interface Case {
  name: string;
  classes: number;
  yTrue: number[];
  yPred: number[];
  subsetAccuracy: number;
  hammingLoss: number;
  perLabel: { label: number; precision: number; recall: number; f1: number; support: number }[];
  macro: Scores;
  micro: Scores;
  weighted: Scores;
}
const REF = JSON.parse(readFileSync(join(import.meta.dirname, 'multilabel_reference.json'), 'utf8')) as {
  cases: Case[];
  tuning: { name: string; classes: number; scores: number[]; yTrue: number[]; best: { threshold: number; f1: number }[] }[];
  baselines: { name: string; classes: number; yTrue: number[]; predicted: number[]; accuracy: number; f1_macro: number }[];
  weights: { counts: number[]; balanced: number[]; beta: number; effective: number[] }[];
};

const close = (a: Scores, b: Scores) => {
  for (const k of ['precision', 'recall', 'f1'] as const) expect(a[k]).toBeCloseTo(b[k], 12);
};

describe('multi-label report', () => {
  test.each(REF.cases.map((c) => [c.name, c] as const))('%s: as scikit-learn', (_name, c) => {
    const r = multiLabelReport(c.yTrue, c.yPred, c.classes);
    expect(r.subsetAccuracy).toBeCloseTo(c.subsetAccuracy, 12);
    expect(r.hammingLoss).toBeCloseTo(c.hammingLoss, 12);
    expect(r.perLabel.map((s) => s.support)).toEqual(c.perLabel.map((s) => s.support));
    r.perLabel.forEach((s, i) => close(s, c.perLabel[i]));
    close(r.macro, c.macro);
    close(r.micro, c.micro);
    close(r.weighted, c.weighted);
  });

  test('rows of the wrong width are refused', () => {
    expect(() => multiLabelReport([1, 0, 1], [1, 0, 1], 2)).toThrow(expect.objectContaining({ code: 'METRICS_LENGTH_MISMATCH' }));
  });
});

describe('threshold tuning', () => {
  test.each(REF.tuning.map((t) => [t.name, t] as const))('%s: the best F1 cut of each label, nearest 0.5 on a tie', (_name, t) => {
    const thresholds = tuneThresholds(t.scores, t.yTrue, t.classes);
    thresholds.forEach((th, j) => expect(th).toBeCloseTo(t.best[j].threshold, 12));
    const report = multiLabelReport(t.yTrue, applyThresholds(t.scores, thresholds), t.classes);
    report.perLabel.forEach((s, j) => expect(s.f1).toBeCloseTo(t.best[j].f1, 12));
  });

  test('a label no example holds keeps the fallback; scores at the threshold count as predicted', () => {
    expect(tuneThresholds([0.9, 0.1, 0.2, 0.3], [0, 1, 0, 1], 2)).toEqual([0.5, 0.05]);
    expect(Array.from(applyThresholds([0.5, 0.49], [0.5, 0.5]))).toEqual([1, 0]);
  });
});

describe('multi-label majority baseline', () => {
  test.each(REF.baselines.map((b) => [b.name, b] as const))('%s: DummyClassifier(most_frequent)', (_name, b) => {
    const names = Array.from({ length: b.classes }, (_, i) => `l${i}`);
    const base = multiLabelMajorityBaseline(b.yTrue, names);
    const expected = names.filter((_, i) => b.predicted[i] === 1).join(', ') || '(no label)';
    expect(base).toEqual({ label: expected, accuracy: expect.closeTo(b.accuracy, 12), f1_macro: expect.closeTo(b.f1_macro, 12) });
  });
});

describe('class weights', () => {
  test.each(REF.weights.map((w) => [w.counts.join('/'), w] as const))('%s: compute_class_weight("balanced") and Cui et al. 2019', (_name, w) => {
    const labels = w.counts.map((_, i) => `c${i}`);
    const rows = w.counts.reduce((a, b) => a + b, 0);
    const balanced = classWeights({ classWeights: 'inverse-frequency', classWeightBeta: w.beta }, w.counts, rows, labels, false) as Float32Array;
    balanced.forEach((v, i) => expect(v).toBeCloseTo(w.balanced[i], 5));
    const effective = classWeights({ classWeights: 'effective-number', classWeightBeta: w.beta }, w.counts, rows, labels, false) as Float32Array;
    effective.forEach((v, i) => expect(v).toBeCloseTo(w.effective[i], 5));
  });

  test('multi-label: pos_weight negatives over positives, by name, and none', () => {
    const labels = ['a', 'b', 'c'];
    expect(Array.from(classWeights({ classWeights: 'inverse-frequency', classWeightBeta: 0.999 }, [10, 25, 100], 100, labels, true) as Float32Array)).toEqual([9, 3, 1]);
    const beta = 0.9;
    const eff = (n: number) => (1 - beta ** n) / (1 - beta);
    expect(classWeights({ classWeights: 'effective-number', classWeightBeta: beta }, [10, 25, 100], 100, labels, true)?.[0]).toBeCloseTo(eff(90) / eff(10), 5);
    expect(Array.from(classWeights({ classWeights: { b: 4 }, classWeightBeta: 0.999 }, [1, 2, 3], 10, labels, true) as Float32Array)).toEqual([1, 4, 1]);
    expect(classWeights({ classWeights: 'none', classWeightBeta: 0.999 }, [1, 2, 3], 10, labels, true)).toBeNull();
    expect(() => classWeights({ classWeights: { d: 2 }, classWeightBeta: 0.999 }, [1, 2, 3], 10, labels, false)).toThrow(expect.objectContaining({ code: 'TRAIN_CLASS_WEIGHT_UNKNOWN', location: { field: 'classWeights' } }));
  });
});
