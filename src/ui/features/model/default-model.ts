// The built-in model the studio loads on first visit: a small pretrained BERT served by this site from
// public/models/default/ (Vite serves public/ at the base URL), fetched in the worker like any checkpoint folder.
import type { ModelFileUrl } from '../../../protocol/messages';
import type { EngineClient } from '../../engine-client';

export const DEFAULT_MODEL_NAME = 'Layerwise default (BERT 4×128, pretrained here)';

/** The folder under the site's base URL. */
export const DEFAULT_MODEL_FOLDER = 'models/default/';

/** Its files; the model card and the files a tokenizer.json makes redundant may be missing. */
const FILES: readonly { name: string; required: boolean }[] = [
  { name: 'config.json', required: true },
  { name: 'model.safetensors', required: true },
  { name: 'tokenizer.json', required: true },
  { name: 'tokenizer_config.json', required: false },
  { name: 'vocab.txt', required: false },
  { name: 'README.md', required: false },
];

/** The files' absolute URLs under `base`, the site's base URL as the page resolves it ("https://host/app/"). */
export function defaultModelFiles(base: string): ModelFileUrl[] {
  const folder = new URL(DEFAULT_MODEL_FOLDER, base);
  return FILES.map((f) => ({ name: f.name, url: new URL(f.name, folder).href, required: f.required }));
}

export function loadDefaultModel(engine: EngineClient): void {
  engine.loadModelUrls(DEFAULT_MODEL_NAME, defaultModelFiles(new URL(import.meta.env.BASE_URL, window.location.href).href));
}
