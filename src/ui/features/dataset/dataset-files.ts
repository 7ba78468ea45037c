// The File the user chose for each role, kept on the page so that changing the reading options (columns,
// delimiter, header) reads the same file again with readDataset in the worker. Only a handle: nothing is read here.
import type { DatasetReadChoices, DatasetRole } from '../../../protocol/dataset-summary';
import type { EngineClient } from '../../engine-client';

const chosen = new Map<DatasetRole, File>();

export function readDatasetFile(engine: EngineClient, role: DatasetRole, file: File, choices: DatasetReadChoices = {}): void {
  chosen.set(role, file);
  engine.readDataset(role, file, choices);
}

/** Reads the last chosen file of a role again with new choices; false when there is none. */
export function rereadDataset(engine: EngineClient, role: DatasetRole, choices: DatasetReadChoices): boolean {
  const file = chosen.get(role);
  if (!file) return false;
  engine.readDataset(role, file, choices);
  return true;
}

export function forgetDatasetFile(role: DatasetRole): void {
  chosen.delete(role);
}
