// The quickest first run: "Train with defaults" as soon as a dataset is read (the checks before Start passed, the
// run started with the training lock, the Train panel opened), and for a visitor without data the sample dataset
// this site serves (public/samples/sms-spam.csv: 300 SMS messages, spam or ham; its licence in its README.md).
import { useState } from 'react';
import { Card } from '../../components/card';
import { ErrorAlert } from '../../components/error-alert';
import { Icon } from '../../components/icons';
import { useEngine } from '../../engine-context';
import type { LayerwiseErrorData } from '../../../lib/errors';
import { evalInterval } from '../../../protocol/schedule';
import { DEFAULT_TRAIN_CONFIG, defaultLearningRate, type TrainConfig } from '../../../protocol/train-config';
import { formatCount } from '../../format';
import { useApp } from '../../store/app-store';
import { useRunConfig } from '../../store/config-draft';
import { usePreflight, useStartRun } from '../training/preflight';
import { readDatasetFile } from './dataset-files';

export const SAMPLE_DATASET = { file: 'sms-spam.csv', path: 'samples/sms-spam.csv' };

/** Whether the config is the defaults (the task and a learning rate that follows the model aside). */
export function isDefaultConfig(config: TrainConfig, hiddenSize: number | null): boolean {
  const lr = hiddenSize === null ? DEFAULT_TRAIN_CONFIG.learningRate : defaultLearningRate(hiddenSize);
  const plain = (c: TrainConfig) => JSON.stringify({ ...c, task: null, learningRate: null });
  return plain(config) === plain(DEFAULT_TRAIN_CONFIG as TrainConfig) && config.learningRate === lr;
}

export function QuickStart() {
  const checks = usePreflight();
  const { start, busy } = useStartRun();
  const showPanel = useApp((s) => s.showPanel);
  const hidden = useApp((s) => s.model.current?.hidden_size ?? null);
  const { config, derived } = useRunConfig();
  const missing = checks.filter((c) => !c.ok);
  const every = evalInterval(config.evalEvery, derived);
  // Every interval's end, and the run's last step when it falls between two.
  const evaluations = Math.floor(derived.totalSteps / every) + (derived.totalSteps % every === 0 ? 0 : 1);
  const defaults = isDefaultConfig(config, hidden);
  const label = defaults ? 'Train with defaults' : 'Train with your settings';
  return (
    <Card
      title="Ready to train"
      className="quick-start"
      description={
        missing.length > 0
          ? `Not yet: ${missing.map((c) => c.detail).join('; ')}.`
          : `${formatCount(derived.totalSteps)} ${derived.totalSteps === 1 ? 'step' : 'steps'} over ${derived.epochs} ${derived.epochs === 1 ? 'epoch' : 'epochs'}, evaluated ${evaluations === 1 ? 'once, at the end,' : `${formatCount(evaluations)} times`} against always guessing the commonest class. Or choose the layers and the settings first: the steps below.`
      }
      actions={
        <button
          type="button"
          className="button button-primary"
          disabled={missing.length > 0 || busy}
          onClick={async () => {
            if (await start()) showPanel('train', true);
          }}
        >
          <Icon name="train" size={16} /> {label}
        </button>
      }
    >
      {null}
    </Card>
  );
}

/** For a visitor with no dataset: reads the sample this site serves, as a file the user chose. */
export function SampleDataset() {
  const engine = useEngine();
  const [error, setError] = useState<LayerwiseErrorData | null>(null);
  const [loading, setLoading] = useState(false);
  const open = async () => {
    setLoading(true);
    setError(null);
    try {
      const response = await fetch(new URL(`${import.meta.env.BASE_URL}${SAMPLE_DATASET.path}`, window.location.href));
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      readDatasetFile(engine, 'train', new File([await response.blob()], SAMPLE_DATASET.file, { type: 'text/csv' }));
    } catch (err) {
      setError({ code: 'SAMPLE_DATASET_UNAVAILABLE', message: `The sample dataset could not be fetched from this site (${err instanceof Error ? err.message : String(err)}).` });
    } finally {
      setLoading(false);
    }
  };
  return (
    <div className="sample-offer">
      <p className="muted">
        No dataset at hand? Try the sample: 300 text messages labelled <q>spam</q> or <q>ham</q>, from the SMS Spam Collection (Almeida and Gómez Hidalgo).
      </p>
      <button type="button" className="button button-secondary" disabled={loading} onClick={() => void open()}>
        <Icon name="dataset" size={16} /> {loading ? 'Opening the sample…' : 'Try the sample dataset'}
      </button>
      {error && <ErrorAlert title="No sample dataset" error={error} onDismiss={() => setError(null)} />}
    </div>
  );
}
