// DistilBERT as an ONNX graph; mirrors models/distilbert.ts: word + position embeddings (no token types),
// TransformerBlocks (q_lin ... output_layer_norm), pre_classifier + ReLU, vocab_transform/vocab_projector.
import type { Task } from '../../../protocol/task';
import { mlmDecoder } from './bert-encoder';
import type { FamilyGraph } from './families';
import type { GraphBuilder, GraphInputs, Value } from './graph';

const BASE = 'distilbert';
const WORDS = `${BASE}.embeddings.word_embeddings.weight`;

/** Embeddings: word + position (0..S-1), LayerNorm -> [B, S, dim]. A sinusoidal table is read like a learned one. */
function embeddings(g: GraphBuilder, inputs: GraphInputs): Value {
  const positions = g.embedding(`${BASE}.embeddings.position_embeddings.weight`, g.op('Range', [g.int64(0), g.sequenceLength(inputs.input_ids), g.int64(1)]));
  return g.layerNorm(g.op('Add', [g.embedding(WORDS, inputs.input_ids), positions]), `${BASE}.embeddings.LayerNorm`);
}

/** Transformer: TransformerBlocks, post-LN: sa_layer_norm(attn + x), output_layer_norm(ffn + sa). */
function transformer(g: GraphBuilder, hidden: Value, attentionMask: Value): Value {
  const mask = g.attentionMask(attentionMask);
  let x = hidden;
  for (let i = 0; i < g.config.num_hidden_layers; i++) {
    const p = `${BASE}.transformer.layer.${i}`;
    const q = g.linear(x, `${p}.attention.q_lin`);
    const k = g.linear(x, `${p}.attention.k_lin`);
    const v = g.linear(x, `${p}.attention.v_lin`);
    const context = g.selfAttention(q, k, v, mask, g.config.num_attention_heads);
    const sa = g.layerNorm(g.op('Add', [g.linear(context, `${p}.attention.out_lin`), x]), `${p}.sa_layer_norm`);
    const ffn = g.linear(g.activation(g.config.hidden_act, g.linear(sa, `${p}.ffn.lin1`)), `${p}.ffn.lin2`);
    x = g.layerNorm(g.op('Add', [ffn, sa]), `${p}.output_layer_norm`);
  }
  return x;
}

export const distilbertGraph: FamilyGraph = (g, inputs, task: Task) => {
  const hidden = transformer(g, embeddings(g, inputs), inputs.attention_mask);
  switch (task) {
    case 'seq-cls':
      // pre_classifier, ReLU, classifier on the first token
      return g.linear(g.op('Relu', [g.linear(g.firstToken(hidden), 'pre_classifier')]), 'classifier');
    case 'token-cls':
      return g.linear(hidden, 'classifier');
    case 'mlm': {
      const x = g.layerNorm(g.activation(g.config.hidden_act, g.linear(hidden, 'vocab_transform')), 'vocab_layer_norm');
      return mlmDecoder(g, x, WORDS, 'vocab_projector.weight', 'vocab_projector.bias');
    }
  }
};
