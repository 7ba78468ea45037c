// `layerwise sweep`: a hyperparameter search (protocol/sweep.ts, engine/train/sweep.ts) over a model and a dataset:
// grid or seeded random trials within a budget, successive halving of weak ones; each trial is a `layerwise train`
// run prepared by the same recipe. Writes one JSON line per trial and rung to --out as each one ends, and prints the
// best trial's values and TrainConfig.
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { LayerwiseError } from '../../lib/errors';
import { parseSweepConfig, type TrialResult } from '../../protocol/sweep';
import { runSweep } from '../../engine/train/sweep';
import { parseOptions, required } from '../args';
import { startCliBackend } from '../backend-option';
import { readJsonFile } from '../batch-file';
import { nodeFolder } from '../node-files';
import { columnOptions, DATASET_FLAGS, jsonText, readDatasetFile, resolveModelDir } from '../train-data';

export const summary = 'a hyperparameter search (grid or random, successive halving); writes a JSONL of trials';

const USAGE = `usage: layerwise sweep --model DIR|default --data FILE --config SWEEP.json --out TRIALS.jsonl [--validation FILE]
                       [--text-col NAME] [--label-col NAME] [--backend wasm|cpu|webgpu] [--overwrite] [--json]

SWEEP.json: {"base": {TrainConfig fields}, "method": "grid"|"random", "trials": 8, "seed": 42, "metric": "accuracy",
             "space": {"learningRate": [1e-4, 3e-4] or {"min": 1e-5, "max": 1e-3, "log": true}, "batchSize": [16, 32],
                       "layerDecay": [...], "warmupRatio": [...], "dropout": [...], "weightDecay": [...],
                       "freeze": [[], ["bert.embeddings"]]},
             "halving": {"eta": 2, "rungs": 3} or null}
With halving, every trial first trains epochs/eta^(rungs-1) epochs, the best 1/eta train eta times longer, and so on
until the last rung trains the base config's epochs. --out gets one JSON line per trial and rung:
{id, rung, epochs, values, score, metrics, error, seconds}.`;

const valuesText = (r: TrialResult) => Object.entries(r.values).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ');

export async function run(argv: string[]): Promise<number> {
  const opts = parseOptions(argv, {
    model: { type: 'string' },
    data: { type: 'string' },
    validation: { type: 'string' },
    config: { type: 'string' },
    out: { type: 'string' },
    ...DATASET_FLAGS,
    backend: { type: 'string' },
    overwrite: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (opts.help) {
    console.log(USAGE);
    return 0;
  }
  const modelDir = resolveModelDir(required(opts.model, 'model'));
  const dataPath = required(opts.data, 'data');
  const out = required(opts.out, 'out');
  if (existsSync(out) && opts.overwrite !== true) {
    throw new LayerwiseError('CLI_OUT_NOT_EMPTY', `--out ${out} already exists: choose a new file, or pass --overwrite to replace it`, { field: 'out' });
  }
  const read = await readJsonFile(required(opts.config, 'config'));
  const sweep = parseSweepConfig(read.value, read.file);
  const backend = await startCliBackend(opts.backend, 'sweep');
  const columns = columnOptions(opts['text-col'], opts['label-col'], { labelSep: opts['label-sep'], labelCols: opts['label-cols'] });
  const train = await readDatasetFile(dataPath, 'data', columns);
  const validation = opts.validation === undefined ? null : await readDatasetFile(opts.validation, 'validation', columns);
  // Created before the first trial, so that a bad path fails before any training.
  writeFileSync(out, '');
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  try {
    const outcome = await runSweep({ folder: nodeFolder(modelDir), train, validation }, sweep, {
      signal: controller.signal,
      onTrialStarted: (trial, rung, epochs) => console.error(`layerwise sweep: trial ${trial.id} rung ${rung} (${epochs} epochs): ${Object.entries(trial.values).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ')}`),
      onTrialFinished: (r) => {
        appendFileSync(out, `${jsonText(r)}\n`);
        console.error(`layerwise sweep: trial ${r.id} rung ${r.rung}: ${sweep.metric} ${r.score ?? '—'}${r.error ? ` (${r.error})` : ''} in ${r.seconds.toFixed(1)} s`);
      },
      // Ctrl-C is a libuv signal: without a turn of the event loop a wasm run would never see it.
      onStep: () => new Promise((resolve) => setImmediate(resolve)),
    });
    const best = outcome.best;
    const summaryLine = {
      metric: sweep.metric,
      trials: outcome.trials.length,
      runs: outcome.results.length,
      stopped: outcome.stopped,
      best: best && { id: best.id, score: best.score, values: best.values, config: outcome.trials[best.id].config },
      backend,
      out: path.resolve(out),
    };
    if (opts.json) console.log(jsonText(summaryLine));
    else console.log(best ? `best: trial ${best.id}, ${sweep.metric} ${best.score} (${valuesText(best)}); ${outcome.results.length} runs written to ${out}` : `no trial was scored; ${outcome.results.length} runs written to ${out}`);
    return best === null ? 1 : 0;
  } finally {
    process.off('SIGINT', stop);
  }
}
