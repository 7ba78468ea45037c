#!/usr/bin/env python3
"""Derives the #20 measurement files (never committed) into OUT_DIR:

- goemotions/{train4k,dev2k,test}.tsv: GoEmotions (Demszky et al. 2020; google-research, Apache-2.0) in the Ekman
  grouping (anger, disgust, fear, joy, neutral, sadness, surprise) as monologg/GoEmotions-pytorch distributes it
  (data/ekman/*.tsv: text, comma-separated label ids, comment id; no header), from a clone of a fork of that repository
  (GOEMOTIONS_REPO). Each row becomes `text<TAB>names`, the ids mapped to labels.txt's names and joined with ','; a
  header `text<TAB>labels` is added. train4k: the first 4,000 rows of train; dev2k: the first 2,000 of dev; test whole.
- conll-docs/{train200,valid,test}.conll: CoNLL-2003 (../shared/data/conll2003) with each -DOCSTART- document as one
  sequence (its sentences joined, token and NER tag per line, a blank line between documents): document-level NER,
  whose documents are longer than the built-in model's 128 positions. train200: the first 200 documents of train;
  valid and test: the first 100 of each.

usage: derive.py GOEMOTIONS_REPO SHARED_DATA OUT_DIR
"""
import os
import subprocess
import sys


def git_show(repo, path):
    return subprocess.run(['git', '-C', repo, 'show', f'HEAD:{path}'], capture_output=True, text=True, check=True).stdout


def goemotions(repo, out):
    os.makedirs(os.path.join(out, 'goemotions'), exist_ok=True)
    names = git_show(repo, 'data/ekman/labels.txt').split()
    for split, limit, name in [('train', 4000, 'train4k'), ('dev', 2000, 'dev2k'), ('test', None, 'test')]:
        rows = [line.split('\t') for line in git_show(repo, f'data/ekman/{split}.tsv').splitlines()]
        assert all(len(r) == 3 for r in rows), split
        rows = rows[:limit] if limit else rows
        with open(os.path.join(out, 'goemotions', f'{name}.tsv'), 'w', encoding='utf-8') as f:
            f.write('text\tlabels\n')
            for text, ids, _ in rows:
                f.write(text.replace('\t', ' ') + '\t' + ','.join(names[int(i)] for i in ids.split(',')) + '\n')


def conll_documents(path):
    docs, cur = [], []
    for line in open(path, encoding='utf-8'):
        line = line.rstrip('\n')
        if line.startswith('-DOCSTART-'):
            if cur:
                docs.append(cur)
            cur = []
        elif line.strip():
            parts = line.split(' ')
            cur.append((parts[0], parts[-1]))
    if cur:
        docs.append(cur)
    return docs


def conll(shared, out):
    os.makedirs(os.path.join(out, 'conll-docs'), exist_ok=True)
    for split, limit, name in [('train', 200, 'train200'), ('valid', 100, 'valid'), ('test', 100, 'test')]:
        with open(os.path.join(out, 'conll-docs', f'{name}.conll'), 'w', encoding='utf-8') as f:
            for doc in conll_documents(os.path.join(shared, 'conll2003', f'{split}.txt'))[:limit]:
                f.writelines(f'{w} {t}\n' for w, t in doc)
                f.write('\n')


if __name__ == '__main__':
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    goemotions(sys.argv[1], sys.argv[3])
    conll(sys.argv[2], sys.argv[3])
