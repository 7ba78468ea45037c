#!/usr/bin/env bash
# The model card's measurements: the built-in model against the same architecture from a random initialisation
# (`--init random`), both fine-tuned with the studio's defaults (`layerwise train` without a config: 3 epochs,
# batch 16, the learning rate for the model's width), evaluated on the SST-2 dev set and the emotion test set.
#   low-resource: seeded 2,000-example samples of the SST-2 and emotion training sets (3 epochs);
#   full SST-2: all 67,349 training phrases, 1 epoch (3 would take about 3 hours per model on this machine).
# Usage: bash scripts/default-model/compare.sh [WORK_DIR]; results in WORK_DIR/*.jsonl (one line per evaluation).
# INITS="random" (or "pretrained") runs one side only; MODEL=DIR measures another folder; SEEDS="42 43 44" repeats
# the low-resource runs with other fine-tuning seeds (default "42 43 44"; the samples stay the same); FULL=0 skips full SST-2.
set -euo pipefail
cd "$(dirname "$0")/../.."
DATA=${LAYERWISE_DATA:-../shared/data}
MODEL=${MODEL:-public/models/default}
read -r -a INITS <<< "${INITS:-pretrained random}"
read -r -a SEEDS <<< "${SEEDS:-42 43 44}"
WORK=${1:-/tmp/layerwise-default-model/compare}
mkdir -p "$WORK"
npx tsx scripts/default-model/sample.ts "$DATA/sst2/train.tsv" 2000 42 > "$WORK/sst2-train-2k.tsv"
npx tsx scripts/default-model/sample.ts "$DATA/emotion/train.txt" 2000 42 --no-header > "$WORK/emotion-train-2k.txt"

train() { # CORE NAME INIT DATA VALIDATION [FLAGS...]: one run pinned to one core (so its XNNPACK gets one thread)
  local core=$1 name=$2 init=$3 data=$4 validation=$5
  shift 5
  local flags=("$@")
  [ "$init" = random ] && flags+=(--init random)
  taskset -c "$core" node bin/layerwise.mjs train --model "$MODEL" "${flags[@]}" --data "$data" --validation "$validation" \
    --out "$WORK/$name-$init" --json > "$WORK/$name-$init.jsonl" 2> "$WORK/$name-$init.log"
  echo "$name $init: $(tail -n 1 "$WORK/$name-$init.jsonl" | cut -c1-160)"
}

# Two runs at a time, one per core.
for seed in "${SEEDS[@]}"; do
  suffix=$([ "$seed" = 42 ] && echo "" || echo "-seed$seed")
  for init in "${INITS[@]}"; do
    train 0 "sst2-2k$suffix" "$init" "$WORK/sst2-train-2k.tsv" "$DATA/sst2/dev.tsv" --seed "$seed" &
    train 1 "emotion-2k$suffix" "$init" "$WORK/emotion-train-2k.txt" "$DATA/emotion/test.txt" --seed "$seed" &
    wait
  done
done
if [ "${FULL:-1}" != 0 ]; then
  core=0
  for init in "${INITS[@]}"; do
    train $((core++ % 2)) sst2-full "$init" "$DATA/sst2/train.tsv" "$DATA/sst2/dev.tsv" --epochs 1 &
  done
  wait
fi
