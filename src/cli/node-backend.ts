// Node host of engine/backend: what a tfjs backend needs under Node that a browser gives for free. The engine's
// useBackend() does the rest. WebGPU comes from the `webgpu` package (Dawn), on SwiftShader where there is no GPU.
import { existsSync } from 'node:fs';
import { register } from 'node:module';
import { availableParallelism, constants } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { useBackend, type BackendName } from '../engine/backend/backend';
import { startWasmThreads } from '../engine/backend/kernels/wasm-pool';
import { LayerwiseError } from '../lib/errors';
import { withWasmThreads } from './wasm-threads';

/** Chromium's bundled Vulkan loader and SwiftShader driver (Debian's chromium package). */
const CHROMIUM_DIR = '/usr/lib/chromium';
const SWIFTSHADER_ICD = `${CHROMIUM_DIR}/vk_swiftshader_icd.json`;
/** Where the system's Vulkan loader and driver manifests live on Debian/Ubuntu (x86-64 and arm64). */
const SYSTEM_VULKAN_LOADERS = ['/usr/lib/x86_64-linux-gnu/libvulkan.so.1', '/usr/lib/aarch64-linux-gnu/libvulkan.so.1', '/usr/lib64/libvulkan.so.1'];
const SYSTEM_ICD_DIRS = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d'];
/** glibc's RTLD_NODELETE, which os.constants.dlopen does not list. */
const RTLD_NODELETE = 0x1000;

/**
 * tfjs-core's gradient registry is only published as ES modules with extensionless relative imports
 * (`./gradients/Abs_grad`), which bundlers accept and Node's ESM loader refuses. This resolve hook retries such an
 * import with `.js`, for files inside @tensorflow packages only.
 */
const TFJS_RESOLVE_HOOK = `
export async function resolve(specifier, context, next) {
  if (specifier.startsWith('.') && !/\\.[cm]?js$/.test(specifier) &&
      /\\/node_modules\\/@tensorflow\\/[^/]+\\/dist\\//.test(context.parentURL ?? '')) {
    try { return await next(specifier + '.js', context); } catch { /* a directory or a missing file: as written */ }
  }
  return next(specifier, context);
}`;

let hookRegistered = false;

/**
 * Makes `name` the tfjs backend of this Node process. WASM runs XNNPACK on `threads` threads (default: every core
 * this process may use; a training step keeps them all busy, as PyTorch's default does).
 */
export async function useNodeBackend(name: BackendName, threads = availableParallelism()): Promise<void> {
  if (!hookRegistered) {
    register(`data:text/javascript,${encodeURIComponent(TFJS_RESOLVE_HOOK)}`);
    hookRegistered = true;
    // tfjs-backend-cpu greets Node users with a banner suggesting tfjs-node (on stderr, before any output of ours);
    // PROD silences tfjs's warnings, which this process reports through its own coded messages instead.
    (await import('@tensorflow/tfjs-core')).env().set('PROD', true);
  }
  if (name === 'webgpu') await provideNavigatorGpu(await import('webgpu'));
  if (name === 'wasm') {
    // Relaxed SIMD gives the wasm matrix product a fused multiply-add (kernels/wasm-gemm.ts); Node 22's V8 has it on,
    // Node 20's behind this flag, which takes effect for modules compiled after it is set.
    if (Number(process.versions.node.split('.')[0]) < 22) setFlagsFromString('--experimental-wasm-relaxed-simd');
    await withWasmThreads(threads, () => useBackend(name));
    // The engine's own wasm kernels (kernels/wasm-pool.ts) run on as many threads as XNNPACK; unref'd workers do not
    // keep a finished command alive.
    await startWasmThreads(threads, (source) => {
      const worker = new Worker(source, { eval: true });
      worker.unref();
      return worker;
    });
  }
  else await useBackend(name);
}

/**
 * Gives this process a `navigator.gpu` from Dawn, before tfjs-backend-webgpu is imported (it registers itself only
 * when navigator.gpu exists). Where the machine has no Vulkan loader or driver of its own, Chromium's copies are
 * used: its libvulkan (preloaded, so that Dawn's dlopen finds it by name) and its SwiftShader driver.
 */
async function provideNavigatorGpu(dawn: typeof import('webgpu')): Promise<void> {
  const nav = (globalThis as { navigator?: { gpu?: unknown } }).navigator;
  if (nav?.gpu) return;
  if (process.platform === 'linux') {
    if (!SYSTEM_VULKAN_LOADERS.some(existsSync) && existsSync(`${CHROMIUM_DIR}/libvulkan.so.1`)) {
      try {
        const flags = constants.dlopen.RTLD_NOW | constants.dlopen.RTLD_GLOBAL | RTLD_NODELETE;
        process.dlopen({ exports: {} }, `${CHROMIUM_DIR}/libvulkan.so.1`, flags);
      } catch {
        // Expected: it is a plain library, not a Node addon. RTLD_NODELETE keeps it loaded all the same.
      }
    }
    const driverChosen = process.env.VK_ICD_FILENAMES !== undefined || process.env.VK_DRIVER_FILES !== undefined;
    if (!driverChosen && !SYSTEM_ICD_DIRS.some(existsSync) && existsSync(SWIFTSHADER_ICD)) {
      process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
    }
  }
  Object.assign(globalThis, dawn.globals);
  const gpu = dawn.create([]);
  if ((await gpu.requestAdapter()) === null) {
    throw new LayerwiseError(
      'BACKEND_UNAVAILABLE',
      'The webgpu backend is not available here: Dawn found no WebGPU adapter (no Vulkan driver; VK_ICD_FILENAMES can name one).',
    );
  }
  if (nav) Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
}
