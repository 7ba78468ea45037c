// BERT as an ONNX graph; mirrors models/bert.ts: BertModel (embeddings, encoder, pooler) and its heads.
import type { Task } from '../../../protocol/task';
import { embeddings, encoder, mlmDecoder } from './bert-encoder';
import type { FamilyGraph } from './families';

const BASE = 'bert';

export const bertGraph: FamilyGraph = (g, inputs, task: Task) => {
  const hidden = encoder(g, `${BASE}.encoder`, embeddings(g, `${BASE}.embeddings`, inputs), inputs.attention_mask); // [B, S, H]
  switch (task) {
    case 'seq-cls': {
      // BertPooler: dense + tanh over [CLS], then the classifier -> [B, C]
      const pooled = g.op('Tanh', [g.linear(g.firstToken(hidden), `${BASE}.pooler.dense`)]);
      return g.linear(pooled, 'classifier');
    }
    case 'token-cls':
      return g.linear(hidden, 'classifier'); // [B, S, C]
    case 'mlm': {
      // BertLMPredictionHead: transform (dense, hidden_act, LayerNorm), then the tied decoder -> [B, S, V]
      const transformed = g.layerNorm(g.activation(g.config.hidden_act, g.linear(hidden, 'cls.predictions.transform.dense')), 'cls.predictions.transform.LayerNorm');
      return mlmDecoder(g, transformed, `${BASE}.embeddings.word_embeddings.weight`, 'cls.predictions.decoder.weight', 'cls.predictions.bias');
    }
  }
};
