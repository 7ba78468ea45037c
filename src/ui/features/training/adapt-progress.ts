// What the "Adapt to my text" card says about an adaptation, pure: the status line ("Step 40/120 · MLM loss 3.912
// · 1,830 tokens/s · held out: masked-token accuracy 23.4%") and why it cannot start yet.
import { adaptSettingsErrors, ADAPT_STEP_CAP, type AdaptSettings } from '../../../protocol/adaptation';
import type { AdaptationState } from '../../store/adaptation-slice';
import { formatCount, formatPercent } from '../../format';
import { formatLoss, recentTokensPerSecond } from './run-progress';

export function adaptStatusText(a: Pick<AdaptationState, 'status' | 'prepare' | 'plan' | 'recent' | 'evaluation' | 'record' | 'error' | 'keepOnStop'>): string {
  switch (a.status) {
    case 'idle':
      return 'Not started. Optional: fine-tuning works without it.';
    case 'preparing': {
      const p = a.prepare;
      if (p === null || p.phase === 'read') return 'Preparing: reading the text…';
      return p.phase === 'model' ? 'Preparing: loading the model with its masked-LM head…' : `Preparing: tokenising ${formatCount(p.total)} lines…`;
    }
    case 'running':
    case 'stopping': {
      const last = a.recent.at(-1);
      const parts = [`Step ${formatCount(last?.step ?? 0)}/${formatCount(a.plan?.totalSteps ?? 0)}`];
      if (last) parts.push(`MLM loss ${formatLoss(last.loss)}`, `${formatCount(Math.round(recentTokensPerSecond(a.recent)))} tokens/s`);
      if (a.evaluation) parts.push(`held out: masked-token accuracy ${formatPercent(a.evaluation.accuracy)}`);
      const line = parts.join(' · ');
      return a.status === 'stopping' ? `Stopping after this step, ${a.keepOnStop ? 'keeping' : 'discarding'} the weights so far… · ${line}` : line;
    }
    case 'finished': {
      const r = a.record;
      return r === null ? 'Adapted.' : `Adapted: ${formatCount(r.steps)} steps, MLM loss ${formatLoss(r.trainLoss)}. Fine-tuning now starts from these weights.`;
    }
    case 'discarded':
      return 'Stopped: the adapted weights were discarded, and the model is as it was.';
    case 'failed':
      return `Failed${a.error ? ` (${a.error.code})` : ''}: the model is as it was.`;
  }
}

/** What the text choice and the settings still need before an adaptation can start; empty when it can. */
export function adaptBlockers(input: {
  hasModel: boolean;
  maskToken: boolean;
  source: 'dataset' | 'file';
  hasDataset: boolean;
  hasFile: boolean;
  settings: AdaptSettings;
  training: boolean;
}): string[] {
  const out: string[] = [];
  if (!input.hasModel) out.push('Load a model in the Model panel.');
  else if (!input.maskToken) out.push('This model’s tokenizer has no mask token, which masked-LM training needs.');
  if (input.source === 'dataset' && !input.hasDataset) out.push('Open a dataset in the Dataset panel, or choose a separate text file.');
  if (input.source === 'file' && !input.hasFile) out.push('Choose or drop a text file.');
  const bad = adaptSettingsErrors(input.settings).length;
  if (bad > 0) out.push(`${bad} ${bad === 1 ? 'setting needs' : 'settings need'} attention.`);
  if (input.training) out.push('A fine-tuning run is in progress.');
  return out;
}

/** The help line of the length field. */
export function lengthHelp(settings: AdaptSettings): string {
  return settings.length.unit === 'epochs'
    ? `Passes over the text (1 is usual), at most ${formatCount(ADAPT_STEP_CAP)} steps; choose steps to train longer.`
    : 'Optimizer steps, however many passes over the text they take.';
}
