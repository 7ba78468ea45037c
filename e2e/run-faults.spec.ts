// Journey: faults a run meets in the browser, each injected as it happens there (RELIABILITY F2, F3, F11, F12, F14). On
// the built-in model and a tiny labelled CSV: the GPU device is destroyed mid-run (WebGPU on Chromium's SwiftShader
// adapter), the run is paused on its last checkpoint and the engine gets a new device by itself; one click resumes
// the run there, then after a second loss on WASM; the wasm heap runs out mid-run and the run resumes in smaller
// passes with one click; the site's quota is cut
// below one checkpoint and the previous one stays; the checkpoints are deleted between visits and the next visit
// says so; and a browser without OPFS sync access handles keeps its checkpoints in IndexedDB and resumes from them
// after a reload.
import { expect, test, type Page } from '@playwright/test';
import { ModelPanel } from './pages/model-panel';
import { ConfigurePanel, Studio, TrainPanel } from './pages/studio';
import { engineWorker, patchEngineWorker } from './support/engine-worker';
import { prepareReviewsRun } from './support/prepare-run';

/** 60 epochs of 9 steps, cut to 400: long enough to act on mid-run, checkpointed at every evaluation (every 4 steps). */
const SETTINGS = { Epochs: 60, 'Batch size': 4, 'Max length (tokens)': 32, 'Max steps': 400 };
const STEP = /step (\d+)\/400/;

const savedStep = async (page: Page) => Number(/Progress saved at step (\d+)/.exec((await page.getByLabel('Checkpoint status').textContent()) ?? '')?.[1]);
const statusStep = async (page: Page) => Number(STEP.exec((await new TrainPanel(page).status.textContent()) ?? '')?.[1]);

/** Reloads a page with a run in it: the browser's "Leave site?" is accepted. */
async function reload(page: Page): Promise<void> {
  const accept = (dialog: { accept(): Promise<void> }) => void dialog.accept();
  page.on('dialog', accept);
  await page.reload();
  page.off('dialog', accept);
}

test('the GPU device is lost mid-run, twice: each time the run is paused on its last checkpoint, a new device comes by itself, and one click resumes the run there, then on WASM (F2)', async ({ page }) => {
  test.setTimeout(420_000);
  const studio = new Studio(page);
  const train = new TrainPanel(page);
  await prepareReviewsRun(page, SETTINGS);
  // tfjs makes its WebGPU device when the backend starts: the test keeps a handle on each one, to destroy it mid-run.
  const worker = await engineWorker(page);
  await worker.evaluate(() => {
    const request = GPUAdapter.prototype.requestDevice;
    GPUAdapter.prototype.requestDevice = async function (this: GPUAdapter, ...args: Parameters<GPUAdapter['requestDevice']>) {
      const device = await request.apply(this, args);
      const held = self as unknown as { heldDevice: GPUDevice; devices?: number };
      held.heldDevice = device;
      held.devices = (held.devices ?? 0) + 1;
      return device;
    };
  });
  await studio.open('Model');
  await new ModelPanel(page).chooseBackend('WebGPU');
  await studio.open('Train');
  await train.start.click();

  const devices = () => worker.evaluate(() => (self as unknown as { devices: number }).devices);
  /**
   * Waits for a checkpoint after `after`, destroys the device, checks that the run is paused and that a new device
   * came without a click, and returns the step of the resume button the alert offers `where`, clicked.
   */
  const loseDevice = async (after: number, where: 'on a new GPU device' | 'on WASM') => {
    await expect.poll(() => savedStep(page), { timeout: 180_000 }).toBeGreaterThan(after);
    const k = await savedStep(page);
    const had = await devices();
    await worker.evaluate(() => (self as unknown as { heldDevice: GPUDevice }).heldDevice.destroy());
    // The run is paused at once, not failed, said on every panel, with the checkpoint taken before the loss offered.
    await expect(train.status).toHaveText(/^Paused at step \d+: The GPU device was lost \(destroyed/, { timeout: 30_000 });
    await expect(train.status).not.toHaveAttribute('aria-busy', 'true');
    await studio.open('Dataset');
    const alert = page.getByRole('alert').filter({ hasText: 'The GPU was lost' });
    await expect(alert).toContainText('GPU_DEVICE_LOST');
    // The engine asked for a new device by itself, and loaded the model again on it.
    await expect(alert.getByRole('status', { name: 'New GPU device' })).toHaveText('A new GPU device is ready: the model was loaded again on it.', { timeout: 60_000 });
    expect(await devices()).toBe(had + 1);
    await expect(studio.backendBadge).toHaveAccessibleName(/^Compute backend: WebGPU/);
    await expect(page.getByRole('region', { name: 'Unfinished run' })).toHaveCount(0);
    // Both offers, from the same checkpoint: a checkpoint taken between reading k and the loss may be it, never an earlier one.
    const offers = alert.getByRole('button', { name: /^Resume on (a new GPU device|WASM) from step \d+$/ });
    await expect(offers).toHaveCount(2);
    const resume = alert.getByRole('button', { name: new RegExp(`^Resume ${where} from step \\d+$`) });
    const from = Number(/\d+$/.exec((await resume.textContent()) ?? '')?.[0]);
    expect(from).toBeGreaterThanOrEqual(k);
    await resume.click();
    await expect(alert).toHaveCount(0, { timeout: 60_000 });
    await studio.open('Train');
    await expect.poll(() => statusStep(page), { timeout: 120_000 }).toBeGreaterThan(from);
    return from;
  };
  const first = await loseDevice(0, 'on a new GPU device');
  await expect(studio.backendBadge).toHaveAccessibleName(/^Compute backend: WebGPU/);
  await expect(page.getByRole('region', { name: 'Status' })).toContainText(/parameters train · WebGPU/);
  const second = await loseDevice(first, 'on WASM');
  expect(second).toBeGreaterThan(first);
  await expect(studio.backendBadge).toHaveAccessibleName(/^Compute backend: WASM/);
  await expect(page.getByRole('region', { name: 'Status' })).toContainText(/parameters train · WASM/);
  await train.stop.click();
  await train.waitUntilFinished();
});

test('the wasm heap runs out mid-run: the run ends with TRAIN_OUT_OF_MEMORY on its weights, and "Resume with micro-batches of N" trains on past its checkpoint (F3)', async ({ page }) => {
  test.setTimeout(240_000);
  // tfjs-wasm's exports (its malloc and free on the engine's one heap), kept from its instantiation in the worker.
  await patchEngineWorker(
    page,
    `for (const name of ['instantiate', 'instantiateStreaming']) {
      const original = WebAssembly[name];
      WebAssembly[name] = async function (...args) {
        const result = await original.apply(this, args);
        if (typeof result.instance?.exports.malloc === 'function') self.tfjsWasm = result.instance.exports;
        return result;
      };
    }`,
  );
  const studio = new Studio(page);
  const train = new TrainPanel(page);
  await prepareReviewsRun(page, SETTINGS);
  await studio.open('Configure');
  // No evaluation: what runs out of memory is a training step (its passes are under the memory guard).
  await new ConfigurePanel(page).evaluateEvery(1000);
  await studio.open('Train');
  await expect(studio.backendBadge).toHaveAccessibleName(/^Compute backend: WASM/);
  await train.start.click();
  await expect.poll(() => statusStep(page), { timeout: 60_000 }).toBeGreaterThan(2);
  // A checkpoint now, as hiding the tab asks for one.
  await page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await expect.poll(() => savedStep(page), { timeout: 30_000 }).toBeGreaterThan(0);
  const k = await savedStep(page);
  // The heap may grow no more (what the browser does at the 4 GiB of wasm32, or when it cannot map more), and the
  // room left in it is taken in blocks of 128 KiB and up: the next step's activations (256 KiB for the FFN) do not fit.
  const worker = await engineWorker(page);
  await worker.evaluate(() => {
    const w = self as unknown as { tfjsWasm: { malloc(n: number): number; free(p: number): void }; heldBlocks: number[]; restoreHeap(): void };
    const grow = WebAssembly.Memory.prototype.grow;
    WebAssembly.Memory.prototype.grow = () => {
      throw new RangeError('WebAssembly.Memory.grow(): the test refuses to grow the heap');
    };
    w.heldBlocks = [];
    for (let size = 1 << 26; size >= 1 << 17; size >>= 1) for (let p = w.tfjsWasm.malloc(size); p !== 0; p = w.tfjsWasm.malloc(size)) w.heldBlocks.push(p);
    w.restoreHeap = () => {
      for (const p of w.heldBlocks) w.tfjsWasm.free(p);
      WebAssembly.Memory.prototype.grow = grow;
    };
  });
  await expect(train.status).toHaveText(/^Failed at step \d+: Ran out of memory in step \d+, in a pass of 4 examples \(out of memory: .*the heap could not grow/, { timeout: 60_000 });
  const failedAt = Number(/^Failed at step (\d+)/.exec((await train.status.textContent()) ?? '')?.[1]);
  expect(failedAt).toBeGreaterThanOrEqual(k);
  await expect(page.getByRole('alert').filter({ hasText: 'Training failed' })).toContainText('TRAIN_OUT_OF_MEMORY');
  const offer = page.getByRole('region', { name: 'Out of memory' });
  await expect(offer).toContainText(`Its weights are those of step ${k}, saved before memory ran out.`);
  const resume = offer.getByRole('button', { name: /^Resume with micro-batches of \d+( with gradient checkpointing)?$/ });
  const micro = Number(/of (\d+)/.exec((await resume.textContent()) ?? '')?.[1]);
  expect(micro).toBeGreaterThanOrEqual(1);
  expect(micro).toBeLessThan(4);
  // The browser has memory again (another tab closed), and one click resumes the run from step k in smaller passes.
  await worker.evaluate(() => (self as unknown as { restoreHeap(): void }).restoreHeap());
  await resume.click();
  await expect(offer).toHaveCount(0);
  await expect(train.status).toHaveText(/^(Epoch \d+\/\d+|Finished · Epoch \d+\/\d+) · step \d+\/400/, { timeout: 60_000 });
  await expect.poll(() => statusStep(page), { timeout: 120_000 }).toBeGreaterThan(failedAt + 2);
  // The heap was the only fault: a run this small may train to its last step before the stop.
  if (await train.stop.isEnabled()) await train.stop.click();
  await train.waitUntilFinished();
});

test('the quota runs out: the checkpoint that does not fit is refused with the space it needs, the previous one stays (F11)', async ({ page }) => {
  test.setTimeout(240_000);
  const studio = new Studio(page);
  const train = new TrainPanel(page);
  const checkpoint = page.getByLabel('Checkpoint status');
  await prepareReviewsRun(page, SETTINGS);
  await train.start.click();
  await expect(checkpoint).toContainText(/Progress saved at step \d+/, { timeout: 60_000 });
  await expect(checkpoint).toContainText(/in OPFS, slot A$/);
  const k = await savedStep(page);
  // The browser's own quota, cut to what is used now plus 1 MB: the next checkpoint (about 22 MB) cannot fit.
  const cdp = await page.context().newCDPSession(page);
  const origin = new URL(page.url()).origin;
  const { usage } = await page.evaluate(() => navigator.storage.estimate());
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: (usage ?? 0) + 1_000_000 });
  const refused = page.getByRole('alert').filter({ hasText: 'was not stored' });
  // The next checkpoint comes after 30 s of training: on a loaded machine that is well past a minute of wall time.
  await expect(refused).toContainText(/The browser's storage is full: the checkpoint of step \d+ needs [\d.]+ MB; the browser lets this site use [\d.]+ (kB|MB) more/, { timeout: 120_000 });
  await expect(refused).toContainText('CHECKPOINT_QUOTA_EXCEEDED');
  await expect(refused).toContainText('The checkpoint in slot A is still there.');
  await expect(refused.getByRole('button', { name: 'Download checkpoint now' })).toBeVisible();
  await expect(checkpoint).toContainText(`Progress saved at step ${k}:`);
  // After a reload the run is offered from the checkpoint that fitted.
  await reload(page);
  await new ModelPanel(page).waitForDefaultModel();
  await studio.open('Train');
  await expect(page.getByRole('region', { name: 'Unfinished run' }).getByRole('button', { name: new RegExp(`^Resume run reviews\\.csv on .+ from step ${k} of 400$`) })).toBeVisible();
  await cdp.send('Storage.overrideQuotaForOrigin', { origin });
});

test('checkpoints removed between visits: the next visit says the run can no longer be resumed, once (F12)', async ({ page }) => {
  test.setTimeout(240_000);
  const studio = new Studio(page);
  const train = new TrainPanel(page);
  await prepareReviewsRun(page, SETTINGS);
  await train.start.click();
  await expect(page.getByLabel('Checkpoint status')).toContainText(/Progress saved at step \d+/, { timeout: 60_000 });
  await train.pause.click();
  await expect(train.status).toHaveText(/^Paused/);
  const k = await savedStep(page);
  // What an eviction leaves: the site's private files gone (the run history in IndexedDB stays).
  await page.evaluate(async () => (await navigator.storage.getDirectory()).removeEntry('layerwise-checkpoints', { recursive: true }));
  await reload(page);
  await new ModelPanel(page).waitForDefaultModel();
  const gone = page.getByRole('alert', { name: 'Checkpoint no longer available' });
  await expect(gone).toContainText(`The run reviews.csv on Layerwise default (BERT 4×128, pretrained here) was saved at step ${k} on`);
  await expect(gone).toContainText('CHECKPOINT_EVICTED');
  await studio.open('Train');
  await expect(page.getByRole('region', { name: 'Unfinished run' })).toHaveCount(0);
  // Dismissed, it is forgotten: the next visit has nothing to say.
  await gone.getByRole('button', { name: 'Dismiss' }).click();
  await expect(gone).toHaveCount(0);
  expect(await page.evaluate(() => localStorage.getItem('layerwise.checkpointedRun'))).toBeNull();
});

test('without OPFS sync access handles the checkpoints go to IndexedDB, and a reload resumes from them (F14)', async ({ page }) => {
  test.setTimeout(240_000);
  // The engine worker starts from a one-line blob module (ui/engine-client.ts): the API is taken away before it runs.
  await page.addInitScript(() => {
    const NativeBlob = Blob;
    globalThis.Blob = class extends NativeBlob {
      constructor(parts?: BlobPart[], options?: BlobPropertyBag) {
        const only = parts?.length === 1 && typeof parts[0] === 'string' ? parts[0] : null;
        super(only !== null && only.startsWith('import ') ? ['delete FileSystemFileHandle.prototype.createSyncAccessHandle;\n', only] : parts, options);
      }
    };
  });
  const studio = new Studio(page);
  const train = new TrainPanel(page);
  const checkpoint = page.getByLabel('Checkpoint status');
  await prepareReviewsRun(page, { Epochs: 3, 'Batch size': 4, 'Max length (tokens)': 32, 'Max steps': 20 });
  const worker = await engineWorker(page);
  expect(await worker.evaluate(() => 'createSyncAccessHandle' in FileSystemFileHandle.prototype)).toBe(false);
  await train.start.click();
  await expect(checkpoint).toContainText(/Progress saved at step \d+/, { timeout: 60_000 });
  await expect(checkpoint).toContainText(/in IndexedDB, slot A$/);
  await train.pause.click();
  await expect(train.status).toHaveText(/^Paused/);
  const k = await savedStep(page);
  // Nothing went to OPFS; the slots are in the checkpoint database.
  const opfs = await page.evaluate(async () => {
    const names: string[] = [];
    for await (const name of (await navigator.storage.getDirectory()).keys()) names.push(name);
    return names;
  });
  expect(opfs).toEqual([]);
  expect(await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name))).toContain('layerwise-checkpoints');
  await reload(page);
  await new ModelPanel(page).waitForDefaultModel();
  await studio.open('Train');
  const offer = page.getByRole('region', { name: 'Unfinished run' });
  await expect(offer).toContainText(/Stored in IndexedDB, slot [AB]/);
  await offer.getByRole('button', { name: new RegExp(`^Resume run reviews\\.csv on .+ from step ${k} of 20$`) }).click();
  await train.waitUntilFinished();
  await expect(train.status).toHaveText(/^Finished · Epoch 3\/3 · step 20\/20/);
});
