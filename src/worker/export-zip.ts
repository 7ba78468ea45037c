// The current model as a Hugging Face folder (engine/export/hf-folder: config.json, model.safetensors, the tokenizer
// files byte for byte), zipped with fflate inside one folder of the archive, so that unzipping gives a folder the
// studio and transformers' from_pretrained open as it is. Weights with NaN or ±Inf need an explicit override (N1).
import { zipSync, type Zippable } from 'fflate';
import type { LoadedModel } from '../engine/load';
import { writeHfFolder } from '../engine/export/hf-folder';
import type { SourceFolder } from '../formats/source-file';
import { LayerwiseError } from '../lib/errors';
import type { ExportedModel } from '../protocol/messages';

/** A folder name that is safe on every file system (RELIABILITY X3: the file name is sanitised). */
export function exportName(source: string): string {
  const base = source
    .normalize('NFKC')
    .replace(/[^\p{L}\p{N}._-]+/gu, '-')
    .replace(/^[.-]+|[.-]+$/g, '')
    .slice(0, 64);
  return `${base === '' ? 'model' : base}-finetuned`;
}

export async function exportModel(model: LoadedModel, folder: SourceFolder, source: string, allowNonFinite: boolean): Promise<ExportedModel> {
  const values = await model.params.snapshot();
  const bad = [...values].filter(([, data]) => data.some((x) => !Number.isFinite(x))).map(([name]) => name);
  if (bad.length > 0 && !allowNonFinite) {
    throw new LayerwiseError(
      'EXPORT_NON_FINITE',
      `${bad.length} tensors hold NaN or infinite values (the run diverged?); export them only if you mean to.`,
      { tensor: bad[0] },
    );
  }
  const tokenizerFiles = model.tokenizerFiles.map((name) => {
    const file = folder.get(name);
    if (!file) throw new LayerwiseError('EXPORT_TOKENIZER_FILE_MISSING', `The tokenizer file ${name} is no longer available.`, { file: name });
    return file;
  });
  const files = await writeHfFolder({
    rawConfig: model.rawConfig,
    config: model.config,
    task: model.task,
    weights: model.params.names().map((name): [string, { shape: number[]; data: Float32Array }] => [name, { shape: model.params.shape(name), data: values.get(name) as Float32Array }]),
    tokenizerFiles,
  });
  const name = exportName(source);
  const entries: Zippable = {};
  // Weights barely compress; storing them keeps the zip fast on big models.
  for (const f of files) entries[`${name}/${f.name}`] = [f.bytes, { level: f.name.endsWith('.safetensors') ? 0 : 6 }];
  const zip = zipSync(entries);
  const whole = zip.byteOffset === 0 && zip.byteLength === zip.buffer.byteLength ? zip : zip.slice();
  return { fileName: `${name}.zip`, zip: whole.buffer, files: files.map((f) => ({ name: f.name, size: f.bytes.length })) };
}
