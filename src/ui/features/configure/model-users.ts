// Why "Check gradients" or a sweep cannot start now: the worker refuses the same cases with coded errors
// (TRAIN_NO_DATASET, SWEEP_IN_PROGRESS, a run or an adaptation using the model); the buttons say so before.
import { isAdapting } from '../../store/adaptation-slice';
import type { AppState } from '../../store/app-store';
import { isSweeping } from '../../store/sweep-slice';
import { isActive } from '../../store/training-slice';

export function whyBlocked(s: AppState, fieldErrors: number): string | null {
  if (s.model.current === null) return 'Open a model in the Model panel first.';
  if (s.dataset.train === null) return 'Open a training file in the Dataset panel first.';
  if (fieldErrors > 0) return 'Fix the fields that need attention first.';
  if (isActive(s.training.status)) return 'A run is training: wait for it to end.';
  if (isAdapting(s.adaptation.status)) return 'The model is being adapted to your text: wait for it to end.';
  if (isSweeping(s.sweep.status)) return 'A sweep is running: stop it or wait for it to end.';
  return null;
}
