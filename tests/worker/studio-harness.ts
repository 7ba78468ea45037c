// The studio as the worker tests build it (src/worker/studio.ts with a fake post, on tfjs's Node backends, a
// RunKeeper over a memory store or none): one harness, so that each test file says only what its studio does
// differently (its backends, its storage, its command queue, the host's extras).
import { useNodeBackend } from '../../src/cli/node-backend';
import type { FromWorker } from '../../src/protocol/messages';
import type { SlotStorage } from '../../src/worker/checkpoint-slots';
import { RunKeeper } from '../../src/worker/run-keeper';
import { Studio, type StudioHost } from '../../src/worker/studio';

type Post = (event: FromWorker) => void;
type Event<T extends FromWorker['type']> = Extract<FromWorker, { type: T }>;

export interface HarnessOptions extends Partial<Omit<StudioHost, 'keeper'>> {
  /** Where the RunKeeper keeps checkpoints (a MemoryStorage); none: nothing is kept. */
  storage?: SlotStorage | null;
}

/** The host: activate starts the backend named, checkpoints kept in `storage`, each command run as it comes. */
export function studioHost(post: Post, { storage = null, ...host }: HarnessOptions = {}): StudioHost {
  return {
    activate: async (name) => {
      await useNodeBackend(name);
      return 1;
    },
    keeper: new RunKeeper(post, async () => (storage ? { storage, kind: 'indexeddb', reason: 'memory' } : { storage: null, kind: 'none', reason: 'not kept' })),
    origin: 'http://localhost',
    enqueue: (work) => work(),
    ...host,
  };
}

/** An enqueue that runs each work after the one before it has settled, as the worker's command queue does. */
export function inOrder(): StudioHost['enqueue'] {
  let queue: Promise<unknown> = Promise.resolve();
  return (work) => {
    const done = queue.then(work);
    queue = done.catch(() => undefined);
    return done;
  };
}

/**
 * A studio whose fake post records every event: `of` lists those of a type, `next` waits for one (that `also`
 * accepts), `ended` for the end of a run (of `runId`, if given).
 */
export function recordedStudio(options: HarnessOptions = {}) {
  const events: FromWorker[] = [];
  const waiting: { test: (e: FromWorker) => boolean; resolve: (e: FromWorker) => void }[] = [];
  const post = (event: FromWorker) => {
    events.push(event);
    for (const w of waiting.filter((w) => w.test(event))) {
      waiting.splice(waiting.indexOf(w), 1);
      w.resolve(event);
    }
  };
  const s = new Studio(post, studioHost(post, options));
  const of = <T extends FromWorker['type']>(type: T) => events.filter((e): e is Event<T> => e.type === type);
  const next = <T extends FromWorker['type']>(type: T, also: (e: Event<T>) => boolean = () => true) =>
    new Promise<Event<T>>((resolve) => {
      const test = (e: FromWorker) => e.type === type && also(e as Event<T>);
      const found = events.find(test);
      if (found) resolve(found as Event<T>);
      else waiting.push({ test, resolve: (e) => resolve(e as Event<T>) });
    });
  const ended = async (runId?: string) => {
    for (;;) {
      const end = events.find((e): e is Event<'trainingFinished' | 'trainingFailed'> => (e.type === 'trainingFinished' || e.type === 'trainingFailed') && (runId === undefined || e.runId === runId));
      if (end) return end;
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { s, events, of, next, ended };
}
