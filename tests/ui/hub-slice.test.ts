// A Hub load through the engine client and the hub slice, against a fake worker: the command sent only on
// request, after the port to the Hub bridge (handed over once per worker, never before the user asks), progress kept for its load, the loading card's counts filled in once the files are here, and a
// failed or crashed download no longer shown as in flight (src/ui/store/hub-slice.ts, RELIABILITY R3).
import { describe, expect, it, vi } from 'vitest';
import type { FromWorker, ToWorker } from '../../src/protocol/messages';
import type { HubProgress } from '../../src/protocol/hub';
import { createEngineClient, type WorkerLike } from '../../src/ui/engine-client';
import { createAppStore } from '../../src/ui/store/app-store';
import { activeHubDownload } from '../../src/ui/store/hub-slice';

function fakeWorker() {
  const sent: ToWorker[] = [];
  const listeners: Record<string, ((event: never) => void)[]> = {};
  const worker: WorkerLike = {
    postMessage: (m) => void sent.push(m),
    terminate: () => {},
    addEventListener: (type: string, l: (event: never) => void) => void (listeners[type] ??= []).push(l),
  };
  const emit = (event: FromWorker) => listeners.message?.forEach((l) => l({ data: event } as never));
  const crash = () => listeners.error?.forEach((l) => l({ message: 'gone' } as never));
  return { worker, sent, emit, crash };
}

const progress = (loaded: number): HubProgress => ({
  file: 'model.safetensors',
  fileLoaded: loaded,
  fileTotal: 100,
  fileDone: false,
  fromCache: false,
  loaded,
  total: 120,
  filesDone: 1,
  filesTotal: 2,
});

describe('hub slice', () => {
  it('follows one download from the command to the loading card', () => {
    vi.useFakeTimers();
    const store = createAppStore();
    const fake = fakeWorker();
    const bridged: MessagePort[] = [];
    const engine = createEngineClient(store, () => fake.worker, undefined, (port) => bridged.push(port));
    expect(fake.sent).toEqual([]);
    expect(bridged).toEqual([]);

    engine.loadHubModel({ id: 'tiny/bert', revision: 'main', endpoint: 'https://huggingface.co' });
    const [connect, command] = fake.sent;
    // The worker gets one end of a channel, the bridge the other, before the Hub command.
    expect(connect).toEqual({ type: 'connectHub', port: expect.any(MessagePort) });
    expect(bridged).toHaveLength(1);
    expect(bridged[0]).not.toBe((connect as { port: MessagePort }).port);
    expect(command).toEqual({ type: 'loadHubModel', loadId: expect.any(Number), id: 'tiny/bert', revision: 'main', endpoint: 'https://huggingface.co' });
    const loadId = (command as { loadId: number }).loadId;
    expect(store.getState().model.pending).toMatchObject({ loadId, source: 'tiny/bert@main', fileCount: 0 });
    expect(activeHubDownload(store.getState())).toMatchObject({ loadId, progress: null });

    fake.emit({ type: 'hubProgressed', loadId, progress: progress(40) });
    fake.emit({ type: 'hubProgressed', loadId: loadId + 99, progress: progress(99) });
    expect(activeHubDownload(store.getState())?.progress?.loaded).toBe(40);

    const notes = [{ level: 'warning' as const, code: 'HUB_SERVED_FROM_CACHE', message: 'offline' }];
    fake.emit({ type: 'hubDownloaded', loadId, notes, files: [{ name: 'config.json', size: 20, fromCache: true }, { name: 'model.safetensors', size: 100, fromCache: true }] });
    expect(activeHubDownload(store.getState())).toBeNull();
    expect(store.getState().model.pending).toMatchObject({ loadId, fileCount: 2, bytes: 120 });
    expect(store.getState().hub.download?.notes).toEqual(notes);
    // A second Hub request on the same worker needs no new port.
    engine.loadHubModel({ id: 'tiny/bert', revision: 'main', endpoint: 'https://huggingface.co' });
    expect(fake.sent.map((m) => m.type)).toEqual(['connectHub', 'loadHubModel', 'loadHubModel']);
    expect(bridged).toHaveLength(1);
    bridged[0].close();
    engine.dispose();
    vi.useRealTimers();
  });

  it('a failed or crashed download is no longer in flight', () => {
    vi.useFakeTimers();
    const store = createAppStore();
    const fake = fakeWorker();
    const engine = createEngineClient(store, () => fake.worker, undefined, (port) => port.close());
    engine.loadHubModel({ id: 'tiny/bert', revision: 'main', endpoint: 'https://huggingface.co' });
    const loadId = (fake.sent[1] as { loadId: number }).loadId;
    fake.emit({ type: 'loadFailed', loadId, source: 'tiny/bert@main', error: { code: 'HUB_OFFLINE', message: 'offline' } });
    expect(activeHubDownload(store.getState())).toBeNull();
    expect(store.getState().model.error?.error.code).toBe('HUB_OFFLINE');

    engine.loadHubModel({ id: 'tiny/bert', revision: 'main', endpoint: 'https://huggingface.co' });
    expect(activeHubDownload(store.getState())).not.toBeNull();
    fake.crash();
    expect(activeHubDownload(store.getState())).toBeNull();
    engine.dispose();
    vi.useRealTimers();
  });
});
