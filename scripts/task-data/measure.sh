#!/bin/bash
# The #20 measurements with the built-in model on wasm, seeds 1-3, as reported in the closing note:
# SMS Spam unweighted vs inverse-frequency class weights (1 epoch, 20% held out, stratified per seed);
# GoEmotions-Ekman multi-label, test scored at the thresholds tuned on dev2k vs at 0.5 (2 epochs at the default rate,
# and 4 epochs at 1e-3); CoNLL-2003 documents cut at 128 tokens (2 and 7 epochs) vs in windows of stride 32 (2 epochs),
# test scored over every word. Files from derive.py in $D; results in $E. Long: `nice` it in the background.
set -u
D=${1:?derived data folder (derive.py)}; E=${2:?results folder}; SHARED=${3:-../shared/data}
L="nice -n 10 node bin/layerwise.mjs"
mkdir -p "$E"
echo '{"epochs":1,"validationSplit":0.2,"evalEvery":"epoch"}' > "$E/sms.json"
echo '{"epochs":2,"evalEvery":"epoch"}' > "$E/go.json"
echo '{"epochs":4,"learningRate":0.001,"evalEvery":"epoch"}' > "$E/go2.json"
echo '{"epochs":2,"evalEvery":"epoch"}' > "$E/conll.json"
echo '{"epochs":7,"evalEvery":"epoch"}' > "$E/conll7.json"
for seed in 1 2 3; do
  for w in none inverse-frequency; do
    $L train --model default --data "$SHARED/sms-spam-collection/SMSSpamCollection.tsv" --config "$E/sms.json" --class-weights $w --seed $seed --out "$E/sms-$w-$seed" --overwrite --json > "$E/sms-$w-$seed.log" 2>&1
  done
  for g in go go2; do
    $L train --model default --data "$D/goemotions/train4k.tsv" --validation "$D/goemotions/dev2k.tsv" --config "$E/$g.json" --seed $seed --out "$E/$g-$seed" --overwrite --json > "$E/$g-$seed.log" 2>&1
    $L eval --model "$E/$g-$seed" --data "$D/goemotions/test.tsv" --json > "$E/$g-$seed-test-tuned.json"
    $L eval --model "$E/$g-$seed" --data "$D/goemotions/test.tsv" --thresholds 0.5 --json > "$E/$g-$seed-test-05.json"
  done
  for v in "trunc conll" "trunc7 conll7" "win conll --windows 32"; do
    set -- $v
    $L train --model default --data "$D/conll-docs/train200.conll" --validation "$D/conll-docs/valid.conll" --config "$E/$2.json" ${3:-} ${4:-} --seed $seed --out "$E/conll-$1-$seed" --overwrite --json > "$E/conll-$1-$seed.log" 2>&1
    $L eval --model "$E/conll-$1-$seed" --data "$D/conll-docs/test.conll" --json > "$E/conll-$1-$seed-test.json"
  done
done
