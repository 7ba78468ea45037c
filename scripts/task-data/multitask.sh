#!/bin/bash
# The #18 multi-task measurement with the built-in model on wasm, seeds 1-3: one encoder with a CoNLL-2003 NER head
# and an SST-2 sentiment head (two datasets), against each task trained alone, on 2,000 training examples per task
# (a seeded sample of CoNLL-2003 train sentences, -DOCSTART- lines dropped; the first 2,000 rows of SST-2 train),
# scored on the whole dev sets (CoNLL-2003 valid, SST-2 dev). Proportional sampling, loss weights 1, 2 epochs:
# 2 x (125 + 125) = 500 steps at batch 16. Each task alone: 4 epochs (500 steps, the multi-task run's budget) and
# 2 epochs (250 steps, the same passes over its data); and the multi-task run for 4 epochs (1,000 steps, each task's
# 500 steps of the single runs). Results in $E, one folder and log per run. Long: it runs
# `nice`d, in the background; SEEDS="2 3" runs only those seeds, and a run whose folder is written is not run again
# (so that several copies can share the seeds).
set -u
E=${1:?results folder}; SHARED=${2:-../shared/data}
L="nice -n 10 node bin/layerwise.mjs"
mkdir -p "$E"
[ -f "$E/sst-train2k.tsv" ] || python3 - "$SHARED" "$E" <<'PY'
import random, sys
shared, out = sys.argv[1], sys.argv[2]
sentences, cur = [], []
for line in open(f'{shared}/conll2003/train.txt', encoding='utf-8'):
    line = line.rstrip('\n')
    if line.startswith('-DOCSTART-'):
        continue
    if line.strip() == '':
        if cur:
            sentences.append(cur)
        cur = []
    else:
        cur.append(line)
if cur:
    sentences.append(cur)
random.Random(0).shuffle(sentences)
with open(f'{out}/ner-train2k.conll', 'w', encoding='utf-8') as f:
    f.write('\n\n'.join('\n'.join(s) for s in sentences[:2000]) + '\n')
rows = open(f'{shared}/sst2/train.tsv', encoding='utf-8').read().splitlines()
with open(f'{out}/sst-train2k.tsv', 'w', encoding='utf-8') as f:
    f.write('\n'.join(rows[:2001]) + '\n')
PY
[ -f "$E/multitask.json" ] || cat > "$E/multitask.json" <<JSON
{"epochs": 2, "evalEvery": "epoch", "tasks": [
  {"name": "ner", "task": "token-cls", "data": "ner-train2k.conll", "validation": "$(realpath "$SHARED")/conll2003/valid.txt"},
  {"name": "sst", "task": "seq-cls", "data": "sst-train2k.tsv", "validation": "$(realpath "$SHARED")/sst2/dev.tsv"}]}
JSON
[ -f "$E/single.json" ] || echo '{"evalEvery": "epoch"}' > "$E/single.json"
run() { # NAME ARGS...: one run into $E/NAME, unless it is written already
  local name=$1; shift
  [ -f "$E/$name/metrics.json" ] || $L train --model default "$@" --out "$E/$name" --overwrite --json > "$E/$name.log" 2>&1
}
for seed in ${SEEDS:-1 2 3}; do
  run mt-$seed --config "$E/multitask.json" --seed $seed
  for epochs in 4 2; do
    run ner-e$epochs-$seed --data "$E/ner-train2k.conll" --validation "$SHARED/conll2003/valid.txt" --config "$E/single.json" --epochs $epochs --seed $seed
    run sst-e$epochs-$seed --data "$E/sst-train2k.tsv" --validation "$SHARED/sst2/dev.tsv" --config "$E/single.json" --epochs $epochs --seed $seed
  done
  run mt4-$seed --config "$E/multitask.json" --epochs 4 --seed $seed
done
