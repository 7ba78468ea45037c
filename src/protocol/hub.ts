// A model downloaded from the Hugging Face Hub: the plain data that crosses the worker boundary (progress, notes)
// and the defaults the UI and the CLI share. The download itself is formats/hub.ts.

/** Where models come from unless the user names a mirror (huggingface_hub's HF_ENDPOINT default). */
export const DEFAULT_HUB_ENDPOINT = 'https://huggingface.co';
export const DEFAULT_HUB_REVISION = 'main';

/** Bytes received so far, for one file and for the whole model. */
export interface HubProgress {
  /** The file this report is about, e.g. model.safetensors. */
  file: string;
  /** Bytes of that file received (or read from the cache) so far. */
  fileLoaded: number;
  /** Its size: Content-Length, or the cached size; null when the server sent no length. */
  fileTotal: number | null;
  /** That file is complete. */
  fileDone: boolean;
  /** It came from the cache rather than the network. */
  fromCache: boolean;
  /** Bytes of all files so far. */
  loaded: number;
  /** Sum of the sizes of the files known so far; null while one of them has no known length. */
  total: number | null;
  filesDone: number;
  /** Files known to be needed so far; it grows when a shard index names its shards. */
  filesTotal: number;
}

/** Something the user should know about a Hub download (served from the cache while offline, not cached). */
export interface HubNote {
  level: 'info' | 'warning';
  /** Stable UPPER_SNAKE code, e.g. HUB_SERVED_FROM_CACHE. */
  code: string;
  message: string;
}

/** "owner/name@revision": how a Hub model is named in summaries and errors. */
export function hubModelLabel(id: string, revision: string): string {
  return `${id}@${revision}`;
}
