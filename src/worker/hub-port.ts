// The engine worker's fetch for the Hub (RELIABILITY X5): the worker itself may connect to this origin only (its
// Content-Security-Policy is the page's), so its Hub requests go over a MessagePort to the Hub bridge page
// (protocol/hub-bridge.ts), which the page opens once the user asks for the Hub. Responses stream back in chunks.
import type { BridgeReply, BridgeRequest } from '../protocol/hub-bridge';

/** Statuses whose response has no body (a Response with a body and one of these cannot be made). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

interface Pending {
  resolve(response: Response): void;
  reject(err: Error): void;
  body: ReadableStreamDefaultController<Uint8Array> | null;
  settled: boolean;
}

function bridgeError(name: string, message: string): Error {
  // AbortError is a DOMException in fetch; the Hub code tells a cancelled download by its name.
  return name === 'AbortError' ? new DOMException(message, 'AbortError') : new TypeError(message);
}

/** A fetch whose requests the Hub bridge at the other end of `port` makes. */
export function portFetch(port: MessagePort): typeof fetch {
  let nextId = 1;
  const pending = new Map<number, Pending>();
  port.onmessage = (event: MessageEvent<BridgeReply>) => {
    const reply = event.data;
    const p = pending.get(reply.id);
    if (p === undefined) return;
    switch (reply.type) {
      case 'head': {
        p.settled = true;
        const empty = NULL_BODY.has(reply.status);
        const body = empty ? null : new ReadableStream<Uint8Array>({ start: (controller) => void (p.body = controller) });
        const response = new Response(body, { status: reply.status, statusText: reply.statusText, headers: reply.headers });
        Object.defineProperties(response, { url: { value: reply.url }, redirected: { value: reply.redirected } });
        if (empty) pending.delete(reply.id);
        p.resolve(response);
        break;
      }
      case 'chunk':
        p.body?.enqueue(new Uint8Array(reply.bytes));
        break;
      case 'end':
        p.body?.close();
        pending.delete(reply.id);
        break;
      case 'error': {
        const err = bridgeError(reply.name, reply.message);
        if (p.settled) p.body?.error(err);
        else p.reject(err);
        pending.delete(reply.id);
        break;
      }
      default:
        reply satisfies never;
    }
  };
  const send = (message: BridgeRequest) => port.postMessage(message);
  return async (input, init) => {
    const request = new Request(input, init);
    const body = request.method === 'GET' || request.method === 'HEAD' ? null : await request.blob();
    const id = nextId++;
    const signal = request.signal;
    if (signal.aborted) throw bridgeError('AbortError', 'The request was aborted.');
    return new Promise<Response>((resolve, reject) => {
      pending.set(id, { resolve, reject, body: null, settled: false });
      signal.addEventListener('abort', () => send({ type: 'abort', id }), { once: true });
      send({
        type: 'fetch',
        id,
        url: request.url,
        init: {
          method: request.method,
          headers: [...request.headers],
          body,
          credentials: request.credentials,
          referrerPolicy: request.referrerPolicy,
          redirect: request.redirect,
          cache: request.cache,
        },
      });
    });
  };
}
