// Journey: take the model elsewhere from the Export panel. A local stand-in for the Hub speaking the commit API
// (e2e/support/hub-server.ts, with a separate storage server for the weights) receives a push: nothing is requested
// before Push, the token goes to the Hub API only, the page's CSP allows it, the repository holds the folder and the
// page links to it. "Export as training recipe" downloads a zip with train.py and the run's layerwise_run.json.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { ModelPanel } from './pages/model-panel';
import { PushCard, RecipeCard } from './pages/share';
import { Studio } from './pages/studio';
import { startFakeHub, type FakeHub } from './support/hub-server';
import { guardOrigin } from './support/origin-guard';
import { unzipTo } from './support/unzip';

const TOKEN = 'hf_e2e_push_token_0123456789';
let hub: FakeHub;
const work = mkdtempSync(path.join(tmpdir(), 'layerwise-e2e-push-'));

test.beforeAll(async () => {
  hub = await startFakeHub([], { writeToken: TOKEN });
});
test.afterAll(async () => {
  await hub.close();
  rmSync(work, { recursive: true, force: true });
});

test('push the model to the Hub: nothing before Push, the token to the Hub API only, a link to the repository', async ({ page, baseURL }) => {
  const origin = guardOrigin(page, new URL(baseURL!).origin);
  const studio = new Studio(page);
  const model = new ModelPanel(page);
  await studio.goto();
  await model.waitForDefaultModel();
  await studio.open('Export');
  const push = new PushCard(page);
  await expect(push.card).toContainText('Nothing is sent before you press Push');
  await push.fill('me/studio-push', TOKEN, hub.url);
  expect(hub.seen).toEqual([]);
  expect(origin.foreignRequests).toEqual([]);

  await push.push.click();
  await expect(push.result()).toContainText(`${hub.url}/me/studio-push`, { timeout: 60_000 });
  await expect(push.result().getByRole('link', { name: `${hub.url}/me/studio-push` })).toHaveAttribute('href', `${hub.url}/me/studio-push`);
  const commit = hub.commits.at(-1)!;
  expect(commit.repo).toBe('me/studio-push');
  expect([...commit.files.keys()]).toEqual(expect.arrayContaining(['config.json', 'model.safetensors', 'tokenizer.json']));
  // The token went with the Hub API's requests only; the weights went to the storage without it.
  const api = hub.seen.filter((r) => r.server === 'hub' && r.method !== 'OPTIONS');
  expect(api.length).toBeGreaterThanOrEqual(4);
  for (const r of api) expect(r.authorization).toBe(`Bearer ${TOKEN}`);
  expect(hub.seen.filter((r) => r.server === 'storage' && r.method === 'PUT').map((r) => r.authorization)).toEqual([null]);
  expect(origin.foreignRequests.filter((url) => !url.startsWith(`${hub.url}/`) && !url.startsWith(`${hub.storageUrl}/`))).toEqual([]);
  expect(origin.cspViolations).toEqual([]);
});

test('export the training recipe: a zip with train.py, the launch configs and the run', async ({ page }) => {
  const studio = new Studio(page);
  const model = new ModelPanel(page);
  await studio.goto();
  await model.waitForDefaultModel();
  await studio.open('Export');
  const recipe = new RecipeCard(page);
  const download = page.waitForEvent('download');
  await recipe.export.click();
  const file = await download;
  const zip = path.join(work, file.suggestedFilename());
  await file.saveAs(zip);
  await expect(recipe.files()).toContainText('train.py');
  const folder = await unzipTo(zip, work);
  const run = JSON.parse(readFileSync(path.join(folder, 'layerwise_run.json'), 'utf8')) as { task: string; family: string; model: { path: string } };
  expect(run.family).toBe('bert');
  expect(run.model.path).toBe('model');
  for (const f of ['train.py', 'layerwise_plan.py', 'ds_zero3.json', 'accelerate_config.fsdp.yaml', 'model/config.json', 'model/model.safetensors']) {
    expect(readFileSync(path.join(folder, f)).length, f).toBeGreaterThan(0);
  }
});
