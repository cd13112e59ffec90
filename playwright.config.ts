import { defineConfig } from '@playwright/test';

// One output folder per run (workers inherit the variable), so two runs on one machine never
// trample each other's traces.
process.env.KASSA_E2E_RUN ??= new Date().toISOString().replace(/[:.]/g, '-');

/**
 * E2E: the desk in Debian's Chromium, through the browser host, against the real desktop core,
 * the real sync server and the provider simulators. Run under the real keychain:
 *   bash scripts/with-keyring.sh npx playwright test
 * (`playwright install` is never needed: the system Chromium is used.)
 */
export default defineConfig({
  testDir: 'tests/e2e',
  // Builds the desk once, so the browser host serves what is in the tree.
  globalSetup: './tests/e2e/support/global-setup.ts',
  fullyParallel: false,
  workers: 1,
  timeout: 120_000,
  expect: { timeout: 20_000 },
  reporter: [['list']],
  outputDir: `test-results/${process.env.KASSA_E2E_RUN}`,
  use: {
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1366, height: 860 },
    locale: 'sv-SE',
    timezoneId: 'Europe/Stockholm',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    },
  },
});
