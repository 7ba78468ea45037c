// The ONNX graph of the embeddings and encoder that BERT, RoBERTa and ELECTRA share; mirrors models/bert-encoder.ts
// (BertEmbeddings, BertLayer) line by line, on [B, S, H] values instead of the engine's [B·S, H] rows.
import type { GraphBuilder, GraphInputs, Value } from './graph';

/**
 * BertEmbeddings: (word + token type) + position, LayerNorm -> [B, S, E], summed in the engine's order.
 * positionIds int64 [B, S] (RoBERTa's); BERT and ELECTRA use positions 0..S-1.
 */
export function embeddings(g: GraphBuilder, prefix: string, inputs: GraphInputs, positionIds?: Value): Value {
  const words = g.embedding(`${prefix}.word_embeddings.weight`, inputs.input_ids);
  const ids = positionIds ?? g.op('Range', [g.int64(0), g.sequenceLength(inputs.input_ids), g.int64(1)]); // [S] or [B, S]
  const positions = g.embedding(`${prefix}.position_embeddings.weight`, ids);
  // The engine reads zeros where token_type_ids are absent; the graph always has the input (transformers.js feeds zeros).
  const types = g.embedding(`${prefix}.token_type_embeddings.weight`, inputs.token_type_ids as Value);
  return g.layerNorm(g.op('Add', [g.op('Add', [words, types]), positions]), `${prefix}.LayerNorm`);
}

/** BertEncoder: hidden [B, S, H] through every BertLayer (post-LN) -> [B, S, H]. */
export function encoder(g: GraphBuilder, prefix: string, hidden: Value, attentionMask: Value): Value {
  const mask = g.attentionMask(attentionMask);
  const { hidden_act, num_attention_heads, num_hidden_layers } = g.config;
  let h = hidden;
  for (let i = 0; i < num_hidden_layers; i++) {
    const p = `${prefix}.layer.${i}`;
    // BertSelfAttention
    const q = g.linear(h, `${p}.attention.self.query`);
    const k = g.linear(h, `${p}.attention.self.key`);
    const v = g.linear(h, `${p}.attention.self.value`);
    const context = g.selfAttention(q, k, v, mask, num_attention_heads);
    // BertSelfOutput: dense, LayerNorm(x + residual)
    const attended = g.layerNorm(g.op('Add', [g.linear(context, `${p}.attention.output.dense`), h]), `${p}.attention.output.LayerNorm`);
    // BertIntermediate, BertOutput
    const intermediate = g.activation(hidden_act, g.linear(attended, `${p}.intermediate.dense`));
    h = g.layerNorm(g.op('Add', [g.linear(intermediate, `${p}.output.dense`), attended]), `${p}.output.LayerNorm`);
  }
  return h;
}

/** The MLM decoder: x [B, S, E] -> [B, S, V] by the word embeddings (tied) or the decoder's own weight. */
export function mlmDecoder(g: GraphBuilder, x: Value, words: string, untiedWeight: string, bias: string): Value {
  return g.linearWith(x, g.config.tie_word_embeddings ? words : untiedWeight, bias);
}

/** RobertaClassificationHead / ElectraClassificationHead: first token, dense, act, out_proj -> [B, C]. */
export function classificationHead(g: GraphBuilder, hidden: Value, act: string): Value {
  return g.linear(g.activation(act, g.linear(g.firstToken(hidden), 'classifier.dense')), 'classifier.out_proj');
}
