// Playwright Test configuration: Debian's Chromium, a phone profile by default, and the real
// Sportello server (API + SQLite + built SPA) started on 127.0.0.1 with a fresh data directory.
import { defineConfig, devices } from '@playwright/test';
import * as path from 'node:path';

const port = Number(process.env.E2E_PORT ?? 18080);
const root = path.resolve(__dirname, '..');
const dataDir = path.join(__dirname, '.tmp', `data-${Date.now()}`);
const server = process.env.SPORTELLO_BIN ?? path.join(root, 'target', 'debug', 'sportello-local');

// Flags for a closed network: without them Chromium keeps trying to reach Google's services.
const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export default defineConfig({
  testDir: './tests',
  outputDir: './test-results',
  fullyParallel: true,
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 2,
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: { executablePath: '/usr/bin/chromium', args: chromiumArgs },
  },
  projects: [
    {
      name: 'mobile',
      use: { ...devices['Pixel 7'], launchOptions: { executablePath: '/usr/bin/chromium', args: chromiumArgs } },
    },
  ],
  webServer: {
    command: `"${server}"`,
    url: `http://127.0.0.1:${port}/api/health`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe',
    stderr: 'pipe',
    env: {
      SPORTELLO_ADDR: `127.0.0.1:${port}`,
      SPORTELLO_DATA_DIR: dataDir,
      SPORTELLO_SPA_DIR: path.join(root, 'dist'),
      SPORTELLO_DEV_MODE: '1',
      RUST_LOG: 'warn',
    },
  },
});
