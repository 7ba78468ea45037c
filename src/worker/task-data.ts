// Each head's data of a multi-task run in the studio (TrainConfig.tasks): the open training file (and validation
// file) read again with the head's own columns, as `layerwise train --config` reads --data for a head without a file
// of its own (cli/commands/train.ts readTaskFiles: the head's columns, else the run's; one label per row). The studio
// has no files beside the open ones, so a head naming its own `data` or `validation` file is refused.
import { headError, type TaskSources } from '../engine/train/multitask';
import { readDataset, type Dataset } from '../formats/datasets/index';
import type { SourceFile } from '../formats/source-file';
import { LayerwiseError } from '../lib/errors';
import type { DatasetReadChoices } from '../protocol/dataset-summary';
import type { TaskHeadConfig } from '../protocol/train-config';

/** A file the studio has open, and how it was read. */
export interface OpenFile {
  source: SourceFile;
  choices: DatasetReadChoices;
}

/** The read choices of a head: the file's, with the head's text and label columns where it names them, one label per row. */
export function headChoices(head: TaskHeadConfig, choices: DatasetReadChoices): DatasetReadChoices {
  const { labelColumns: _binary, ...rest } = choices;
  return {
    ...rest,
    ...(head.textColumn === null ? {} : { textColumns: [head.textColumn] }),
    ...(head.labelColumn === null ? {} : { labelColumn: head.labelColumn }),
    labelSeparator: null,
  };
}

/** Each head's training and validation data, in TrainConfig.tasks order (FineTuneSources.heads). */
export async function readTaskData(heads: readonly TaskHeadConfig[], train: OpenFile, validation: OpenFile | null): Promise<TaskSources[]> {
  const sources: TaskSources[] = [];
  for (const [i, h] of heads.entries()) {
    for (const field of ['data', 'validation'] as const) {
      if (h[field] !== null) {
        throw new LayerwiseError('TRAIN_TASKS_DATA', `head "${h.name}": the studio reads every head from the open dataset files; drop "${field}" (${h[field]}) and choose the head's label column`, {
          field: `tasks[${i}].${field}`,
        });
      }
    }
    try {
      const read = (file: OpenFile): Promise<Dataset> => readDataset(file.source, headChoices(h, file.choices));
      sources.push({ train: await read(train), validation: validation === null ? null : await read(validation) });
    } catch (err) {
      throw headError(err, i, h.name);
    }
  }
  return sources;
}
