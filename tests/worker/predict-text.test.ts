// The playground's token-classification answer (src/worker/predict-text.ts): the text split into words and
// punctuation as CoNLL splits it, each word labelled by its first token — the position run_ner.py trains on.
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useNodeBackend } from '../../src/cli/node-backend';
import { nodeFolder } from '../../src/cli/node-files';
import { loadModelFolder } from '../../src/engine/load';
import { predictText, splitWords } from '../../src/worker/predict-text';

beforeAll(() => useNodeBackend('cpu'));

describe('predictText for token classification', () => {
  it('splits words and punctuation marks', () => {
    expect(splitWords("Paris, France's capital — 2024.")).toEqual(['Paris', ',', "France's", 'capital', '—', '2024', '.']);
    expect(splitWords('  ')).toEqual([]);
  });

  it('labels each word with its first token', async () => {
    const model = await loadModelFolder(nodeFolder(path.resolve(import.meta.dirname, '..', 'golden', 'hf-tiny', 'bert-token-cls')));
    try {
      const result = await predictText(model, 'the movie, was great');
      if (result.task !== 'token-cls') throw new Error('expected a token-cls answer');
      expect(result.words.map((w) => w.text)).toEqual(['the', 'movie', ',', 'was', 'great']);
      // [CLS] w1 … w5 [SEP]: every word is one token here (the fixture's tokenizer knows no words: [UNK]).
      expect(result.tokens).toHaveLength(7);
      result.words.forEach((w, i) => {
        expect(w.label).toBe(result.tokens[i + 1].label);
        expect(w.probability).toBe(result.tokens[i + 1].probability);
      });
      expect(result.tokens[0].special && result.tokens[6].special).toBe(true);
    } finally {
      model.params.dispose();
    }
  });
});
