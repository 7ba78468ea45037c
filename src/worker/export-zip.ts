// A model folder (engine/export/model-folder.ts) zipped with fflate inside one folder of the archive, so that
// unzipping gives a folder the studio and transformers' from_pretrained open as it is.
import { zipSync, type Zippable } from 'fflate';
import type { ModelFile } from '../engine/export/model-folder';
import type { ExportFormat, ExportVerification } from '../protocol/export';
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

/** The files in one folder of a zip, named after the model (and `-onnx` for the transformers.js layout), with their check. */
export function zipModelFolder(files: readonly ModelFile[], source: string, format: ExportFormat, verification: ExportVerification): ExportedModel {
  const name = `${exportName(source)}${format === 'hf' ? '' : `-${format}`}`;
  const entries: Zippable = {};
  // Weights barely compress; storing them keeps the zip fast on big models.
  for (const f of files) entries[`${name}/${f.name}`] = [f.bytes, { level: /\.(safetensors|onnx)$/.test(f.name) ? 0 : 6 }];
  const zip = zipSync(entries);
  const whole = zip.byteOffset === 0 && zip.byteLength === zip.buffer.byteLength ? zip : zip.slice();
  return { fileName: `${name}.zip`, zip: whole.buffer, files: files.map((f) => ({ name: f.name, size: f.bytes.length })), format, verification };
}
