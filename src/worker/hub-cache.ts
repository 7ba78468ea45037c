// The studio's Hub cache: the browser's Cache API (`caches.open('layerwise-hub-v1')`), one entry per file keyed by
// its resolve URL (which holds the revision), the ETag kept as a header of the stored response, and each revision's
// manifest (the files of its last complete download) under the revision's resolve folder with a marker query.
import type { HubCache } from '../formats/hub';
import type { HubRef } from '../formats/hub-ids';

export const HUB_CACHE_NAME = 'layerwise-hub-v1';
const ETAG_HEADER = 'x-layerwise-etag';

const manifestUrl = (ref: HubRef) => `${ref.endpoint}/${ref.id}/resolve/${encodeURIComponent(ref.revision)}/?layerwise-manifest`;

/** The Cache API as a HubCache; null where the browser offers none (an insecure context, storage disabled). */
export async function openBrowserHubCache(): Promise<HubCache | null> {
  if (typeof caches === 'undefined') return null;
  let cache: Cache;
  try {
    cache = await caches.open(HUB_CACHE_NAME);
  } catch {
    return null;
  }
  return {
    async get(key) {
      const hit = await cache.match(key.url);
      return hit ? { blob: await hit.blob(), etag: hit.headers.get(ETAG_HEADER) } : null;
    },
    async put(key, blob, etag) {
      await cache.delete(manifestUrl(key));
      await cache.put(key.url, new Response(blob, { headers: etag === null ? {} : { [ETAG_HEADER]: etag } }));
    },
    async getManifest(ref) {
      const hit = await cache.match(manifestUrl(ref));
      const files: unknown = hit ? await hit.json().catch(() => null) : null;
      return Array.isArray(files) && files.every((f) => typeof f === 'string') ? files : null;
    },
    async putManifest(ref, files) {
      await cache.put(manifestUrl(ref), new Response(JSON.stringify(files), { headers: { 'Content-Type': 'application/json' } }));
    },
  };
}
