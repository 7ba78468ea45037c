// The studio's panels in journey order: the nav and the panel area are both generated from this list, so a
// feature slots in by replacing its entry's render function.
import type { ReactNode } from 'react';
import type { IconName } from './components/icons';
import { ModelPanel } from './features/model/model-panel';
import { PlannedPanel } from './features/planned/planned-panel';
import type { PanelId } from './store/layout-slice';

export interface PanelEntry {
  id: PanelId;
  label: string;
  icon: IconName;
  /** False while the feature is a stand-in (the nav marks it). */
  built: boolean;
  render: () => ReactNode;
}

function planned(id: PanelId, label: string, icon: IconName, purpose: string): PanelEntry {
  return { id, label, icon, built: false, render: () => <PlannedPanel title={label} icon={icon} purpose={purpose} /> };
}

export const PANELS: readonly PanelEntry[] = [
  { id: 'model', label: 'Model', icon: 'model', built: true, render: () => <ModelPanel /> },
  planned('dataset', 'Dataset', 'dataset', 'Drop a labelled CSV, TSV, JSONL or CoNLL file, check its preview and pick the text and label columns.'),
  planned('layers', 'Layers', 'layers', 'The model as a layer tree from its checkpoint names: freeze or unfreeze blocks and set learning-rate multipliers.'),
  planned('configure', 'Configure', 'configure', 'Learning-rate schedule, batch size, epochs and regularisation, with a preview of the schedule.'),
  planned('train', 'Train', 'train', 'Run fine-tuning in the engine worker with live loss, F1 and learning-rate charts; pause, resume or stop.'),
  planned('evaluate', 'Evaluate', 'evaluate', 'Accuracy, precision, recall and F1 per class, a confusion matrix, and predictions on your own text.'),
  planned('export', 'Export', 'export', 'Download the tuned weights as a Hugging Face folder that transformers loads as it is.'),
  planned('history', 'History', 'history', 'Past runs with their configurations and metrics, kept in this browser.'),
];
