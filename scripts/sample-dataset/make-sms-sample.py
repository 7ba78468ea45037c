#!/usr/bin/env python3
"""The studio's sample dataset (public/samples/sms-spam.csv): 300 messages of the SMS Spam Collection v.1
(Almeida & Gómez Hidalgo, 2011), 225 ham and 75 spam, drawn with a fixed seed from ../shared/data (see its
PROVENANCE.md). Spam is over-represented (25% against the collection's 13%) so that a first run has enough of it
to learn from; the majority-class baseline is then 75%. Messages over 200 characters, duplicates and the few with
crude words are left out. Written as CSV with a header `text,label`, quoted as RFC 4180 asks.
usage: python3 scripts/sample-dataset/make-sms-sample.py [../shared/data/sms-spam-collection/SMSSpamCollection.tsv]"""
import csv, random, sys
from pathlib import Path

source = Path(sys.argv[1] if len(sys.argv) > 1 else '../shared/data/sms-spam-collection/SMSSpamCollection.tsv')
out = Path('public/samples/sms-spam.csv')
CRUDE = ('sex', 'fuck', 'shit', 'xxx', 'dick', 'horny', 'porn', 'bitch', 'naked', 'kiss', 'slut', 'ass ', 'fantas', 'pissed', 'adult', 'hot ', 'dating', 'girls', 'bed', 'wet', 'crap', 'damn', 'hell', 'lesbian', 'gay', 'erotic', 'nude', 'flirt', 'hardcore')

rows = {'ham': [], 'spam': []}
seen = set()
# PROVENANCE.md: split each line on its first tab; no CSV quote handling.
for line in source.read_text(encoding='utf-8').splitlines():
    label, text = line.split('\t', 1)
    text = ' '.join(text.split())
    if not text or len(text) > 200 or text in seen or any(w in text.lower() for w in CRUDE):
        continue
    seen.add(text)
    rows[label].append(text)

rng = random.Random(16)
sample = [(t, 'ham') for t in rng.sample(rows['ham'], 225)] + [(t, 'spam') for t in rng.sample(rows['spam'], 75)]
rng.shuffle(sample)
out.parent.mkdir(parents=True, exist_ok=True)
with out.open('w', encoding='utf-8', newline='') as f:
    w = csv.writer(f, lineterminator='\n')
    w.writerow(['text', 'label'])
    w.writerows(sample)
print(f'{out}: {len(sample)} rows')
