// The studio's panels in journey order: the nav and the panel area are both generated from this list. `done`
// marks a step of the journey as done in the nav (a model loaded, a dataset read, a run finished, an export made).
import type { ReactNode } from 'react';
import type { IconName } from './components/icons';
import { ConfigurePanel } from './features/configure/configure-panel';
import { DatasetPanel } from './features/dataset/dataset-panel';
import { EvaluatePanel } from './features/evaluation/evaluate-panel';
import { ExportPanel } from './features/export/export-panel';
import { HistoryPanel } from './features/history/history-panel';
import { LayersPanel } from './features/layers/layers-panel';
import { ModelPanel } from './features/model/model-panel';
import { SweepPanel } from './features/sweep/sweep-panel';
import { TrainPanel } from './features/training/train-panel';
import type { AppState } from './store/app-store';
import type { PanelId } from './store/layout-slice';

export interface PanelEntry {
  id: PanelId;
  label: string;
  icon: IconName;
  /** When the nav marks this step as done; absent for steps that have no end. */
  done?: (state: AppState) => boolean;
  render: () => ReactNode;
}

export const PANELS: readonly PanelEntry[] = [
  { id: 'model', label: 'Model', icon: 'model', done: (s) => s.model.current !== null, render: () => <ModelPanel /> },
  { id: 'dataset', label: 'Dataset', icon: 'dataset', done: (s) => s.dataset.train !== null, render: () => <DatasetPanel /> },
  { id: 'layers', label: 'Layers', icon: 'layers', render: () => <LayersPanel /> },
  { id: 'configure', label: 'Configure', icon: 'configure', render: () => <ConfigurePanel /> },
  { id: 'sweep', label: 'Sweep', icon: 'sweep', done: (s) => s.sweep.status === 'finished', render: () => <SweepPanel /> },
  { id: 'train', label: 'Train', icon: 'train', done: (s) => s.training.status === 'finished', render: () => <TrainPanel /> },
  { id: 'evaluate', label: 'Evaluate', icon: 'evaluate', render: () => <EvaluatePanel /> },
  { id: 'export', label: 'Export', icon: 'export', done: (s) => Object.keys(s.exporting.results).length > 0, render: () => <ExportPanel /> },
  { id: 'history', label: 'History', icon: 'history', render: () => <HistoryPanel /> },
];
