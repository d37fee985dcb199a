// Playwright Test configuration: Debian's Chromium, a phone profile by default, and the real
// Sportello server (API + SQLite + built SPA) started on 127.0.0.1 with a fresh data directory.
import { defineConfig, devices } from '@playwright/test';
import * as path from 'node:path';

const port = Number(process.env.E2E_PORT ?? 18080);
const root = path.resolve(__dirname, '..');
const dataDir = path.join(__dirname, '.tmp', `data-${Date.now()}`);
const server = process.env.SPORTELLO_BIN ?? path.join(root, 'target', 'debug', 'sportello-local');

// The local OpenID provider (e2e/oidc/provider.mjs) standing in for a SPID and a CIE identity
// provider; the relying party's test key is known to both sides.
const spidPort = Number(process.env.E2E_SPID_PORT ?? 18401);
const ciePort = Number(process.env.E2E_CIE_PORT ?? 18402);
const rpKey = path.join(__dirname, 'oidc', 'rp-test-key.pem');
const oidcProviders = JSON.stringify([
  { id: 'spid-test', label: 'SPID di prova', kind: 'spid', issuer: `http://127.0.0.1:${spidPort}`,
    client_id: 'sportello-spid', auth: 'private_key_jwt' },
  { id: 'cie-test', label: 'CIE di prova', kind: 'cie', issuer: `http://127.0.0.1:${ciePort}`,
    client_id: 'sportello-cie', auth: 'client_secret_basic', client_secret: 'cie-test-secret' },
]);

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
  webServer: [{
    command: `node "${path.join(__dirname, 'oidc', 'provider.mjs')}"`,
    url: `http://127.0.0.1:${ciePort}/.well-known/openid-configuration`,
    reuseExistingServer: false,
    timeout: 30_000,
    stdout: 'pipe',
    stderr: 'pipe',
    env: {
      OIDC_SPID_PORT: String(spidPort),
      OIDC_CIE_PORT: String(ciePort),
      OIDC_REDIRECT_URI: `http://127.0.0.1:${port}/api/auth/oidc/callback`,
      OIDC_RP_KEY: rpKey,
    },
  }, {
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
      SPORTELLO_OIDC_PROVIDERS: oidcProviders,
      SPORTELLO_OIDC_RP_KEY: rpKey,
      RUST_LOG: 'warn',
    },
  }],
});
