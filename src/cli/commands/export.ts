// `layerwise export`: a checkpoint folder written in the layout where it is used next, checked before it is written
// (engine/export/export.ts): `hf`, a Hugging Face folder re-read by the engine's loader; `onnx`, the folder
// transformers.js reads (onnx/model.onnx, and with --quantize int8 onnx/model_quantized.onnx) run by ONNX Runtime
// Web. Each format is one entry of FORMATS, so a new one is an entry and its options. `recipe` is not a model export:
// it writes the training recipe folder (cli/recipe-export.ts) and is dispatched before the model is loaded.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { exportModel, type ExportResult } from '../../engine/export/export';
import type { ModelFile } from '../../engine/export/model-folder';
import { ortRunner } from '../../engine/export/onnx-runner';
import { generatedRows } from '../../engine/export/verify';
import type { LoadedModel } from '../../engine/load';
import type { SourceFolder } from '../../formats/source-file';
import { LayerwiseError } from '../../lib/errors';
import { EXPORT_FORMATS, type ExportCheck, type ExportFormat } from '../../protocol/export';
import { parseOptions, required } from '../args';
import { startCliBackend } from '../backend-option';
import { loadModelForCommand } from '../load-model';
import { nodeFolder } from '../node-files';
import { checkOutFolder, writeFolderAtomic } from '../out-folder';
import { exportRecipe } from '../recipe-export';
import { DATASET_FLAGS, resolveModelDir } from '../train-data';

export const summary = 'write a checkpoint as a Hugging Face folder or as ONNX for transformers.js (fp32, int8), checked against the engine, or a training recipe for a GPU cluster';

const USAGE = `usage: layerwise export --model DIR|default --format hf|onnx|recipe --out DIR [--quantize int8]
                        [--backend cpu|wasm|webgpu] [--overwrite] [--allow-non-finite] [--json]
                        [--data FILE [--validation FILE] --config FILE --task T --text-col C --label-col C]  (recipe)

--format hf    a Hugging Face folder: config.json, model.safetensors, tokenizer files (README.md and metrics.json
               of DIR are kept), read back by the engine's own loader before it is written.
--format onnx  the folder transformers.js reads: config.json, tokenizer files, onnx/model.onnx (fp32) and, with
               --quantize int8, onnx/model_quantized.onnx (int8 weights, activations quantised at run time).
               Both files are run by ONNX Runtime Web before they are written.
--format recipe  a folder that reruns the run with transformers + accelerate (one GPU, DDP, multi-node, DeepSpeed
               ZeRO-2/3, FSDP): train.py, layerwise_plan.py, layerwise_metrics.py, layerwise_run.json, accelerate
               configs, ds_zero2/3.json, requirements, README.md, DIR's files under model/ and, with --data, the
               data split as \`layerwise train\` splits it (data/*.jsonl). The TrainConfig: --config (a TrainConfig or
               a metrics.json), else DIR's metrics.json or weights metadata, else the defaults.
Every hf or onnx export is checked on four generated rows of ids: logits within 1e-4 of the engine's (int8: within 15% of
the largest logit), else EXPORT_VERIFY_MISMATCH and nothing is written. --out is written whole, and refused when it
holds files unless --overwrite. With --json prints {format, out, files: [{name, size}], verification}.`;

/** What one --format needs besides the model: the CLI's side of engine/export/export.ts. */
interface FormatContext {
  model: LoadedModel;
  folder: SourceFolder;
  modelDir: string;
  quantize: boolean;
  allowNonFinite: boolean;
}

const FORMATS: Record<ExportFormat, (ctx: FormatContext) => Promise<ExportResult>> = {
  hf: async (ctx) => {
    const result = await exportModel({ ...common(ctx), format: 'hf' });
    // The folder on disk is these weights: its card and metrics describe them and travel with them.
    const kept: ModelFile[] = ['README.md', 'metrics.json']
      .filter((name) => existsSync(path.join(ctx.modelDir, name)))
      .map((name) => ({ name, bytes: readFileSync(path.join(ctx.modelDir, name)) }));
    return { ...result, files: [...result.files, ...kept] };
  },
  onnx: async (ctx) => {
    // ONNX Runtime Web's Node build: the same runtime as the studio's check, its wasm read from node_modules.
    const ort = await import('onnxruntime-web');
    return exportModel({ ...common(ctx), format: 'onnx', onnxRunner: ortRunner(ort) });
  },
};

function common(ctx: FormatContext) {
  return { model: ctx.model, source: ctx.folder, quantize: ctx.quantize, allowNonFinite: ctx.allowNonFinite, rows: generatedRows(ctx.model.config) };
}

function formatOption(value: string): ExportFormat {
  if (!(EXPORT_FORMATS as readonly string[]).includes(value)) {
    throw new LayerwiseError('CLI_BAD_ARGUMENT', `--format must be one of ${[...EXPORT_FORMATS, 'recipe'].join(', ')}, got "${value}"`, { field: 'format' });
  }
  return value as ExportFormat;
}

function checkLine(c: ExportCheck): string {
  const predictions = `same prediction on ${c.agree} of ${c.compared}`;
  return `${c.passed ? 'verified' : 'MISMATCH'}: ${c.file} (${c.reader}) max |Δ| ${c.maxAbsDiff.toExponential(2)} ≤ ${c.tolerance.toExponential(2)}, ${predictions}`;
}

export async function run(argv: string[]): Promise<number> {
  const o = parseOptions(argv, {
    model: { type: 'string' },
    format: { type: 'string' },
    out: { type: 'string' },
    quantize: { type: 'string' },
    backend: { type: 'string' },
    overwrite: { type: 'boolean' },
    'allow-non-finite': { type: 'boolean' },
    data: { type: 'string' },
    validation: { type: 'string' },
    config: { type: 'string' },
    task: { type: 'string' },
    ...DATASET_FLAGS,
    help: { type: 'boolean', short: 'h' },
  });
  if (o.help) {
    console.log(USAGE);
    return 0;
  }
  const modelDir = resolveModelDir(required(o.model, 'model'));
  const out = required(o.out, 'out');
  if (o.format === 'recipe') {
    if (o.quantize !== undefined) throw new LayerwiseError('EXPORT_QUANTIZE_NEEDS_ONNX', '--quantize int8 writes onnx/model_quantized.onnx: it needs --format onnx, not recipe', { field: 'quantize' });
    return exportRecipe({ modelDir, out, overwrite: o.overwrite === true, data: o.data, validation: o.validation, config: o.config, task: o.task, textCol: o['text-col'], labelCol: o['label-col'], json: o.json === true });
  }
  const recipeOnly = (['data', 'validation', 'config', 'task', 'text-col', 'label-col'] as const).find((f) => o[f] !== undefined);
  if (recipeOnly !== undefined) throw new LayerwiseError('CLI_BAD_ARGUMENT', `--${recipeOnly} is for --format recipe`, { field: recipeOnly });
  const format = formatOption(required(o.format, 'format'));
  if (o.quantize !== undefined && o.quantize !== 'int8') {
    throw new LayerwiseError('CLI_BAD_ARGUMENT', `--quantize takes int8, got "${o.quantize}"`, { field: 'quantize' });
  }
  if (o.quantize !== undefined && format !== 'onnx') {
    throw new LayerwiseError('EXPORT_QUANTIZE_NEEDS_ONNX', `--quantize int8 writes onnx/model_quantized.onnx: it needs --format onnx, not ${format}`, { field: 'quantize' });
  }
  checkOutFolder(out, { inputs: [modelDir], overwrite: o.overwrite === true });
  await startCliBackend(o.backend, 'export');

  const folder = nodeFolder(modelDir);
  const model = await loadModelForCommand(folder, 'export');
  let result: ExportResult;
  try {
    result = await FORMATS[format]({ model, folder, modelDir, quantize: o.quantize === 'int8', allowNonFinite: o['allow-non-finite'] === true });
  } finally {
    model.params.dispose();
  }
  writeFolderAtomic(out, result.files);
  const files = result.files.map((f) => ({ name: f.name, size: f.bytes.length }));
  if (o.json) {
    console.log(JSON.stringify({ format, out: path.resolve(out), files, verification: result.verification }));
  } else {
    for (const f of files) console.log(`${f.name.padEnd(28)} ${f.size.toLocaleString('en-US').padStart(14)} bytes`);
    for (const c of result.verification.checks) console.log(checkLine(c));
    console.log(`wrote ${path.resolve(out)}`);
  }
  return 0;
}
