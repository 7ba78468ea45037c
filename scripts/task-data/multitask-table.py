#!/usr/bin/env python3
"""The table of the #18 multi-task measurement (multitask.sh) from its results folder: per run, the final dev scores
of the run's metrics.json (CoNLL-2003 valid: seqeval entity F1 and token accuracy; SST-2 dev: accuracy and macro F1),
each seed's and their mean ± sample standard deviation over the seeds present.

usage: multitask-table.py RESULTS_DIR
"""
import json
import os
import statistics
import sys

E = sys.argv[1]
RUNS = [
    ('multi-task (ner + sst), 2 epochs', 'mt', 500),
    ('NER alone, 4 epochs', 'ner-e4', 500),
    ('SST-2 alone, 4 epochs', 'sst-e4', 500),
    ('NER alone, 2 epochs', 'ner-e2', 250),
    ('SST-2 alone, 2 epochs', 'sst-e2', 250),
    ('multi-task (ner + sst), 4 epochs', 'mt4', 1000),
]


def scores(name):
    """{column: value} of one run's final evaluation, or None while it is not written."""
    path = os.path.join(E, name, 'metrics.json')
    if not os.path.exists(path):
        return None
    m = json.load(open(path, encoding='utf-8'))
    ner = m['tasks']['ner'] if 'tasks' in m else (m if 'entity_f1' in m else None)
    sst = m['tasks']['sst'] if 'tasks' in m else (None if 'entity_f1' in m else m)
    out = {'steps': m['train']['steps']}
    if ner:
        out.update({'NER entity F1': ner['entity_f1'], 'NER token acc.': ner['accuracy']})
    if sst:
        out.update({'SST-2 acc.': sst['accuracy'], 'SST-2 F1 (macro)': sst['f1_macro']})
    return out


COLUMNS = ['NER entity F1', 'NER token acc.', 'SST-2 acc.', 'SST-2 F1 (macro)']
print('| run | steps | seeds | ' + ' | '.join(COLUMNS) + ' |')
print('| --- | --- | --- |' + ' --- |' * len(COLUMNS))
for label, prefix, steps in RUNS:
    found = {seed: scores(f'{prefix}-{seed}') for seed in (1, 2, 3)}
    found = {s: v for s, v in found.items() if v is not None}
    if not found:
        print(f'| {label} | {steps} | — |' + ' |' * len(COLUMNS))
        continue
    cells = []
    for c in COLUMNS:
        values = [v[c] for v in found.values() if c in v]
        if not values:
            cells.append('—')
        elif len(values) == 1:
            cells.append(f'{values[0]:.4f}')
        else:
            each = ', '.join(f'{x:.3f}' for x in values)
            cells.append(f'{statistics.mean(values):.4f} ± {statistics.stdev(values):.4f} ({each})')
    assert all(v['steps'] == steps for v in found.values()), (prefix, [v['steps'] for v in found.values()])
    print(f'| {label} | {steps} | {",".join(map(str, found))} | ' + ' | '.join(cells) + ' |')
# The majority-class baseline of each dev set (from a multi-task run's folders: each head's own metrics.json).
for seed in (1, 2, 3):
    folder = os.path.join(E, f'mt-{seed}')
    if os.path.exists(os.path.join(folder, 'metrics.json')):
        ner = json.load(open(os.path.join(folder, 'metrics.json'), encoding='utf-8'))['majority_baseline']
        sst = json.load(open(os.path.join(folder, 'heads', 'sst', 'metrics.json'), encoding='utf-8'))['majority_baseline']
        print(f'| majority class (O; "{sst["label"]}") | — | — | 0 | {ner["accuracy"]:.4f} | {sst["accuracy"]:.4f} | {sst["f1_macro"]:.4f} |')
        break
