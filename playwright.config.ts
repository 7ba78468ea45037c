// Playwright: headless Chromium against the production build served by `vite preview` (COOP/COEP and CSP headers
// as in vite.config.ts). Debian's /usr/bin/chromium where it exists (DESIGN.md "Testing"), else Playwright's own.
// One spec per user journey in e2e/, page objects in e2e/pages/.
import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';

const PORT = 4317;
const SYSTEM_CHROMIUM = '/usr/bin/chromium';

export default defineConfig({
  testDir: 'e2e',
  // Engine work in the worker is CPU-bound and the machines are small: one test at a time.
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 120_000,
  expect: { timeout: 30_000 },
  reporter: process.env.CI ? [['list'], ['html', { open: 'never' }]] : 'list',
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    headless: true,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: existsSync(SYSTEM_CHROMIUM) ? SYSTEM_CHROMIUM : undefined,
      args: [
        '--enable-unsafe-webgpu',
        '--no-sandbox',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-gpu-sandbox',
      ],
    },
  },
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
  webServer: {
    command: `npx vite build && npx vite preview --host 127.0.0.1 --port ${PORT} --strictPort`,
    // e2e/hub.spec.ts's stand-in Hub listens on 127.0.0.1 at a random port: allowed by the preview's CSP here only.
    env: { LAYERWISE_E2E_CONNECT_SRC: 'http://127.0.0.1:*' },
    url: `http://127.0.0.1:${PORT}`,
    reuseExistingServer: !process.env.CI,
    timeout: 300_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
