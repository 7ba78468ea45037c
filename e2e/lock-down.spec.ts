// Journey: the built site holds its lock-down wherever it is served (RELIABILITY X4-X6). Served as dist/ with its
// _headers (what the other specs run against), it is cross-origin isolated; served by a host that sends no headers
// at all, its <meta> policy still keeps the page and the engine worker from reaching another origin, WASM runs on
// one thread with a notice, and the studio works. The Hub hosts are reachable only from the bridge page the studio
// opens once the user asks for the Hub; the dev server carries the same policy.
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { createServer } from 'vite';
import { HubForm } from './pages/hub-form';
import { ModelPanel } from './pages/model-panel';
import { engineWorker } from './support/engine-worker';
import { folderFiles, startFakeHub } from './support/hub-server';
import { guardOrigin } from './support/origin-guard';
import { openServer, withoutHeaders } from './support/site-server';
import { BERT_SEQ_CLS, REPO_ROOT } from './support/checkpoints';

const tryFetch = (url: string) =>
  fetch(url).then(
    (r) => `reached ${r.status}`,
    (e: Error) => `blocked: ${e.message}`,
  );

function policyOf(page: Page): Promise<string> {
  return page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content').then((c) => c ?? '');
}

test('on a host that sends no headers, the page and the engine are held to the <meta> policy, and WASM runs on one thread', async ({ page, baseURL }) => {
  const plain = await withoutHeaders(baseURL!);
  const other = await openServer();
  try {
    const origin = guardOrigin(page, plain.url);
    const response = await page.goto(plain.url);
    const headers = response!.headers();
    expect(headers['content-security-policy']).toBeUndefined();
    expect(headers['cross-origin-opener-policy']).toBeUndefined();
    const model = new ModelPanel(page);
    await model.waitForDefaultModel();
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
    await model.backendBadge.click();
    const menu = page.getByRole('dialog', { name: 'Compute backend' });
    await expect(menu).toContainText('The page is not cross-origin isolated (COOP/COEP headers missing), so WASM runs on one thread.');
    await expect(menu).toContainText('Cross-origin isolatedno (WASM on one thread)');
    await page.keyboard.press('Escape');
    // The model still computes.
    await model.predict('The weather today is [MASK].');
    await expect(model.summary.getByRole('list', { name: /^Predictions for the mask at token/ })).toBeVisible();

    // Another origin that answers anyone is out of reach, from the page and from the engine worker alike.
    expect(await page.evaluate(tryFetch, `${other.url}/from-page`)).toMatch(/^blocked/);
    const worker = await engineWorker(page);
    expect(await worker.evaluate(tryFetch, `${other.url}/from-worker`)).toMatch(/^blocked/);
    expect(other.requests).toEqual([]);
    await expect.poll(() => origin.cspViolations.length).toBeGreaterThanOrEqual(2);
    expect(origin.foreignRequests).toEqual([]);
  } finally {
    await other.close();
    await plain.close();
  }
});

test('served with its _headers, the site is cross-origin isolated, and only the Hub bridge opened on request reaches the Hub', async ({ page }) => {
  const hub = await startFakeHub([{ id: 'tiny/bert-seq-cls', revisions: { main: folderFiles(BERT_SEQ_CLS) } }]);
  try {
    const response = await page.goto('/');
    expect(response!.headers()).toMatchObject({
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
      'cross-origin-resource-policy': 'same-origin',
      'content-security-policy': "frame-ancestors 'self'",
    });
    const model = new ModelPanel(page);
    await model.waitForDefaultModel();
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    const studioPolicy = await policyOf(page);
    expect(studioPolicy).toContain("connect-src 'self' blob: data:;");
    expect(studioPolicy).not.toContain('huggingface.co');
    expect(studioPolicy).not.toContain("'unsafe-eval'");

    // Before the user asks for the Hub there is no bridge, and the engine cannot reach the Hub itself.
    expect(page.frames()).toHaveLength(1);
    const worker = await engineWorker(page);
    expect(await worker.evaluate(tryFetch, `${hub.url}/api/models/tiny/bert-seq-cls`)).toMatch(/^blocked/);
    expect(hub.requests).toEqual([]);

    await new HubForm(page).loadModel('tiny/bert-seq-cls', hub.url);
    await expect(model.overviewTitle()).toHaveText('tiny/bert-seq-cls@main');
    const bridge = page.frames().find((f) => f.url().endsWith('/hub-bridge.html'));
    expect(bridge).toBeDefined();
    const bridgePolicy = (await bridge!.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content')) ?? '';
    expect(bridgePolicy).toContain("connect-src 'self' blob: data: https://huggingface.co https://*.huggingface.co https://*.hf.co");
    // The engine worker is still held to the page's policy: the bridge made the requests.
    expect(await worker.evaluate(tryFetch, `${hub.url}/api/models/tiny/bert-seq-cls`)).toMatch(/^blocked/);
  } finally {
    await hub.close();
  }
});

test('the dev server sends the same headers and policy, with the hash of its one inline script, and the studio runs under it', async ({ page }) => {
  test.setTimeout(180_000);
  const server = await createServer({
    configFile: join(REPO_ROOT, 'vite.config.ts'),
    root: REPO_ROOT,
    // A cache of its own (kept between runs): another dev server may be optimising dependencies into the default one.
    cacheDir: join(REPO_ROOT, 'node_modules', '.vite-e2e'),
    server: { host: '127.0.0.1', port: 0, strictPort: false },
    logLevel: 'warn',
  });
  await server.listen();
  try {
    const url = server.resolvedUrls!.local[0];
    const origin = guardOrigin(page, new URL(url).origin);
    const response = await page.goto(url);
    expect(response!.headers()).toMatchObject({ 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' });
    const policy = await policyOf(page);
    expect(policy).toMatch(/script-src 'self' 'wasm-unsafe-eval' blob: 'sha256-[A-Za-z0-9+/]+=*';/);
    expect(policy.split('; ').find((d) => d.startsWith('script-src'))?.replace("'wasm-unsafe-eval'", '')).not.toContain('unsafe');
    await new ModelPanel(page).waitForDefaultModel();
    expect(origin.cspViolations).toEqual([]);
    expect(origin.foreignRequests).toEqual([]);
  } finally {
    await server.close();
  }
});
