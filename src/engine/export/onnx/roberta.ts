// RoBERTa as an ONNX graph; mirrors models/roberta.ts: position ids counted from padding_idx + 1, no pooler,
// RobertaClassificationHead (tanh), RobertaLMHead (gelu whatever hidden_act says).
import type { Task } from '../../../protocol/task';
import { classificationHead, embeddings, encoder, mlmDecoder } from './bert-encoder';
import type { FamilyGraph } from './families';
import type { GraphBuilder, Value } from './graph';

const BASE = 'roberta';

/** create_position_ids_from_input_ids: cumsum(ids != pad)·(ids != pad) + pad, int64 [B, S]. */
function positionIds(g: GraphBuilder, inputIds: Value): Value {
  const pad = g.int64(g.config.pad_token_id);
  const notPad = g.op('Cast', [g.op('Not', [g.op('Equal', [inputIds, pad])])], { to: { type: 'int', value: 7 } });
  return g.op('Add', [g.op('Mul', [g.op('CumSum', [notPad, g.int64(1)]), notPad]), pad]);
}

export const robertaGraph: FamilyGraph = (g, inputs, task: Task) => {
  const embedded = embeddings(g, `${BASE}.embeddings`, inputs, positionIds(g, inputs.input_ids));
  const hidden = encoder(g, `${BASE}.encoder`, embedded, inputs.attention_mask);
  switch (task) {
    case 'seq-cls':
      return classificationHead(g, hidden, 'tanh');
    case 'token-cls':
      return g.linear(hidden, 'classifier');
    case 'mlm': {
      const x = g.layerNorm(g.activation('gelu', g.linear(hidden, 'lm_head.dense')), 'lm_head.layer_norm');
      return mlmDecoder(g, x, `${BASE}.embeddings.word_embeddings.weight`, 'lm_head.decoder.weight', 'lm_head.bias');
    }
  }
};
