#!/usr/bin/env bash
# Writes BERT-base- and DistilBERT-base-shaped checkpoints with random weights into DIR (there is no real one here):
# bert-base-uncased's and distilbert-base-uncased's config.json fields, a 30,522-token WordPiece vocabulary trained by
# `layerwise vocab` on WikiText-2 and SST-2, and weights freshly initialised by `layerwise pretrain --init random`
# (one step at learning rate 0: warmup starts at 0, so the weights are the initialisation). For `npm run bench:epoch`.
# Usage: bash bench/browser/base-checkpoints.sh DIR   (run from the repository root)
set -euo pipefail
out=${1:?usage: base-checkpoints.sh DIR}
data=../shared/data
mkdir -p "$out"
node bin/layerwise.mjs vocab --data "$data/wikitext-2-raw/wiki.valid.raw.txt,$data/wikitext-2-raw/wiki.test.raw.txt,$data/sst2/train.tsv" \
  --vocab-size 30522 --out "$out/tokenizer" --overwrite
awk 'NF && n++ < 40' "$data/wikitext-2-raw/wiki.valid.raw.txt" > "$out/text.txt"
for model in bert-base distilbert-base; do
  mkdir -p "$out/$model-architecture"
  cp "$out/tokenizer/"* "$out/$model-architecture/"
done
cat > "$out/bert-base-architecture/config.json" <<'JSON'
{"architectures":["BertForMaskedLM"],"attention_probs_dropout_prob":0.1,"hidden_act":"gelu","hidden_dropout_prob":0.1,"hidden_size":768,"initializer_range":0.02,"intermediate_size":3072,"layer_norm_eps":1e-12,"max_position_embeddings":512,"model_type":"bert","num_attention_heads":12,"num_hidden_layers":12,"pad_token_id":0,"position_embedding_type":"absolute","type_vocab_size":2,"vocab_size":30522}
JSON
cat > "$out/distilbert-base-architecture/config.json" <<'JSON'
{"activation":"gelu","architectures":["DistilBertForMaskedLM"],"attention_dropout":0.1,"dim":768,"dropout":0.1,"hidden_dim":3072,"initializer_range":0.02,"max_position_embeddings":512,"model_type":"distilbert","n_heads":12,"n_layers":6,"pad_token_id":0,"qa_dropout":0.1,"seq_classif_dropout":0.2,"sinusoidal_pos_embds":false,"tie_weights_":true,"vocab_size":30522}
JSON
for model in bert-base distilbert-base; do
  node bin/layerwise.mjs pretrain --model "$out/$model-architecture" --init random --text "$out/text.txt" \
    --max-steps 1 --batch-size 2 --max-length 32 --seed 17 --out "$out/$model" --overwrite
done
