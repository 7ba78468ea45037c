// Journey: load a model from the Hugging Face Hub. A local stand-in for the Hub (e2e/support/hub-server.ts) serves
// the golden tiny BERT in the Hub's URL layout; the user types its id and, under Advanced, the endpoint, presses
// Load, follows the progress bar and reads the summary. Nothing is requested before Load, and nothing but the
// endpoint after it; with the endpoint gone, Load again serves the browser's cached copy and says so.
import { expect, test } from '@playwright/test';
import { HubForm } from './pages/hub-form';
import { ModelPanel } from './pages/model-panel';
import { BERT_SEQ_CLS, referenceOutputs, tensorValueCount } from './support/checkpoints';
import { folderFiles, startFakeHub, type FakeHub } from './support/hub-server';
import { guardOrigin } from './support/origin-guard';

let hub: FakeHub;

test.beforeAll(async () => {
  hub = await startFakeHub([{ id: 'tiny/bert-seq-cls', revisions: { main: folderFiles(BERT_SEQ_CLS) } }]);
  // Slow enough for the progress bar to be seen: 16 kB every 100 ms of the 128 kB weights.
  hub.throttle((file) => file === 'model.safetensors', 16_384, 100);
});
test.afterAll(async () => {
  await hub.close();
});

test('load a model by id from the Hub, then again from the cache with the Hub gone', async ({ page, baseURL }) => {
  const origin = guardOrigin(page, new URL(baseURL!).origin);
  const panel = new ModelPanel(page);
  const form = new HubForm(page);
  await panel.goto();
  await panel.waitForEngine();
  await expect(form.card).toContainText('Nothing is requested before');

  // A bad id is refused in the worker before any request.
  await form.loadModel('../../etc/passwd', hub.url);
  await expect(panel.error).toContainText('HUB_BAD_MODEL_ID');
  expect(hub.requests).toEqual([]);
  expect(origin.foreignRequests).toEqual([]);

  await form.loadModel('tiny/bert-seq-cls');
  await expect(form.progress('tiny/bert-seq-cls@main')).toBeVisible();
  await expect(panel.overviewTitle()).toHaveText('tiny/bert-seq-cls@main');
  await expect(panel.stat('Layers')).toHaveText('2');
  const values = await tensorValueCount(`${BERT_SEQ_CLS}/model.safetensors`);
  await expect(panel.stat('Parameters')).toHaveText(values.toLocaleString('en-US'));
  await expect(form.progress('tiny/bert-seq-cls@main')).toBeHidden();
  expect(hub.requests).toContain('GET /tiny/bert-seq-cls/resolve/main/config.json');
  // Only the endpoint was contacted, and the page's CSP allowed it.
  expect(origin.foreignRequests.length).toBeGreaterThan(0);
  expect(origin.foreignRequests.filter((url) => !url.startsWith(`${hub.url}/`))).toEqual([]);
  expect(origin.cspViolations).toEqual([]);

  // The downloaded model computes what transformers computed.
  const reference = await referenceOutputs(BERT_SEQ_CLS);
  await panel.predict(reference.sentences[0]);
  const byLogit = reference.logits[0].map((logit, i) => ({ label: `LABEL_${i}`, logit })).sort((a, b) => b.logit - a.logit);
  await expect(panel.labelScores()).toHaveText(byLogit.map((l) => new RegExp(`^${l.label}.*logit ${l.logit.toFixed(4)}$`)));

  await hub.close();
  await form.loadModel('tiny/bert-seq-cls');
  await expect(form.notes()).toContainText('HUB_SERVED_FROM_CACHE');
  await expect(panel.overviewTitle()).toHaveText('tiny/bert-seq-cls@main');
  await expect(panel.stat('Parameters')).toHaveText(values.toLocaleString('en-US'));
  expect(origin.cspViolations).toEqual([]);
});
