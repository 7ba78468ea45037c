# Generates multilabel_reference.json for multi-label.test.ts with scikit-learn (Debian's python3-sklearn): on 0/1
# indicator matrices, precision_recall_fscore_support (per label, macro, micro, weighted; zero_division=0),
# accuracy_score (subset accuracy) and hamming_loss; per-label thresholds by brute force over every cut between
# distinct scores (f1_score at each, ties to the cut nearest 0.5); DummyClassifier(most_frequent) on a multilabel y;
# compute_class_weight("balanced") and Cui et al.'s effective-number weights.
# Run: /usr/bin/python3 tests/engine/metrics/make_multilabel_reference.py
import json, os
import numpy as np
import sklearn
from sklearn.dummy import DummyClassifier
from sklearn.metrics import accuracy_score, f1_score, hamming_loss, precision_recall_fscore_support
from sklearn.utils.class_weight import compute_class_weight

rng = np.random.default_rng(20)
cases = []


def add(name, y_true, y_pred):
    y_true, y_pred = np.asarray(y_true, dtype=int), np.asarray(y_pred, dtype=int)
    out = {'name': name, 'classes': int(y_true.shape[1]), 'yTrue': y_true.ravel().tolist(), 'yPred': y_pred.ravel().tolist(),
           'subsetAccuracy': float(accuracy_score(y_true, y_pred)), 'hammingLoss': float(hamming_loss(y_true, y_pred))}
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, average=None, zero_division=0)
    out['perLabel'] = [{'label': i, 'precision': float(a), 'recall': float(b), 'f1': float(c), 'support': int(d)} for i, (a, b, c, d) in enumerate(zip(p, r, f, s))]
    for avg in ['macro', 'micro', 'weighted']:
        p, r, f, _ = precision_recall_fscore_support(y_true, y_pred, average=avg, zero_division=0)
        out[avg] = {'precision': float(p), 'recall': float(r), 'f1': float(f)}
    cases.append(out)


t = (rng.random((40, 5)) < 0.3).astype(int)
add('5 labels, 40 examples', t, np.where(rng.random((40, 5)) < 0.7, t, 1 - t))
t = (rng.random((30, 4)) < 0.2).astype(int)
t[:, 3] = 0
p = (rng.random((30, 4)) < 0.2).astype(int)
p[:, 2] = 0
add('a label never true, a label never predicted', t, p)
add('rows without labels, all right', [[0, 0, 0], [1, 0, 1], [0, 0, 0]], [[0, 0, 0], [1, 0, 1], [0, 0, 0]])
t = (rng.random((200, 7)) < 0.15).astype(int)
add('7 labels, 200 examples, sparse', t, (rng.random((200, 7)) < 0.2).astype(int) | (t & (rng.random((200, 7)) < 0.5)))

tuning = []
for name, n, c in [('4 labels, 50 examples', 50, 4), ('ties in the scores', 24, 3)]:
    y = (rng.random((n, c)) < 0.35).astype(int)
    scores = np.clip(0.35 * y + rng.random((n, c)) * 0.7, 0, 1)
    if name.startswith('ties'):
        scores = np.round(scores * 4) / 4
    y[:, -1] = 0  # a label no example holds keeps 0.5
    best = []
    for j in range(c):
        s = np.unique(scores[:, j])[::-1]
        cuts = [(1 + s[0]) / 2] + [(s[k] + s[k + 1]) / 2 for k in range(len(s) - 1)] + [s[-1] / 2]
        if y[:, j].sum() == 0:
            best.append({'threshold': 0.5, 'f1': 0.0})
            continue
        scored = [(f1_score(y[:, j], (scores[:, j] >= t).astype(int), zero_division=0), t) for t in cuts]
        top = max(f for f, _ in scored)
        t = min((t for f, t in scored if abs(f - top) <= 1e-12), key=lambda t: abs(t - 0.5))
        best.append({'threshold': float(t), 'f1': float(top)})
    tuning.append({'name': name, 'classes': c, 'scores': scores.ravel().tolist(), 'yTrue': y.ravel().tolist(), 'best': best})

baselines = []
for name, y in [('mostly empty rows', (rng.random((30, 4)) < 0.2).astype(int)), ('a label most rows hold', np.c_[(rng.random((20, 1)) < 0.8).astype(int), (rng.random((20, 2)) < 0.3).astype(int)])]:
    d = DummyClassifier(strategy='most_frequent').fit(np.zeros((len(y), 1)), y)
    pred = d.predict(np.zeros((len(y), 1)))
    baselines.append({'name': name, 'classes': int(y.shape[1]), 'yTrue': y.ravel().tolist(), 'predicted': pred[0].astype(int).tolist(),
                      'accuracy': float(accuracy_score(y, pred)), 'f1_macro': float(f1_score(y, pred, average='macro', zero_division=0))})

weights = []
for counts in [[50, 30, 15, 5], [1000, 10], [7, 7, 7]]:
    y = np.repeat(np.arange(len(counts)), counts)
    beta = 0.999
    eff = (1 - beta) / (1 - np.power(beta, np.asarray(counts, dtype=float)))
    weights.append({'counts': counts, 'balanced': compute_class_weight('balanced', classes=np.arange(len(counts)), y=y).tolist(),
                    'beta': beta, 'effective': (eff * len(counts) / eff.sum()).tolist()})

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'multilabel_reference.json'), 'w') as f:
    json.dump({'generator': 'make_multilabel_reference.py', 'sklearn': sklearn.__version__, 'cases': cases, 'tuning': tuning, 'baselines': baselines, 'weights': weights}, f)
print(len(cases), 'cases')
