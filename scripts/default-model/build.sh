#!/usr/bin/env bash
# Builds the built-in model (public/models/default) from the shared data with the project's own commands:
# corpus preparation, `layerwise vocab`, `layerwise pretrain`, then the SST-2 comparison in model-card.sh.
# Usage: bash scripts/default-model/build.sh [WORK_DIR]   (about 40 minutes on the 2-vCPU dev machine)
set -euo pipefail
cd "$(dirname "$0")/../.."
DATA=${LAYERWISE_DATA:-../shared/data}
WORK=${1:-/tmp/layerwise-default-model}
mkdir -p "$WORK"

# 1. Corpus. WikiText-2 raw (valid + test: the shared copy has no train split), with its tokenisation undone
#    (" @-@ " -> "-", " @,@ " -> ",", " @.@ " -> "."), blank lines and " = Heading = " lines dropped, CRLF -> LF.
#    Its last 200 paragraphs are held out for the masked-LM evaluation. In-domain text: the sentences of the
#    SST-2 and emotion training splits, without their labels (no dev or test sentence is used).
tr -d '\r' < "$DATA/wikitext-2-raw/wiki.valid.raw.txt" > "$WORK/wiki.txt"
tr -d '\r' < "$DATA/wikitext-2-raw/wiki.test.raw.txt" >> "$WORK/wiki.txt"
sed -e 's/ @-@ /-/g; s/ @,@ /,/g; s/ @\.@ /./g' "$WORK/wiki.txt" | grep -v '^ *$' | grep -v '^ = ' > "$WORK/wiki-clean.txt"
head -n -200 "$WORK/wiki-clean.txt" > "$WORK/wiki-train.txt"
tail -n 200 "$WORK/wiki-clean.txt" > "$WORK/wiki-heldout.txt"
tail -n +2 "$DATA/sst2/train.tsv" | cut -f2 > "$WORK/sst2-train-sentences.txt"
cut -d';' -f1 "$DATA/emotion/train.txt" > "$WORK/emotion-train-sentences.txt"
TEXTS=("$WORK/wiki-train.txt" "$WORK/sst2-train-sentences.txt" "$WORK/emotion-train-sentences.txt")

# 2. Vocabulary: 8,192 lower-cased WordPiece tokens trained on the training text only.
node bin/layerwise.mjs vocab "${TEXTS[@]/#/--data=}" --out "$WORK/arch" --overwrite --vocab-size 8192 --json > "$WORK/vocab.json"

# 3. Architecture: BERT, 4 layers, hidden 128, 2 heads, FFN 512, 128 positions (see the model card for why).
cp scripts/default-model/config.json "$WORK/arch/config.json"

# 4. Masked-LM pretraining from a random initialisation whose word embeddings are the training text's PPMI-SVD
#    vectors (--init ppmi), whole-word masking, blocks of 128 tokens, 2 epochs.
node bin/layerwise.mjs pretrain --model "$WORK/arch" --init ppmi "${TEXTS[@]/#/--text=}" \
  --validation "$WORK/wiki-heldout.txt" --mode group --whole-word \
  --config scripts/default-model/pretrain.json --checkpoint-dir "$WORK/checkpoint" \
  --backend wasm --out "$WORK/pretrained" --overwrite --json | tee "$WORK/pretrain-eval.jsonl"

# 5. Install: the Hugging Face folder under public/models/default (the model card, README.md, is written by hand
#    from pretrain-eval.jsonl, metrics.json and the results of scripts/default-model/compare.sh).
mkdir -p public/models/default
for f in config.json model.safetensors tokenizer.json tokenizer_config.json vocab.txt; do
  cp "$WORK/pretrained/$f" public/models/default/
done
cp "$WORK/pretrained/metrics.json" public/models/default/pretraining-metrics.json
