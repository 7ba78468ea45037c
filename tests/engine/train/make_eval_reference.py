# Reference metrics for tests/engine/train/evaluate.test.ts: the hf-tiny fixtures' PyTorch logits and loss
# (reference.json, transformers 5.17) scored with scikit-learn (accuracy, precision_recall_fscore_support with
# zero_division=0, confusion_matrix) and, for token classification, strict IOB2 entities as seqeval's
# mode='strict' defines them (B-X then I-X*; a stray I-X is no entity). Run: /usr/bin/python3 make_eval_reference.py
import json
import math
import os

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

HERE = os.path.dirname(os.path.abspath(__file__))
GOLDEN = os.path.join(HERE, '..', '..', 'golden', 'hf-tiny')
TOKEN_TAGS = ['O', 'B-PER', 'I-PER']


def classification(y_true, y_pred, n):
    labels = list(range(n))
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    out = {
        'accuracy': accuracy_score(y_true, y_pred),
        'confusion_matrix': confusion_matrix(y_true, y_pred, labels=labels).tolist(),
        'per_class': [{'precision': float(p[i]), 'recall': float(r[i]), 'f1': float(f[i]), 'support': int(s[i])} for i in labels],
    }
    for avg in ['macro', 'micro', 'weighted']:
        out['f1_' + avg] = float(precision_recall_fscore_support(y_true, y_pred, labels=labels, average=avg, zero_division=0)[2])
    return out


def strict_entities(seq, sentence):
    out, i = set(), 0
    while i < len(seq):
        if seq[i].startswith('B-'):
            kind, end = seq[i][2:], i + 1
            while end < len(seq) and seq[end] == 'I-' + kind:
                end += 1
            out.add((sentence, kind, i, end))
            i = end
        else:
            i += 1
    return out


def entity_scores(true_seqs, pred_seqs):
    truth = set().union(*[strict_entities(s, k) for k, s in enumerate(true_seqs)])
    pred = set().union(*[strict_entities(s, k) for k, s in enumerate(pred_seqs)])
    tp = len(truth & pred)
    p = tp / len(pred) if pred else 0.0
    r = tp / len(truth) if truth else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {'entity_precision': p, 'entity_recall': r, 'entity_f1': f}


def main():
    out = {}
    ref = json.load(open(os.path.join(GOLDEN, 'bert-seq-cls', 'reference.json')))
    pred = np.argmax(np.array(ref['logits']), -1).tolist()
    out['bert-seq-cls'] = {'eval_loss': ref['loss'], **classification(ref['labels'], pred, 3)}

    ref = json.load(open(os.path.join(GOLDEN, 'bert-token-cls', 'reference.json')))
    logits = np.array(ref['logits'])
    y_true, y_pred, true_seqs, pred_seqs = [], [], [], []
    for k, row in enumerate(ref['labels']):
        keep = [j for j, l in enumerate(row) if l != -100]
        t = [row[j] for j in keep]
        p = [int(np.argmax(logits[k][j])) for j in keep]
        y_true += t
        y_pred += p
        true_seqs.append([TOKEN_TAGS[x] for x in t])
        pred_seqs.append([TOKEN_TAGS[x] for x in p])
    out['bert-token-cls'] = {'eval_loss': ref['loss'], 'tags': TOKEN_TAGS, **classification(y_true, y_pred, 3), **entity_scores(true_seqs, pred_seqs)}
    assert all(math.isfinite(v) for v in [out['bert-seq-cls']['eval_loss'], out['bert-token-cls']['eval_loss']])
    with open(os.path.join(HERE, 'eval_reference.json'), 'w') as f:
        json.dump(out, f, indent=1)
        f.write('\n')


main()
