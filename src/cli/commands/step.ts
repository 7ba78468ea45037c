// `layerwise step`: one AdamW step with torch.optim.AdamW semantics (every parameter trainable, weight decay on
// all of them, no dropout) on one batch, then the updated checkpoint written as a Hugging Face folder
// (DESIGN.md "The command line"). Prints {"loss", "out", "files"} with --json.
import * as tf from '@tensorflow/tfjs-core';
import { LayerwiseError } from '../../lib/errors';
import { writeModelFolder } from '../../engine/export/model-folder';
import { taskLoss } from '../../engine/models/index';
import { validateInputIds } from '../../engine/models/validate-inputs';
import { AdamW } from '../../engine/optim/adamw';
import { numberOption, parseOptions, required } from '../args';
import { resolveModelDir } from '../train-data';
import { startCliBackend } from '../backend-option';
import { batchTensors, idsBatch, labelsFor, readJsonFile } from '../batch-file';
import { loadModelForCommand } from '../load-model';
import { nodeFolder } from '../node-files';
import { checkOutFolder, writeFolderAtomic } from '../out-folder';

export const summary = 'one AdamW step (torch semantics) on one batch; writes the updated Hugging Face folder';

const USAGE = `usage: layerwise step --model DIR --batch FILE.json --out DIR [--lr 1e-3] [--weight-decay 0.01]
                      [--betas 0.9,0.999] [--eps 1e-8] [--backend cpu|wasm|webgpu] [--allow-non-finite]
                      [--overwrite] [--json]

FILE.json holds {"inputs": {"input_ids": [[...]], "attention_mask": [[...]], ...}, "labels": [...]}
(the layout of a fixture reference.json).`;

function betasOption(value: unknown): [number, number] {
  if (value === undefined) return [0.9, 0.999];
  const parts = String(value).split(',');
  const betas = parts.map((p) => numberOption(p.trim(), 'betas', Number.NaN));
  if (betas.length !== 2 || betas.some((b) => !(b >= 0 && b < 1))) {
    throw new LayerwiseError('CLI_BAD_ARGUMENT', `--betas must be two numbers in [0, 1) like 0.9,0.999, got "${String(value)}"`, {
      field: 'betas',
    });
  }
  return [betas[0], betas[1]];
}

export async function run(argv: string[]): Promise<number> {
  const opts = parseOptions(argv, {
    model: { type: 'string' },
    batch: { type: 'string' },
    out: { type: 'string' },
    lr: { type: 'string' },
    'weight-decay': { type: 'string' },
    betas: { type: 'string' },
    eps: { type: 'string' },
    backend: { type: 'string' },
    'allow-non-finite': { type: 'boolean' },
    overwrite: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (opts.help) {
    console.log(USAGE);
    return 0;
  }
  const modelDir = resolveModelDir(required(opts.model, 'model'));
  const batchPath = required(opts.batch, 'batch');
  const outDir = required(opts.out, 'out');
  checkOutFolder(outDir, { inputs: [modelDir], overwrite: opts.overwrite === true });
  const lr = numberOption(opts.lr, 'lr', 1e-3);
  const weightDecay = numberOption(opts['weight-decay'], 'weight-decay', 0.01);
  const betas = betasOption(opts.betas);
  const eps = numberOption(opts.eps, 'eps', 1e-8);
  const { value, file } = await readJsonFile(batchPath);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new LayerwiseError('INPUTS_INVALID', `${file}: expected an object with "inputs" and "labels"`, { file });
  }
  const { inputs: rawInputs, labels: rawLabels } = value as Record<string, unknown>;
  await startCliBackend(opts.backend, 'step');

  const source = nodeFolder(modelDir);
  const model = await loadModelForCommand(source, 'step');
  try {
    if (model.nonFinite.size > 0 && !opts['allow-non-finite']) {
      throw new LayerwiseError(
        'CHECKPOINT_NON_FINITE',
        `the checkpoint holds NaN or infinite values in ${[...model.nonFinite.keys()].join(', ')}: pass --allow-non-finite to train anyway`,
        { tensor: [...model.nonFinite.keys()][0] },
      );
    }
    const batch = idsBatch(rawInputs, file);
    const labels = labelsFor(rawLabels, file, model.task, batch, model.config);
    validateInputIds(batch.input_ids, model.config, batch.token_type_ids);

    const { family, config, task, params } = model;
    const inputs = batchTensors(batch);
    const labelTensor = model.task === 'seq-cls' ? tf.tensor1d(labels as number[], 'int32') : tf.tensor2d(labels as number[][], undefined, 'int32');
    const { loss, grads } = params.gradients(() =>
      taskLoss(family.forward(params.tensors(), inputs, config, task, { training: false }), labelTensor, task),
    );
    const optimizer = new AdamW(params, { betas, eps, hyper: () => ({ lr, weightDecay }) });
    optimizer.step(grads);
    grads.forEach((g) => g.dispose());
    optimizer.dispose();
    [...Object.values(inputs), labelTensor].forEach((t) => t.dispose());
    const lossValue = (await loss.data())[0];
    loss.dispose();

    const files = await writeModelFolder({ model, source, allowNonFinite: opts['allow-non-finite'] === true });
    writeFolderAtomic(outDir, files);
    if (opts.json) console.log(JSON.stringify({ loss: lossValue, out: outDir, files: files.map((f) => f.name) }));
    else console.log(`loss ${lossValue}; wrote ${files.map((f) => f.name).join(', ')} to ${outDir}`);
  } finally {
    model.params.dispose();
  }
  return 0;
}
