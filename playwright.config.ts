/**
 * Browser tests run against the production build served by `npm start`'s
 * own server (scripts/start.ts), on a fresh database made for the run: a
 * PostgreSQL database when E2E_DATABASE_URL is set, otherwise a throwaway
 * PGlite directory. Playwright never downloads a browser: it uses Debian's
 * chromium, or PLAYWRIGHT_CHROMIUM_PATH when set.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defineConfig, devices } from '@playwright/test';

const port = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${port}`;
const chromium = process.env.PLAYWRIGHT_CHROMIUM_PATH ?? (fs.existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);
const dataDir = process.env.E2E_DATA_DIR ?? path.join(os.tmpdir(), `tollgate-e2e-${process.pid}`);

export const E2E_DEMO_PASSWORD = 'e2e-demo-password';
export const E2E_DEMO_KEY = 'tg_e2eAgentKey000000000000000000000000000000';
export const E2E_ADMIN_KEY = 'tg_e2eAdminKey000000000000000000000000000000';

const browser = {
  ...devices['Desktop Chrome'],
  viewport: { width: 1440, height: 900 },
  launchOptions: {
    executablePath: chromium,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  },
};

export default defineConfig({
  testDir: './e2e',
  fullyParallel: false,
  workers: 2,
  retries: process.env.CI ? 1 : 0,
  timeout: 60_000,
  reporter: process.env.CI ? [['list']] : [['list']],
  use: {
    baseURL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    { name: 'chromium', testIgnore: /(gateway|inbox)\.spec\.ts/, use: browser },
    // Gateway calls add spend, so they run after the journeys that check dashboard totals against the ledger.
    { name: 'gateway', testMatch: /(gateway|inbox)\.spec\.ts/, dependencies: ['chromium'], use: browser },
  ],
  webServer: {
    command: 'node --import tsx scripts/start.ts',
    url: `${baseURL}/api/health`,
    timeout: 600_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    env: {
      PORT: String(port),
      TOLLGATE_DATA_DIR: dataDir,
      DATABASE_URL: process.env.E2E_DATABASE_URL ?? '',
      AUTH_SECRET: 'e2e-auth-secret-not-for-production',
      TOLLGATE_DEMO_PASSWORD: E2E_DEMO_PASSWORD,
      TOLLGATE_DEMO_KEY: E2E_DEMO_KEY,
      TOLLGATE_ADMIN_KEY: E2E_ADMIN_KEY,
      TOLLGATE_SEED_EVENTS: process.env.E2E_SEED_EVENTS ?? '30000',
      TOLLGATE_SIMULATOR: 'off',
    },
  },
});
