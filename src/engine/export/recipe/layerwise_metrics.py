"""Evaluation metrics and early stopping as the Layerwise studio computes them, in plain Python.

Mirrors src/engine/metrics/classification.ts (scikit-learn's precision_recall_fscore_support with an explicit
labels list and zero_division=0, confusion_matrix rows = true label), entities.ts (seqeval's strict IOB2 entity
scores) and early-stopping.ts (transformers' EarlyStoppingCallback with load_best_model_at_end), so that train.py
reports the numbers the studio reports. The studio's tests check it against the engine on the same inputs.
"""
import math

METRIC_GOAL = {"eval_loss": "min", "accuracy": "max", "f1_macro": "max", "f1_micro": "max", "f1_weighted": "max", "entity_f1": "max"}


def _div(a, b):
    return 0.0 if b == 0 else a / b


def _f1(p, r):
    return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def classification_report(y_true, y_pred, labels):
    """accuracy, per-class P/R/F1/support, macro, micro and weighted averages, confusion matrix."""
    if len(y_true) != len(y_pred):
        raise ValueError(f"Cannot score {len(y_pred)} predictions against {len(y_true)} labels")
    index = {l: i for i, l in enumerate(labels)}
    tp = [0] * len(labels)
    predicted = [0] * len(labels)
    actual = [0] * len(labels)
    confusion = [[0] * len(labels) for _ in labels]
    correct = 0
    for t, p in zip(y_true, y_pred):
        i, j = index.get(t), index.get(p)
        if i is not None:
            actual[i] += 1
        if j is not None:
            predicted[j] += 1
        if i is not None and t == p:
            tp[i] += 1
        if i is not None and j is not None:
            confusion[i][j] += 1
        correct += t == p
    per_class = []
    for i, label in enumerate(labels):
        precision, recall = _div(tp[i], predicted[i]), _div(tp[i], actual[i])
        per_class.append({"label": label, "precision": precision, "recall": recall, "f1": _f1(precision, recall), "support": actual[i]})
    mean = lambda k: _div(sum(c[k] for c in per_class), len(per_class))
    micro_p, micro_r = _div(sum(tp), sum(predicted)), _div(sum(tp), sum(actual))
    total = sum(actual)
    weighted = lambda k: _div(sum(c[k] * c["support"] for c in per_class), total)
    return {
        "accuracy": correct / len(y_true) if y_true else math.nan,
        "per_class": per_class,
        "macro": {k: mean(k) for k in ("precision", "recall", "f1")},
        "micro": {"precision": micro_p, "recall": micro_r, "f1": _f1(micro_p, micro_r)},
        "weighted": {k: weighted(k) for k in ("precision", "recall", "f1")},
        "confusion": confusion,
    }


def is_iob2(tags):
    return all(t == "O" or (len(t) > 2 and t[0] in "BI" and t[1] == "-") for t in tags)


def _entities(tags, sentence):
    """Strict IOB2: an entity is B-X followed by any I-X; a stray I-X is no entity."""
    parsed = []
    for t in tags:
        if t == "O":
            parsed.append(("O", ""))
        elif len(t) >= 3 and t[1] == "-" and t[0] in "BI":
            parsed.append((t[0], t[2:]))
        else:
            raise ValueError(f"Tag {t!r} in sentence {sentence} is not an entity tag: expected O, B-TYPE or I-TYPE (IOB2)")
    out, i = [], 0
    while i < len(parsed):
        if parsed[i][0] != "B":
            i += 1
            continue
        kind, end = parsed[i][1], i + 1
        while end < len(parsed) and parsed[end][0] == "I" and parsed[end][1] == kind:
            end += 1
        out.append((sentence, i, end, kind))
        i = end
    return out


def entity_report(y_true, y_pred):
    """seqeval classification_report(mode='strict', scheme=IOB2): per type and micro/macro/weighted scores."""
    truth = [e for s, tags in enumerate(y_true) for e in _entities(tags, s)]
    guess = [e for s, tags in enumerate(y_pred) for e in _entities(tags, s)]
    true_set = set(truth)
    types = sorted({e[3] for e in truth + guess})
    per_type = []
    for kind in types:
        hit = sum(1 for e in guess if e[3] == kind and e in true_set)
        precision = _div(hit, sum(1 for e in guess if e[3] == kind))
        recall = _div(hit, sum(1 for e in truth if e[3] == kind))
        per_type.append({"type": kind, "precision": precision, "recall": recall, "f1": _f1(precision, recall), "support": sum(1 for e in truth if e[3] == kind)})
    hit = sum(1 for e in guess if e in true_set)
    micro_p, micro_r = _div(hit, len(guess)), _div(hit, len(truth))
    mean = lambda k: _div(sum(c[k] for c in per_type), len(per_type))
    weighted = lambda k: _div(sum(c[k] * c["support"] for c in per_type), len(truth))
    return {
        "per_type": per_type,
        "micro": {"precision": micro_p, "recall": micro_r, "f1": _f1(micro_p, micro_r)},
        "macro": {k: mean(k) for k in ("precision", "recall", "f1")},
        "weighted": {k: weighted(k) for k in ("precision", "recall", "f1")},
    }


def evaluation_metrics(task, loss_sum, count, y_true, y_pred, id2label, tags_true=None, tags_pred=None, examples=0):
    """The metrics of one evaluation, named as the studio's EvalMetrics."""
    eval_loss = loss_sum / count if count else math.nan
    correct = sum(1 for t, p in zip(y_true, y_pred) if t == p)
    out = {"eval_loss": eval_loss, "accuracy": correct / len(y_true) if y_true else math.nan, "eval_samples": examples}
    if task == "mlm":
        out["perplexity"] = math.exp(eval_loss) if eval_loss < 709 else math.inf
        return out
    report = classification_report(y_true, y_pred, list(range(len(id2label))))
    out.update({
        "accuracy": report["accuracy"],
        "f1_macro": report["macro"]["f1"],
        "f1_micro": report["micro"]["f1"],
        "f1_weighted": report["weighted"]["f1"],
        "per_class": [{**c, "label": id2label[c["label"]]} for c in report["per_class"]],
        "confusion_matrix": report["confusion"],
        "labels": list(id2label),
    })
    if task == "token-cls" and is_iob2(id2label):
        ents = entity_report(tags_true, tags_pred)
        out.update({
            "entity_precision": ents["micro"]["precision"],
            "entity_recall": ents["micro"]["recall"],
            "entity_f1": ents["micro"]["f1"],
            "per_entity": ents["per_type"],
        })
    return out


class EarlyStopping:
    """Best = any strict improvement of the metric; patience counts evaluations that improve on the best by no more
    than min_delta; stop when the count reaches patience (None: never)."""

    def __init__(self, config):
        self.metric = config["metric"]
        self.goal = METRIC_GOAL[self.metric]
        self.patience = config["patience"]
        self.min_delta = config["minDelta"]
        self.best = None
        self.best_step = None
        self.bad = 0

    def update(self, step, metrics):
        """(is_best, should_stop) for one evaluation after optimizer step `step`."""
        if self.metric not in metrics:
            raise KeyError(f"Early stopping watches {self.metric}, but the evaluation reported only {', '.join(metrics)}")
        value = metrics[self.metric]
        previous = self.best
        better = previous is None or (value < previous if self.goal == "min" else value > previous)
        is_best = not math.isnan(value) and better
        significant = is_best and (previous is None or abs(value - previous) > self.min_delta)
        self.bad = 0 if significant else self.bad + 1
        if is_best:
            self.best, self.best_step = value, step
        return is_best, self.patience is not None and self.bad >= self.patience
