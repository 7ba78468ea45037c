// The Hub bridge (RELIABILITY X5): the studio's page and engine worker may connect to this origin only; once the user
// asks for the Hub (Load from the Hub, Push), the page opens hub-bridge.html in a hidden frame — a page of this site
// whose own Content-Security-Policy also allows the Hub hosts — and hands the engine worker a MessagePort to it. The
// worker's Hub requests (worker/hub-port.ts) travel over that port and the bridge (ui/hub-bridge.ts) makes them.
// Plain data: what crosses the port.

/** The bridge page tells its parent it is listening, and the parent hands it a port with this message. */
export const HUB_BRIDGE_READY = 'layerwise-hub-bridge-ready';
export const HUB_BRIDGE_CONNECT = 'layerwise-hub-bridge-connect';

/** A request as the bridge makes it: the fetch options the Hub code uses, the body read into a Blob. */
export interface BridgeRequestInit {
  method: string;
  headers: [string, string][];
  body: Blob | null;
  credentials: RequestCredentials;
  referrerPolicy: ReferrerPolicy;
  redirect: RequestRedirect;
  cache: RequestCache;
}

/** Worker → bridge. */
export type BridgeRequest = { type: 'fetch'; id: number; url: string; init: BridgeRequestInit } | { type: 'abort'; id: number };

/** Bridge → worker: the response's head, then its body in chunks, then its end or why it failed. */
export type BridgeReply =
  | { type: 'head'; id: number; status: number; statusText: string; headers: [string, string][]; url: string; redirected: boolean }
  | { type: 'chunk'; id: number; bytes: ArrayBuffer }
  | { type: 'end'; id: number }
  | { type: 'error'; id: number; name: string; message: string };
