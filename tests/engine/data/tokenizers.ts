// Real WordPiece and byte-level BPE tokenizers for the data tests, built by loadTokenizer from the hf-tiny fixtures'
// vocab.txt and vocab.json + merges.txt (their tokenizer.json files hold only the special tokens).
import { resolve } from 'node:path';
import { nodeFolder } from '../../../src/cli/node-files';
import { loadTokenizer, type TextTokenizer } from '../../../src/formats/tokenizer';

export const fixtureDir = (name: string) => resolve(import.meta.dirname, '..', '..', 'golden', 'hf-tiny', name);

export async function vocabTokenizer(name: 'bert-token-cls' | 'bert-mlm' | 'roberta-seq-cls'): Promise<TextTokenizer> {
  const folder = nodeFolder(fixtureDir(name));
  folder.delete('tokenizer.json');
  return (await loadTokenizer(folder)).tokenizer;
}
