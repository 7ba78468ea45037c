# Generates classification_reference.json for classification.test.ts with scikit-learn (Debian's python3-sklearn):
# accuracy_score, precision_recall_fscore_support (per class, macro, micro, weighted; zero_division=0) and
# confusion_matrix, each with an explicit label order; and the majority-class baseline (DummyClassifier most_frequent). Run: /usr/bin/python3 tests/engine/metrics/make_classification_reference.py
import json, os
import numpy as np
import sklearn
from sklearn.dummy import DummyClassifier
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

rng = np.random.default_rng(3)
cases = []


def add(name, y_true, y_pred, labels):
    y_true, y_pred = list(map(int, y_true)), list(map(int, y_pred))
    out = {'name': name, 'yTrue': y_true, 'yPred': y_pred, 'labels': labels,
           'accuracy': float(accuracy_score(y_true, y_pred)),
           'confusion': confusion_matrix(y_true, y_pred, labels=labels).tolist()}
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, average=None, zero_division=0)
    out['perClass'] = [{'label': l, 'precision': float(a), 'recall': float(b), 'f1': float(c), 'support': int(d)}
                       for l, a, b, c, d in zip(labels, p, r, f, s)]
    for avg in ['macro', 'micro', 'weighted']:
        p, r, f, _ = precision_recall_fscore_support(y_true, y_pred, labels=labels, average=avg, zero_division=0)
        out[avg] = {'precision': float(p), 'recall': float(r), 'f1': float(f)}
    cases.append(out)


t = rng.integers(0, 3, 60)
p = np.where(rng.random(60) < 0.6, t, rng.integers(0, 3, 60))
add('3 classes, 60 samples', t, p, [0, 1, 2])
t = rng.integers(0, 3, 40)
p = rng.integers(0, 5, 40)
p[p == 4] = 0
add('5 labels: label 3 never true, label 4 never predicted', t, p, [0, 1, 2, 3, 4])
t = rng.integers(0, 4, 30)
add('a label absent from both (zero division everywhere for it)', t, np.where(rng.random(30) < 0.5, t, 0), [0, 1, 2, 3, 4, 5])
add('one class, all correct', [0] * 8, [0] * 8, [0, 1])
add('all wrong', [0, 1, 2, 0, 1, 2], [1, 2, 0, 2, 0, 1], [0, 1, 2])
add('label order is the caller\'s', [2, 2, 0, 1, 1, 0, 2], [2, 0, 0, 1, 2, 0, 2], [2, 0, 1])
add('samples outside labels count as sklearn counts them', [0, 1, 2, 2, 1, 0, 2], [0, 2, 2, 1, 1, 0, 0], [0, 1])
t = rng.integers(0, 7, 500)
add('7 classes, 500 samples, skewed predictions', t, np.where(rng.random(500) < 0.4, t, rng.integers(0, 3, 500)), list(range(7)))

baselines = []
for name, y_true, n in [('3 classes, skewed', [2, 0, 2, 1, 2, 2, 0], 3), ('a tie takes the lowest id', [1, 0, 1, 0, 2], 3),
                        ('a class never seen', [1, 1, 1, 3], 4), ('random 5 classes', rng.integers(0, 5, 200).tolist(), 5)]:
    dummy = DummyClassifier(strategy='most_frequent').fit(np.zeros((len(y_true), 1)), y_true)
    pred = dummy.predict(np.zeros((len(y_true), 1)))
    baselines.append({'name': name, 'yTrue': list(map(int, y_true)), 'classes': n, 'label': int(pred[0]),
                      'accuracy': float(accuracy_score(y_true, pred)),
                      'f1_macro': float(f1_score(y_true, pred, labels=list(range(n)), average='macro', zero_division=0))})

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'classification_reference.json'), 'w') as f:
    json.dump({'generator': 'make_classification_reference.py', 'sklearn': sklearn.__version__, 'cases': cases, 'baselines': baselines}, f)
print(len(cases), 'cases')
