// `layerwise predict`: a checkpoint's raw head logits for a batch of token ids or texts, in eval mode (no
// dropout), as DESIGN.md "The command line" specifies: prints {"logits": [...]}. Texts for a sequence classifier whose
// config.json reads long texts in windows or has several labels (engine/decision.ts), or with --windows, go through
// engine/predict.ts: one row of logits per text (its windows aggregated), with probabilities, the predicted labels and
// the windows that decided. With --out FILE.csv the texts' predictions are written as a spreadsheet-safe CSV instead
// (formats/datasets/predictions-csv.ts, RELIABILITY D16).
import * as tf from '@tensorflow/tfjs-core';
import { LayerwiseError } from '../../lib/errors';
import { maxSequenceLength, validateInputIds } from '../../engine/models/validate-inputs';
import { parseOptions, required } from '../args';
import { resolveModelDir } from '../train-data';
import { decisionOf } from '../../engine/decision';
import { classifyTexts, splitWords, tagWords } from '../../engine/predict';
import type { WindowConfig } from '../../protocol/train-config';
import { startCliBackend } from '../backend-option';
import { batchTensors, inputsBatch, readJsonFile } from '../batch-file';
import { loadModelForCommand } from '../load-model';
import { nodeFolder } from '../node-files';
import { checkOutFile, writeFileAtomic } from '../out-folder';
import { writePredictionsCsv, type PredictionRow } from '../../formats/datasets/predictions-csv';

export const summary = 'print the head logits of a checkpoint for token ids or texts (eval mode)';

const USAGE = `usage: layerwise predict --model DIR|default --inputs FILE.json [--adapter DIR] [--windows STRIDE[,mean|max] | --no-windows]
                        [--backend cpu|wasm|webgpu] [--out FILE.csv [--overwrite]] [--json]

FILE.json holds {"input_ids": [[...]], "attention_mask"?: [[...]], "token_type_ids"?: [[...]]},
or {"texts": [...]} (tokenised with the checkpoint's tokenizer), or a fixture reference.json.
--adapter DIR loads a PEFT LoRA adapter (adapter_config.json, adapter_model.safetensors) onto the --model folder.
Prints {"logits": [...]}. For texts and a sequence classifier that reads long texts in windows (its config.json's
layerwise.windows, or --windows: windows of the model's length repeating STRIDE tokens, aggregated by mean or max) or
has several labels (problem_type multi_label_classification): one row of logits per text, and "probabilities",
"predicted" (the labels at the model's thresholds), "windows" and "deciding_windows" (per label, the window with its
highest logit). A token classifier that reads long texts in windows answers per word: "words" (label, probability,
the window that labelled it) and "logits" per word. --no-windows cuts long texts instead.
--out FILE.csv (texts and a sequence classifier) writes one row per text instead: text, predicted, probability (the
most likely label's) and each label's logit. Cells a spreadsheet would run as a formula (= + - @ tab CR first) get a
leading '. The file is written whole (a temporary sibling renamed); an existing one only with --overwrite.`;

/** --windows STRIDE[,mean|max] / --no-windows; undefined: as the model's config.json says. */
function windowsOption(value: string | undefined, off: boolean | undefined): WindowConfig | null | undefined {
  if (off && value !== undefined) throw new LayerwiseError('CLI_BAD_ARGUMENT', 'give --windows or --no-windows, not both', { field: 'windows' });
  if (off) return null;
  if (value === undefined) return undefined;
  const m = /^(\d+)(?:,(mean|max))?$/.exec(value);
  if (!m) throw new LayerwiseError('CLI_BAD_ARGUMENT', `--windows takes STRIDE or STRIDE,mean|max (e.g. 32,max), got "${value}"`, { field: 'windows' });
  return { stride: Number(m[1]), aggregate: (m[2] ?? 'mean') as WindowConfig['aggregate'] };
}

/** NaN or ±Inf logits would print as null: a model whose outputs are not numbers is an error, not an answer. */
function refuseNonFiniteLogits(values: unknown): void {
  const rows = values as unknown[];
  let bad = 0;
  let total = 0;
  let first = -1;
  rows.forEach((row, r) => {
    for (const x of (row as unknown[]).flat(2) as number[]) {
      total++;
      if (!Number.isFinite(x)) {
        bad++;
        if (first < 0) first = r;
      }
    }
  });
  if (bad > 0) {
    throw new LayerwiseError(
      'PREDICT_NON_FINITE',
      `${bad} of ${total} logits are NaN or infinite (first in input row ${first + 1}): the model's outputs are not numbers (its weights hold NaN or Inf, or are so large that the forward pass overflows; was it trained to divergence?)`,
      { row: first + 1 },
    );
  }
}

/** The texts of an inputs file, which --out needs: token ids have no text to write beside their prediction. */
function textsForCsv(value: unknown, file: string): string[] {
  const texts = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as { texts?: unknown }).texts : undefined;
  if (!Array.isArray(texts) || texts.length === 0 || !texts.every((t) => typeof t === 'string')) {
    throw new LayerwiseError('CLI_BAD_ARGUMENT', `--out writes texts with their predictions: ${file} needs {"texts": ["...", ...]}`, { file, field: 'out' });
  }
  return texts as string[];
}

export async function run(argv: string[]): Promise<number> {
  const opts = parseOptions(argv, {
    model: { type: 'string' },
    inputs: { type: 'string' },
    adapter: { type: 'string' },
    windows: { type: 'string' },
    'no-windows': { type: 'boolean' },
    backend: { type: 'string' },
    out: { type: 'string' },
    overwrite: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (opts.help) {
    console.log(USAGE);
    return 0;
  }
  const modelDir = resolveModelDir(required(opts.model, 'model'));
  const inputsPath = required(opts.inputs, 'inputs');
  const { value, file } = await readJsonFile(inputsPath);
  const csv = opts.out === undefined ? null : { out: opts.out, texts: textsForCsv(value, file) };
  if (csv !== null) checkOutFile(csv.out, { inputs: [modelDir, inputsPath], overwrite: opts.overwrite === true });
  await startCliBackend(opts.backend, 'predict');

  const windows = windowsOption(opts.windows, opts['no-windows']);
  const model = await loadModelForCommand(nodeFolder(modelDir), 'predict', {}, opts.adapter);
  try {
    if (csv !== null) {
      if (model.task !== 'seq-cls') throw new LayerwiseError('CLI_BAD_ARGUMENT', `--out writes a sequence classifier's predictions; this model is ${model.task}`, { field: 'out' });
      const results = await classifyTexts(model, csv.texts, { windows });
      refuseNonFiniteLogits(results.map((r) => r.logits));
      const labels = model.config.id2label;
      const rows = results.map((r, i): PredictionRow => ({
        text: csv.texts[i],
        predicted: r.predicted.join(';'),
        probability: Math.max(...r.probabilities),
        ...Object.fromEntries(labels.map((label, j) => [`logit ${label}`, r.logits[j]])),
      }));
      writeFileAtomic(csv.out, writePredictionsCsv(rows, ['text', 'predicted', 'probability', ...labels.map((l) => `logit ${l}`)]));
      console.error(`layerwise predict: wrote ${rows.length} predictions to ${csv.out}`);
      return 0;
    }
    const texts = typeof value === 'object' && value !== null && !Array.isArray(value) && Array.isArray((value as { texts?: unknown }).texts) ? ((value as { texts: unknown[] }).texts) : null;
    const strings = texts !== null && texts.length > 0 && texts.every((t) => typeof t === 'string') ? (texts as string[]) : null;
    if (strings !== null && model.task === 'token-cls' && (windows ?? decisionOf(model.rawConfig, model.task, model.config.id2label).windows) !== null) {
      // A token classifier that reads long texts in windows: each text split into words, each word labelled from the
      // window where its first subword has the most context; logits per word.
      const tagged = [];
      for (const text of strings) tagged.push(await tagWords(model, splitWords(text), { windows }));
      refuseNonFiniteLogits(tagged.map((t) => t.words.map((w) => w.logits)));
      console.log(JSON.stringify({
        logits: tagged.map((t) => t.words.map((w) => w.logits)),
        words: tagged.map((t) => t.words.map(({ text, label, probability, window }) => ({ text, label, probability, window }))),
        windows: tagged.map((t) => t.windows),
        labels: model.config.id2label,
      }));
      return 0;
    }
    const decision = model.task === 'seq-cls' ? decisionOf(model.rawConfig, model.task, model.config.id2label) : null;
    const whole = decision !== null && (windows !== undefined || decision.windows !== null || decision.problemType === 'multi_label_classification');
    if (texts !== null && whole && texts.length > 0 && texts.every((t) => typeof t === 'string')) {
      const results = await classifyTexts(model, texts as string[], { windows });
      refuseNonFiniteLogits(results.map((r) => r.logits));
      const cut = results.filter((r) => r.truncated).length;
      if (cut > 0) console.error(`layerwise predict: note: ${cut} of ${texts.length} texts were cut (${windows === null || (windows === undefined && decision?.windows === null) ? 'no windows' : 'past the last window'})`);
      console.log(JSON.stringify({
        logits: results.map((r) => r.logits),
        probabilities: results.map((r) => r.probabilities),
        predicted: results.map((r) => r.predicted),
        windows: results.map((r) => r.windows),
        deciding_windows: results.map((r) => r.deciding),
        ...(decision?.problemType === 'multi_label_classification' ? { thresholds: decision.thresholds ?? model.config.id2label.map(() => 0.5), labels: model.config.id2label } : { labels: model.config.id2label }),
      }));
      return 0;
    }
    const notes: string[] = [];
    const batch = inputsBatch(value, file, model.tokenizer, maxSequenceLength(model.config), notes);
    for (const n of notes) console.error(`layerwise predict: note: ${n}`);
    validateInputIds(batch.input_ids, model.config, batch.token_type_ids);
    const inputs = batchTensors(batch);
    const logits = tf.tidy(() => model.family.forward(model.params.tensors(), inputs, model.config, model.task, { training: false, adapters: model.adapters }));
    Object.values(inputs).forEach((t) => t.dispose());
    const values = await logits.array();
    logits.dispose();
    refuseNonFiniteLogits(values);
    console.log(JSON.stringify({ logits: values }));
  } finally {
    model.params.dispose();
  }
  return 0;
}
