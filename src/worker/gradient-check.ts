// "Check gradients" in the worker (issue #18): the model a run would train — prepared by the engine's run recipe from
// the folder runs start from, the open training file and the config, as `layerwise gradcheck` prepares it — checked
// against finite differences on a few of its examples (engine/train/gradcheck.ts), one tensor at a time so that the
// worker stays responsive (progress, the heartbeat, Cancel). The model is its own and is freed after; the studio's
// current model is not touched.
import { checkBatch, gradcheckAsync } from '../engine/train/gradcheck';
import { prepareRun, type FineTuneSources } from '../engine/train/recipe';
import { LayerwiseError } from '../lib/errors';
import { STUDIO_GRADCHECK, type GradcheckReport } from '../protocol/gradcheck';
import { parseTrainConfig, type TrainConfig } from '../protocol/train-config';
import { REPORT_INTERVAL_MS, yieldToEventLoop } from './step-batcher';

export const GRADCHECK_MAX_EXAMPLES = 32;

export interface GradientCheckHooks {
  signal: AbortSignal;
  onProgress(phase: 'preparing' | 'checking', done: number, total: number): void;
}

export async function checkRunGradients(sources: FineTuneSources, given: TrainConfig, examples: number, hooks: GradientCheckHooks): Promise<GradcheckReport> {
  if (!(Number.isSafeInteger(examples) && examples >= 1 && examples <= GRADCHECK_MAX_EXAMPLES)) {
    throw new LayerwiseError('GRADCHECK_EXAMPLES_INVALID', `The check takes 1 to ${GRADCHECK_MAX_EXAMPLES} examples, not ${String(examples)}.`, { field: 'examples' });
  }
  // The page is not trusted to send a valid config: parsed as the CLI parses --config. Every example trains (none held
  // out), cut to a few tokens: the gradients of the model do not depend on the length, the check's time does.
  const config = parseTrainConfig({ ...given, validationSplit: 0, maxLength: Math.min(given.maxLength, STUDIO_GRADCHECK.maxLength) });
  // The check differentiates one head's forward pass (engine/train/gradcheck.ts), as `layerwise gradcheck` does.
  if (config.tasks !== null) {
    throw new LayerwiseError('GRADCHECK_MULTI_TASK', 'Check gradients checks a model with one head: remove the heads of the Tasks card to check the run\'s model.', { field: 'tasks' });
  }
  hooks.onProgress('preparing', 0, 0);
  const prepared = await prepareRun({ ...sources, validation: null }, config, { signal: hooks.signal, telemetryPoints: 0 });
  try {
    let reported = 0;
    return await gradcheckAsync(prepared.model, checkBatch(prepared, examples), {}, {
      signal: hooks.signal,
      between: async ({ done, total }) => {
        const now = performance.now();
        if (now - reported >= REPORT_INTERVAL_MS || done === total) {
          reported = now;
          hooks.onProgress('checking', done, total);
        }
        await yieldToEventLoop();
      },
    });
  } finally {
    prepared.trainer.dispose();
    prepared.model.params.dispose();
  }
}
