// The worker's `loadHubModel`: downloads a model from the Hugging Face Hub (formats/hub.ts) through the browser's
// Cache API, reports throttled progress, then hands the files to the same loadModel path as a folder the user opened,
// so that a Hub model is trained and exported exactly like a local one.
import { resolveHubFiles } from '../formats/hub';
import { toErrorData } from '../lib/errors';
import { hubModelLabel, type HubNote } from '../protocol/hub';
import type { FromWorker, ToWorker } from '../protocol/messages';
import { openBrowserHubCache } from './hub-cache';

/** At most ten progress events a second; the end of each file is always reported. */
const PROGRESS_INTERVAL_MS = 100;

const NO_CACHE: HubNote = {
  level: 'warning',
  code: 'HUB_NO_CACHE',
  message: 'This browser offers no Cache API to the page here, so the download is not kept for offline use.',
};

export async function loadHubModel(
  command: Extract<ToWorker, { type: 'loadHubModel' }>,
  post: (event: FromWorker) => void,
  loadModel: (command: Extract<ToWorker, { type: 'loadModel' }>) => Promise<void>,
  fetcher?: typeof fetch,
): Promise<void> {
  const { loadId } = command;
  const source = hubModelLabel(command.id, command.revision);
  let files: File[];
  try {
    const cache = await openBrowserHubCache();
    let last = -Infinity;
    const model = await resolveHubFiles(command.id, command.revision, {
      endpoint: command.endpoint,
      fetch: fetcher,
      cache,
      onProgress: (progress) => {
        const now = performance.now();
        if (!progress.fileDone && now - last < PROGRESS_INTERVAL_MS) return;
        last = now;
        post({ type: 'hubProgressed', loadId, progress });
      },
    });
    post({
      type: 'hubDownloaded',
      loadId,
      notes: cache ? model.notes : [...model.notes, NO_CACHE],
      files: model.files.map((f) => ({ name: f.name, size: f.blob.size, fromCache: f.fromCache })),
    });
    // A File over a Blob shares its bytes: nothing is copied.
    files = model.files.map((f) => new File([f.blob], f.name));
  } catch (err) {
    post({ type: 'loadFailed', loadId, source, error: toErrorData(err) });
    return;
  }
  await loadModel({ type: 'loadModel', loadId, source, files });
}
