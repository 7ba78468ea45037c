// A stand-in for the engine worker in UI tests: records what the client sends, and plays back worker events
// (messages) and crashes (error events) to the client's listeners.
import type { FromWorker, ToWorker } from '../../src/protocol/messages';
import type { WorkerLike } from '../../src/ui/engine-client';

export class FakeWorker implements WorkerLike {
  sent: ToWorker[] = [];
  terminated = false;
  private listeners = new Map<string, ((event: never) => void)[]>();
  postMessage(message: ToWorker) {
    this.sent.push(message);
  }
  terminate() {
    this.terminated = true;
  }
  addEventListener(type: string, listener: (event: never) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  emit(event: FromWorker) {
    for (const l of this.listeners.get('message') ?? []) l({ data: event } as never);
  }
  fail(message: string) {
    for (const l of this.listeners.get('error') ?? []) l({ message } as never);
  }
}
