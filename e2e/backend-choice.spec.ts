// Journey: see which backend the engine chose and why, switch to another, and keep using the loaded model on it.
// Headless Chromium here offers only SwiftShader (a software WebGPU adapter), so the automatic choice is WASM and
// WebGPU is the user's override — which also proves the WebGPU path against transformers' logits.
import { expect, test } from '@playwright/test';
import { ModelPanel } from './pages/model-panel';
import { BERT_SEQ_CLS, referenceOutputs } from './support/checkpoints';

test('the automatic backend is explained, and WebGPU can be chosen with the model still loaded', async ({ page }) => {
  const panel = new ModelPanel(page);
  await panel.goto();
  await panel.waitForEngine();
  await panel.backendBadge.click();
  const menu = page.getByRole('dialog', { name: 'Compute backend' });
  await expect(menu).toContainText(/software one .*WASM is faster here|no WebGPU/);
  await expect(menu).toContainText('Cross-origin isolatedyes');
  await page.keyboard.press('Escape');
  await expect(menu).toBeHidden();

  await panel.openFolder(BERT_SEQ_CLS);
  await expect(panel.stat('Layers')).toHaveText('2');
  await panel.chooseBackend('WebGPU');

  const reference = await referenceOutputs(BERT_SEQ_CLS);
  await panel.predict(reference.sentences[1]);
  const logits = reference.logits[1].map((l) => l.toFixed(4)).sort((a, b) => Number(b) - Number(a));
  await expect(panel.labelScores()).toHaveText(logits.map((l) => new RegExp(`logit ${l}$`)));
});
