// The built-in model's files as URLs under the site's base (src/ui/features/model/default-model.ts), the model card's
// title and summary (model-card.ts, against a Hub-style README written here), and the engine client's handling of a
// default load overtaken by the user's own: the later load is the one that stays.
import { describe, expect, it } from 'vitest';
import type { ModelSummary, ToWorker } from '../../src/protocol/messages';
import { createEngineClient } from '../../src/ui/engine-client';
import { DEFAULT_MODEL_NAME, defaultModelFiles } from '../../src/ui/features/model/default-model';
import { modelCardSummary } from '../../src/ui/features/model/model-card';
import { createAppStore } from '../../src/ui/store/app-store';
import { FakeWorker } from './fake-worker';

describe('defaultModelFiles', () => {
  it('lists the folder under the base URL, with only config, weights and tokenizer.json required', () => {
    expect(defaultModelFiles('http://127.0.0.1:4317/')).toEqual([
      { name: 'config.json', url: 'http://127.0.0.1:4317/models/default/config.json', required: true },
      { name: 'model.safetensors', url: 'http://127.0.0.1:4317/models/default/model.safetensors', required: true },
      { name: 'tokenizer.json', url: 'http://127.0.0.1:4317/models/default/tokenizer.json', required: true },
      { name: 'tokenizer_config.json', url: 'http://127.0.0.1:4317/models/default/tokenizer_config.json', required: false },
      { name: 'vocab.txt', url: 'http://127.0.0.1:4317/models/default/vocab.txt', required: false },
      { name: 'README.md', url: 'http://127.0.0.1:4317/models/default/README.md', required: false },
    ]);
  });

  it('stays under a base path when the studio is served from one', () => {
    expect(defaultModelFiles('https://example.org/tools/layerwise/')[0].url).toBe('https://example.org/tools/layerwise/models/default/config.json');
  });
});

describe('modelCardSummary', () => {
  it('skips the front matter, badges and headings: the first heading and the first paragraph, links as text', () => {
    const card = [
      '---',
      'language: en',
      'license: mit',
      '---',
      '',
      '# Layerwise default',
      '',
      '[![ci](https://x/badge.svg)](https://x)',
      '',
      '<p align="center">logo</p>',
      '',
      'A **small** BERT (4 layers, hidden 128) pretrained in',
      'the browser on [WikiText-2](https://example.org/wikitext) and `SST-2` sentences.',
      '',
      '## Training',
      '',
      'Second paragraph.',
    ].join('\n');
    expect(modelCardSummary(card)).toEqual({
      title: 'Layerwise default',
      summary: 'A small BERT (4 layers, hidden 128) pretrained in the browser on WikiText-2 and SST-2 sentences.',
    });
  });

  it('ignores code blocks, lists and tables, shortens a long paragraph, and has no title without a heading', () => {
    const card = ['```', 'not prose', '```', '- a list', '', '| a | b |', '|---|---|', '', 'word '.repeat(120).trim()].join('\r\n');
    const { title, summary } = modelCardSummary(card);
    expect(title).toBeNull();
    expect(summary).toHaveLength(400);
    expect(summary?.endsWith('…')).toBe(true);
    expect(modelCardSummary('# Only a title\n')).toEqual({ title: 'Only a title', summary: null });
  });
});

const runParameters = { 'seq-cls': [], 'token-cls': [], mlm: [] };
const summary = (source: string, task: ModelSummary['task']) => ({ source, task, baseTask: task, runParameters, parameters: [], adaptations: [], modelCard: null }) as unknown as ModelSummary;

describe('the default load and a user load', () => {
  it('the user load sent while the default one is in flight is the model that stays', () => {
    const store = createAppStore();
    const worker = new FakeWorker();
    const client = createEngineClient(store, () => worker);
    client.loadModelUrls(DEFAULT_MODEL_NAME, defaultModelFiles('http://127.0.0.1:4317/'));
    expect(store.getState().model.pending).toMatchObject({ source: DEFAULT_MODEL_NAME, fromSite: true });
    client.loadModel('bert-seq-cls', []);
    const [first, second] = worker.sent as Extract<ToWorker, { loadId: number }>[];
    expect(first).toMatchObject({ type: 'loadModelUrls', source: DEFAULT_MODEL_NAME });
    // The worker runs them in order: the default finishes first, then the user's folder replaces it.
    worker.emit({ type: 'modelLoaded', loadId: first.loadId, summary: summary(DEFAULT_MODEL_NAME, 'mlm') });
    expect(store.getState().model.pending?.loadId).toBe(second.loadId);
    worker.emit({ type: 'modelLoaded', loadId: second.loadId, summary: summary('bert-seq-cls', 'seq-cls') });
    expect(store.getState().model).toMatchObject({ current: { source: 'bert-seq-cls' }, pending: null, error: null });
    client.dispose();
  });
});
