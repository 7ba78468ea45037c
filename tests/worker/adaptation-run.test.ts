// "Adapt to my text" as the worker runs it (src/worker/adaptation-run.ts) on the tiny masked-LM BERT fixture, on
// wasm: events in order; the adopted checkpoint holds exactly the weights of an engine Trainer run with the same
// config and data (the in-memory folder round-trips them), and loads as a classifier for fine-tuning; Stop keeps or
// discards; a failure adopts nothing.
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useNodeBackend } from '../../src/cli/node-backend';
import { nodeFolder } from '../../src/cli/node-files';
import { encodeExamples } from '../../src/engine/data/encode';
import { mlmTokenizerInfo } from '../../src/engine/data/mlm-collator';
import { makeSplits } from '../../src/engine/data/split';
import { textCorpus } from '../../src/engine/data/text-corpus';
import { loadModelFolder } from '../../src/engine/load';
import { Trainer, tfSeed } from '../../src/engine/train/trainer';
import { readDataset, type Dataset } from '../../src/formats/datasets/index';
import { bytesFile, type SourceFolder } from '../../src/formats/source-file';
import { streamId } from '../../src/lib/random';
import { adaptRun, DEFAULT_ADAPT_SETTINGS, type AdaptSettings } from '../../src/protocol/adaptation';
import type { FromWorker, ModelSummary } from '../../src/protocol/messages';
import { AdaptationRun, type AdaptedModel } from '../../src/worker/adaptation-run';

const FIXTURE = path.resolve(import.meta.dirname, '..', 'golden', 'hf-tiny', 'bert-mlm');

/**
 * The fixture as a folder without its tokenizer.json, whose WordPiece vocabulary transformers wrote with the special
 * tokens only (every word would be [UNK], and nothing could be masked): the tokenizer is built from vocab.txt.
 */
function fixture(): SourceFolder {
  const folder = nodeFolder(FIXTURE);
  folder.delete('tokenizer.json');
  return folder;
}
const WORDS = ['great', 'movie', 'boring', 'plot', 'the', 'actors', 'were', 'wonderful', 'i', 'liked', 'music', 'terrible', 'film', 'story'];
/** 120 lines of 3 to 9 words from the fixture's vocabulary, one a line. */
const TEXT = Array.from({ length: 120 }, (_, i) => Array.from({ length: 3 + (i % 7) }, (_, k) => WORDS[(i * 5 + k * 3) % WORDS.length]).join(' ')).join('\n');
const SETTINGS: AdaptSettings = { ...DEFAULT_ADAPT_SETTINGS, length: { unit: 'steps', steps: 6 }, batchSize: 8, maxLength: 16, learningRate: 1e-3 };

let labelled: Dataset;

beforeAll(async () => {
  await useNodeBackend('wasm');
  const rows = ['text,label', ...Array.from({ length: 30 }, (_, i) => `"${WORDS[i % WORDS.length]} ${WORDS[(i + 3) % WORDS.length]}",${i % 2 ? 'good' : 'bad'}`)];
  labelled = await readDataset(bytesFile('reviews.csv', new TextEncoder().encode(rows.join('\n'))));
});

const textFile = () => ({ kind: 'file' as const, file: new File([TEXT], 'notes.txt'), choices: {} });

/** Runs an adaptation to its end; returns its events and what was handed over for adoption. */
async function adapt(opts: { settings?: AdaptSettings; text?: Parameters<AdaptationRun['prepare']>[1]; dataset?: Dataset | null; onEvent?: (e: FromWorker, run: AdaptationRun) => void }) {
  const events: FromWorker[] = [];
  const adopted: AdaptedModel[] = [];
  const run: AdaptationRun = new AdaptationRun('a1', (e) => {
    events.push(e);
    opts.onEvent?.(e, run);
  });
  const prepared = await run.prepare({ folder: fixture(), dataset: opts.dataset ?? null }, opts.text ?? textFile(), opts.settings ?? SETTINGS);
  if (prepared) {
    await run.run(async (a) => {
      adopted.push(a);
      return { source: 'adapted' } as ModelSummary;
    });
  }
  return { events, adopted, run };
}

describe('AdaptationRun', () => {
  it('adapts on a text file and hands over the trained masked-LM checkpoint', async () => {
    const { events, adopted, run } = await adapt({});
    const phases = events.flatMap((e) => (e.type === 'adaptationPreparing' ? [e.phase] : []));
    expect(phases.filter((p, i) => p !== phases[i - 1])).toEqual(['read', 'model', 'tokenise']);
    expect(events.findIndex((e) => e.type !== 'adaptationPreparing')).toBe(phases.length);
    const started = events.find((e) => e.type === 'adaptationStarted');
    // 120 lines: 6 held out (5%); 114 lines of at most 11 tokens, one window each.
    expect(started).toMatchObject({ plan: { text: 'notes.txt', lines: 120, heldOutLines: 6, trainExamples: 114, validationExamples: 6, totalSteps: 6, capped: false, maxLength: 16 } });
    const steps = events.flatMap((e) => (e.type === 'adaptationProgressed' ? e.steps.map((s) => s.step) : []));
    expect(steps).toEqual([1, 2, 3, 4, 5, 6]);
    // evalEvery = ceil(6 / 4) = 2; the last one is on the final weights.
    const evals = events.flatMap((e) => (e.type === 'adaptationEvaluated' ? [e.record] : []));
    expect(evals.map((r) => r.step)).toEqual([2, 4, 6]);
    expect(evals[2].perplexity).toBeCloseTo(Math.exp(evals[2].eval_loss), 4);
    const finished = events.at(-1) as Extract<FromWorker, { type: 'adaptationFinished' }>;
    expect(finished.type).toBe('adaptationFinished');
    expect(finished.summary.source).toBe('adapted');
    const losses = events.flatMap((e) => (e.type === 'adaptationProgressed' ? e.steps.map((s) => s.loss) : []));
    expect(finished.record).toMatchObject({ text: 'notes.txt', lines: 120, steps: 6, totalSteps: 6, heldOutLines: 6, stopped: false, wholeWord: true, learningRate: 1e-3 });
    expect(finished.record.trainLoss).toBeCloseTo(losses.reduce((a, b) => a + b, 0) / losses.length, 6);
    expect(finished.record.evalLoss).toBe(evals[2].eval_loss);
    expect(finished.record.maskedAccuracy).toBe(evals[2].accuracy);
    expect(run.state).toBe('ended');

    // The same Trainer run, set up independently, ends on the very weights that were handed over.
    const [{ model: adaptedModel, folder, files }] = adopted;
    const reference = await loadModelFolder(fixture(), { task: 'mlm', seed: tfSeed(42, streamId('head')) });
    const corpus = textCorpus(await readDataset(bytesFile('notes.txt', new TextEncoder().encode(TEXT))));
    const splits = makeSplits({ train: corpus }, { validation: 6 / 120, test: 0 }, 42);
    const tokenizer = reference.tokenizer!;
    const encode = (ds: typeof corpus) => encodeExamples(ds, tokenizer, 'mlm', { maxLength: 16, mlmMode: 'window' });
    const trainer = new Trainer({
      model: { family: reference.family, config: reference.config, task: 'mlm', params: reference.params },
      train: await encode(splits.train),
      validation: await encode(splits.validation!),
      config: adaptRun(SETTINGS, 114).config,
      padId: tokenizer.special.pad,
      masking: mlmTokenizerInfo(tokenizer),
      groupTelemetryEvery: 0,
    });
    for await (const event of trainer.run()) if (event.type === 'failed') throw new Error(event.error.message);
    trainer.dispose();
    const expected = await reference.params.snapshot();
    const actual = await adaptedModel.params.snapshot();
    expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [name, data] of expected) expect(actual.get(name), name).toEqual(data);
    const original = await loadModelFolder(fixture());
    const before = await original.params.snapshot();
    expect(actual.get('bert.encoder.layer.0.attention.self.query.weight')).not.toEqual(before.get('bert.encoder.layer.0.attention.self.query.weight'));
    original.params.dispose();
    reference.params.dispose();

    // What a fine-tuning run then loads: the adapted encoder under a new classifier, the MLM head left out.
    expect(files.map((f) => f.name)).toEqual(['config.json', 'model.safetensors', 'tokenizer_config.json', 'vocab.txt']);
    expect(adaptedModel.task).toBe('mlm');
    const classifier = await loadModelFolder(folder, { task: 'seq-cls', labels: ['bad', 'good'] });
    expect(classifier.messages.map((m) => m.code)).toEqual(expect.arrayContaining(['CHECKPOINT_DROPPED_OTHER_HEAD', 'CHECKPOINT_HEAD_INITIALISED']));
    expect(await classifier.params.get('bert.encoder.layer.0.attention.self.query.weight').data()).toEqual(actual.get('bert.encoder.layer.0.attention.self.query.weight'));
    classifier.params.dispose();
    adaptedModel.params.dispose();
  });

  it('adapts on the training dataset’s text column, labels ignored, without a held-out share under 100 lines', async () => {
    const { events, adopted } = await adapt({ text: { kind: 'dataset' }, dataset: labelled, settings: { ...SETTINGS, length: { unit: 'epochs', epochs: 1 } } });
    // 30 rows, batch 8: 4 steps in one epoch; no evaluation.
    expect(events.find((e) => e.type === 'adaptationStarted')).toMatchObject({ plan: { text: 'reviews.csv (text column)', lines: 30, heldOutLines: 0, totalSteps: 4 } });
    expect(events.some((e) => e.type === 'adaptationEvaluated')).toBe(false);
    expect(events.at(-1)).toMatchObject({ type: 'adaptationFinished', record: { steps: 4, evalLoss: null, maskedAccuracy: null } });
    adopted[0].model.params.dispose();
  });

  it('Stop and discard changes nothing; Stop and keep hands over the weights so far', async () => {
    const stopAfterFirst = (keep: boolean) => (e: FromWorker, run: AdaptationRun) => {
      if (e.type === 'adaptationStarted') run.stop(keep);
    };
    const discarded = await adapt({ onEvent: stopAfterFirst(false) });
    expect(discarded.adopted).toEqual([]);
    expect(discarded.events.at(-1)).toMatchObject({ type: 'adaptationDiscarded', step: 1 });

    const kept = await adapt({ onEvent: stopAfterFirst(true) });
    expect(kept.adopted).toHaveLength(1);
    expect(kept.events.at(-1)).toMatchObject({ type: 'adaptationFinished', record: { steps: 1, totalSteps: 6, stopped: true } });
    kept.adopted[0].model.params.dispose();

    const cancelled = await adapt({ onEvent: (e, run) => e.type === 'adaptationPreparing' && run.stop(true) });
    expect(cancelled.events.at(-1)).toMatchObject({ type: 'adaptationDiscarded', step: 0 });
  });

  it('a failed preparation posts a coded error and hands over nothing', async () => {
    const noText = await adapt({ text: { kind: 'dataset' }, dataset: null });
    expect(noText.events.at(-1)).toMatchObject({ type: 'adaptationFailed', step: 0, error: { code: 'ADAPT_NO_TEXT' } });
    const bad = await adapt({ settings: { ...SETTINGS, learningRate: -1 } });
    expect(bad.events.at(-1)).toMatchObject({ type: 'adaptationFailed', error: { code: 'ADAPT_SETTINGS_INVALID', location: { field: 'learningRate' } } });
    const blank = await adapt({ text: { kind: 'file', file: new File(['\n  \n'], 'blank.txt'), choices: {} } });
    expect(blank.events.at(-1)).toMatchObject({ type: 'adaptationFailed', error: { code: 'DATASET_EMPTY' } });
    expect(blank.adopted).toEqual([]);
  });
});
