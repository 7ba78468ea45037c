// ELECTRA as an ONNX graph; mirrors models/electra.ts: BERT's embeddings at embedding_size, embeddings_project to
// hidden_size when they differ, BERT's encoder; ElectraClassificationHead (gelu), the generator's MLM head.
import type { Task } from '../../../protocol/task';
import { classificationHead, embeddings, encoder, mlmDecoder } from './bert-encoder';
import type { FamilyGraph } from './families';

const BASE = 'electra';

export const electraGraph: FamilyGraph = (g, inputs, task: Task) => {
  const embedded = embeddings(g, `${BASE}.embeddings`, inputs); // [B, S, E]
  const projected = g.config.embedding_size !== g.config.hidden_size ? g.linear(embedded, `${BASE}.embeddings_project`) : embedded;
  const hidden = encoder(g, `${BASE}.encoder`, projected, inputs.attention_mask);
  switch (task) {
    case 'seq-cls':
      return classificationHead(g, hidden, 'gelu');
    case 'token-cls':
      return g.linear(hidden, 'classifier');
    case 'mlm': {
      const x = g.layerNorm(g.activation('gelu', g.linear(hidden, 'generator_predictions.dense')), 'generator_predictions.LayerNorm');
      return mlmDecoder(g, x, `${BASE}.embeddings.word_embeddings.weight`, 'generator_lm_head.weight', 'generator_lm_head.bias');
    }
  }
};
