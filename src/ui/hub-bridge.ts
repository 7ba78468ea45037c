// The Hub bridge page's script (hub-bridge.html; protocol/hub-bridge.ts says why it exists). The page that framed it
// — this origin's studio only — hands it a MessagePort to the engine worker; it makes the worker's requests with its
// own fetch, which its Content-Security-Policy lets reach the Hub hosts, and streams each response back.
import { HUB_BRIDGE_CONNECT, HUB_BRIDGE_READY, type BridgeReply, type BridgeRequest } from '../protocol/hub-bridge';

/** Answers the worker's requests on `port` with `doFetch` (the bridge page's fetch). */
export function serveHubBridge(port: MessagePort, doFetch: typeof fetch = fetch): void {
  const inFlight = new Map<number, AbortController>();
  const reply = (message: BridgeReply, transfer: Transferable[] = []) => port.postMessage(message, transfer);
  port.onmessage = async (event: MessageEvent<BridgeRequest>) => {
    const request = event.data;
    if (request.type === 'abort') {
      inFlight.get(request.id)?.abort();
      return;
    }
    const { id, url, init } = request;
    const controller = new AbortController();
    inFlight.set(id, controller);
    try {
      const response = await doFetch(url, { ...init, signal: controller.signal });
      reply({ type: 'head', id, status: response.status, statusText: response.statusText, headers: [...response.headers], url: response.url, redirected: response.redirected });
      const reader = response.body?.getReader();
      for (;;) {
        const chunk = reader ? await reader.read() : { done: true as const, value: undefined };
        if (chunk.done) break;
        const bytes = chunk.value.byteOffset === 0 && chunk.value.byteLength === chunk.value.buffer.byteLength ? chunk.value.buffer : chunk.value.slice().buffer;
        reply({ type: 'chunk', id, bytes: bytes as ArrayBuffer }, [bytes as ArrayBuffer]);
      }
      reply({ type: 'end', id });
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      reply({ type: 'error', id, name: e.name, message: e.message });
    } finally {
      inFlight.delete(id);
    }
  };
}

/** The page's wiring: ports from the studio that framed it (this origin only), and a word that it is listening. */
export function startHubBridge(): void {
  window.addEventListener('message', (event: MessageEvent<{ type?: unknown }>) => {
    if (event.origin !== location.origin || event.source !== window.parent || event.data?.type !== HUB_BRIDGE_CONNECT || event.ports.length !== 1) return;
    serveHubBridge(event.ports[0]);
  });
  window.parent.postMessage({ type: HUB_BRIDGE_READY }, location.origin);
}
