// Playwright: headless Chromium against the production build, built for this run into a folder of its own and served
// by a plain static server with the headers of its _headers file (e2e/support/serve-built-site.ts), as a host would
// serve dist/ — never a server that happens to be listening already. Debian's /usr/bin/chromium where it exists
// (DESIGN.md "Testing"), else Playwright's own. One spec per user journey in e2e/, page objects in e2e/pages/.
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from '@playwright/test';

// A port and a build folder per run, chosen once by the runner and inherited by its workers through the environment.
// LAYERWISE_E2E_PORT set by hand (outside CI) means "my server is already running there": it is reused.
const reuse = !process.env.CI && process.env.LAYERWISE_E2E_PORT !== undefined && process.env.LAYERWISE_E2E_SITE === undefined;
process.env.LAYERWISE_E2E_PORT ??= String(20_000 + (process.pid % 20_000));
process.env.LAYERWISE_E2E_SITE ??= join(tmpdir(), `layerwise-e2e-site-${process.env.LAYERWISE_E2E_PORT}`);
const PORT = Number(process.env.LAYERWISE_E2E_PORT);
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
    command: 'npx tsx e2e/support/serve-built-site.ts',
    // e2e/hub.spec.ts's stand-in Hub listens on 127.0.0.1 at a random port: allowed by this build's Hub bridge only.
    env: { LAYERWISE_E2E_CONNECT_SRC: 'http://127.0.0.1:*' },
    url: `http://127.0.0.1:${PORT}`,
    reuseExistingServer: reuse,
    gracefulShutdown: { signal: 'SIGTERM', timeout: 10_000 },
    timeout: 300_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
