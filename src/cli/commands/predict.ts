// `layerwise predict`: a checkpoint's raw head logits for a batch of token ids or texts, in eval mode (no
// dropout), as DESIGN.md "The command line" specifies: prints {"logits": [...]}.
import * as tf from '@tensorflow/tfjs-core';
import { LayerwiseError } from '../../lib/errors';
import { maxSequenceLength, validateInputIds } from '../../engine/models/validate-inputs';
import { parseOptions, required } from '../args';
import { resolveModelDir } from '../train-data';
import { startCliBackend } from '../backend-option';
import { batchTensors, inputsBatch, readJsonFile } from '../batch-file';
import { loadModelForCommand } from '../load-model';
import { nodeFolder } from '../node-files';

export const summary = 'print the head logits of a checkpoint for token ids or texts (eval mode)';

const USAGE = `usage: layerwise predict --model DIR|default --inputs FILE.json [--adapter DIR] [--backend cpu|wasm|webgpu] [--json]

FILE.json holds {"input_ids": [[...]], "attention_mask"?: [[...]], "token_type_ids"?: [[...]]},
or {"texts": [...]} (tokenised with the checkpoint's tokenizer), or a fixture reference.json.
--adapter DIR loads a PEFT LoRA adapter (adapter_config.json, adapter_model.safetensors) onto the --model folder.
Prints {"logits": [...]}.`;

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

export async function run(argv: string[]): Promise<number> {
  const opts = parseOptions(argv, {
    model: { type: 'string' },
    inputs: { type: 'string' },
    adapter: { type: 'string' },
    backend: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (opts.help) {
    console.log(USAGE);
    return 0;
  }
  const modelDir = resolveModelDir(required(opts.model, 'model'));
  const inputsPath = required(opts.inputs, 'inputs');
  const { value, file } = await readJsonFile(inputsPath);
  await startCliBackend(opts.backend, 'predict');

  const model = await loadModelForCommand(nodeFolder(modelDir), 'predict', {}, opts.adapter);
  try {
    const notes: string[] = [];
    const batch = inputsBatch(value, file, model.tokenizer, maxSequenceLength(model.config), notes);
    for (const n of notes) console.error(`layerwise predict: note: ${n}`);
    validateInputIds(batch.input_ids, model.config, batch.token_type_ids);
    const inputs = batchTensors(batch);
    const logits = tf.tidy(() => model.family.forward(model.params.tensors(), inputs, model.config, model.task, { training: false }));
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
