// Store slice: the Hub form's endpoint, and the Hub download in flight (bytes so far), then its notes (served from
// the cache while offline, not cached). The load that follows a download is the model slice's pending load, as for
// a folder: it also carries a crash or a failure, so a download is "in flight" only while that load is pending.
// Its events: hubProgressed and hubDownloaded (whose file counts the model slice gives the pending load).
import type { StateCreator } from 'zustand/vanilla';
import { DEFAULT_HUB_ENDPOINT, type HubNote, type HubProgress } from '../../protocol/hub';
import type { AppState } from './app-store';
import type { SliceEvents } from './worker-events';

export interface HubDownload {
  loadId: number;
  /** "id@revision", as the model slice's pending load and the summary name it. */
  source: string;
  /** The latest progress report; null before the first one. */
  progress: HubProgress | null;
  /** Every file is here; the engine is loading them. */
  downloaded: boolean;
  notes: HubNote[];
}

export interface HubSlice {
  hub: { endpoint: string; download: HubDownload | null };
  hubEndpointChanged(endpoint: string): void;
  hubLoadStarted(loadId: number, source: string): void;
}

/** The Hub download whose bytes are still arriving, if any. */
export function activeHubDownload(s: AppState): HubDownload | null {
  const d = s.hub.download;
  return d !== null && !d.downloaded && s.model.pending?.loadId === d.loadId ? d : null;
}

/** The download's fields changed by p, for an event of the download in hand. */
const forLoad = (s: AppState, loadId: number, p: Partial<HubDownload>) =>
  s.hub.download?.loadId === loadId ? { hub: { ...s.hub, download: { ...s.hub.download, ...p } } } : {};

export const hubEvents = {
  hubProgressed: (s, { loadId, progress }) => forLoad(s, loadId, { progress }),
  hubDownloaded: (s, { loadId, notes }) => forLoad(s, loadId, { downloaded: true, notes }),
} satisfies SliceEvents;

export const createHubSlice: StateCreator<AppState, [], [], HubSlice> = (set) => ({
  hub: { endpoint: DEFAULT_HUB_ENDPOINT, download: null },
  hubEndpointChanged: (endpoint) => set((s) => ({ hub: { ...s.hub, endpoint } })),
  hubLoadStarted: (loadId, source) => set((s) => ({ hub: { ...s.hub, download: { loadId, source, progress: null, downloaded: false, notes: [] } } })),
});
