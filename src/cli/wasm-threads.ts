// Multi-threaded tfjs-wasm under Node. tfjs turns threads off in Node (WASM_HAS_MULTITHREAD_SUPPORT is false there,
// tfjs issue #3830) because Emscripten's pthread worker is started from a Blob URL, which Node's worker_threads
// cannot load, and the worker then loads the module's JavaScript from another Blob. Both are bridged here: the
// worker script goes to a file, and it reads the module's Blob asynchronously. tfjs also caps XNNPACK's pool at
// half the logical cores (backend.cc), which on a 2-vCPU machine is one thread; while the backend starts, the core
// count it sees is raised so that the requested count stands.
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** The worker's branch that loads the module's JavaScript synchronously from a Blob URL (Emscripten 3.1, tfjs 4.22). */
const BLOB_LOAD =
  'if(typeof e.data.urlOrBlob=="string"){importScripts(e.data.urlOrBlob)}else{var objectUrl=URL.createObjectURL(e.data.urlOrBlob);' +
  'importScripts(objectUrl);URL.revokeObjectURL(objectUrl)}WasmBackendModuleThreadedSimd(Module)';

/**
 * Its replacement: the Blob holds tfjs's bundled factory, which refers to the bundle's module-level names
 * (rollup's require$$N and commonjsGlobal); they are given as globals before the factory is evaluated.
 */
const FILE_LOAD =
  'Object.assign(global,{require$$0:require("fs"),require$$1:require("path"),require$$3:require("perf_hooks"),' +
  'require$$4:require("os"),commonjsGlobal:globalThis});' +
  'e.data.urlOrBlob.text().then(code=>{(0,eval)(code);WasmBackendModuleThreadedSimd(Module)})';

let workerFile: string | null | undefined;

/** The pthread worker as a file Node can start, or null where this tfjs's worker is not the one patched here. */
function pthreadWorkerFile(): string | null {
  if (workerFile !== undefined) return workerFile;
  const { wasmWorkerContents } = require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js') as {
    wasmWorkerContents: string;
  };
  if (!wasmWorkerContents.includes(BLOB_LOAD)) return (workerFile = null);
  // The template literal holds "\n" escapes that arrive as newlines inside string literals (tfjs escapes them too).
  const source = wasmWorkerContents.replace(BLOB_LOAD, () => FILE_LOAD).replace(/\n/g, '\\n');
  const file = join(mkdtempSync(join(os.tmpdir(), 'layerwise-wasm-')), 'pthread-worker.cjs');
  writeFileSync(file, source);
  // The threads load it as the backend starts; the folder goes with the process (every run left one behind).
  process.once('exit', () => rmSync(dirname(file), { recursive: true, force: true }));
  return (workerFile = file);
}

/**
 * Runs `start` (which starts the wasm backend) so that XNNPACK gets `threads` threads. Where threads cannot be set
 * up (a tfjs whose worker differs from the one patched here) tfjs's single-threaded default stays; bench lines
 * report the count tfjs ended up with.
 */
export async function withWasmThreads(threads: number, start: () => Promise<void>): Promise<void> {
  const file = threads > 1 ? pthreadWorkerFile() : null;
  if (file === null) return start();
  const tf = await import('@tensorflow/tfjs-core');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  wasm.setThreadsCount(threads);
  const { createObjectURL } = URL;
  const { cpus } = os;
  URL.createObjectURL = (blob: Blob) => (blob.type === 'application/javascript' ? file : createObjectURL(blob));
  os.cpus = () => {
    const real = cpus();
    return Array.from({ length: Math.max(real.length, 2 * threads) }, (_, i) => real[i % real.length]);
  };
  try {
    await start();
  } finally {
    URL.createObjectURL = createObjectURL;
    os.cpus = cpus;
  }
  unrefPthreadWorkers(tf.backend());
}

interface EmscriptenPThread {
  unusedWorkers: { unref(): void }[];
  runningWorkers: { unref(): void }[];
}

/** Emscripten's pool of pthread workers would keep Node running after the command has finished. */
function unrefPthreadWorkers(backend: unknown): void {
  const pthread = (backend as { wasm?: { PThread?: EmscriptenPThread } }).wasm?.PThread;
  for (const worker of [...(pthread?.unusedWorkers ?? []), ...(pthread?.runningWorkers ?? [])]) worker.unref();
}
