// Playwright Test configuration: Debian's Chromium, a phone profile by default, and real
// Sportello servers (API + SQLite + built SPA) started on 127.0.0.1, each with a fresh data
// directory:
//   • the main one (E2E_PORT), with the OpenID providers, for every spec unless said otherwise;
//   • "faulty" (E2E_FAULTY_PORT): 30 % of API requests fail, half before and half after the write;
//   • "bounded" (E2E_BOUNDED_PORT): 2 API requests admitted at a time, each held 200 ms;
//   • "console" (E2E_CONSOLE_PORT): the Contact Center's, whose clock its spec moves freely;
//   • "queue" (E2E_QUEUE_PORT): the click-day waiting room on, admitting 1 citizen a second, whose
//     clock its spec (waiting_room.spec.ts) moves freely;
//   • "mail" (E2E_MAIL_PORT): e-mail and PEC through a real SMTP server, Python's aiosmtpd on
//     E2E_SMTP_PORT writing every message to a Maildir (E2E_MAILDIR) that its spec reads;
//   • "federation" (E2E_FED_PORT): SPID and CIE through the OpenID Connect Federation, the
//     reference implementation spid-cie-oidc's trust anchor and providers on E2E_FED_TA_PORT,
//     E2E_FED_SPID_PORT and E2E_FED_CIE_PORT, our server registered at the anchor
//     (e2e/federation/with_sportello.py).
// The specs find the extra servers' addresses and data directories in the environment (set here,
// inherited by the workers). Ports and the SPA's folder (E2E_SPA_DIR) can be moved, so that two
// runs can share a machine.
import { defineConfig, devices } from '@playwright/test';
import * as path from 'node:path';
import { chromiumArgs, chromiumPath } from './chromium';

const root = path.resolve(__dirname, '..');
// One id for the run, set by the runner and inherited by its workers (which re-read this file).
process.env.E2E_RUN_ID ??= String(Date.now());
const runDir = path.join(__dirname, '.tmp', `run-${process.env.E2E_RUN_ID}`);
const server = process.env.SPORTELLO_BIN ?? path.join(root, 'target', 'debug', 'sportello-local');
const spaDir = process.env.E2E_SPA_DIR ?? path.join(root, 'dist');
const portOf = (name: string, fallback: number) => Number((process.env[name] ??= String(fallback)));
const port = portOf('E2E_PORT', 18080);
const faultyPort = portOf('E2E_FAULTY_PORT', 18081);
const boundedPort = portOf('E2E_BOUNDED_PORT', 18082);
const consolePort = portOf('E2E_CONSOLE_PORT', 18083);
const mailPort = portOf('E2E_MAIL_PORT', 18084);
const smtpPort = portOf('E2E_SMTP_PORT', 18025);
const queuePort = portOf('E2E_QUEUE_PORT', 18085);
const dataDir = path.join(runDir, 'main');
const faultyData = (process.env.E2E_FAULTY_DATA = path.join(runDir, 'faulty'));
const boundedData = (process.env.E2E_BOUNDED_DATA = path.join(runDir, 'bounded'));
const consoleData = (process.env.E2E_CONSOLE_DATA = path.join(runDir, 'console'));
const mailData = (process.env.E2E_MAIL_DATA = path.join(runDir, 'mail'));
const queueData = (process.env.E2E_QUEUE_DATA = path.join(runDir, 'queue'));
const fedPort = portOf('E2E_FED_PORT', 18086);
const fedData = path.join(runDir, 'federation');
const maildir = (process.env.E2E_MAILDIR = path.join(runDir, 'maildir'));
// The Python of the project's tools environment, where scripts/test.sh installs aiosmtpd.
const python = process.env.E2E_PYTHON ?? path.join(root, 'target', 'pytools', 'bin', 'python3');
// The test federation's own environment (spid-cie-oidc and Django: ensure_federation_venv).
const federationPython =
  process.env.E2E_FEDERATION_PYTHON ?? path.join(root, 'target', 'federation', 'bin', 'python3');

/**
 * A Sportello server on `serverPort` with its own data directory and `env` on top. The load
 * specs' servers are `quiet`: their logs would be one line per injected fault or shed request.
 */
function sportello(serverPort: number, data: string, env: Record<string, string>, quiet = false) {
  const output = quiet ? ('ignore' as const) : ('pipe' as const);
  return {
    command: `"${server}"`,
    url: `http://127.0.0.1:${serverPort}/api/health`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: output,
    stderr: output,
    env: {
      SPORTELLO_ADDR: `127.0.0.1:${serverPort}`,
      SPORTELLO_DATA_DIR: data,
      SPORTELLO_SPA_DIR: spaDir,
      SPORTELLO_DEV_MODE: '1',
      RUST_LOG: 'warn',
      ...env,
    },
  };
}

// Every citizen of the load specs comes from 127.0.0.1: the per-address rate limit (meant for one
// phone or one attacker) would otherwise stand in for the faults under test.
const oneAddressForAll = { SPORTELLO_CLIENT_RATE_PER_MINUTE: '100000' };

// The local OpenID provider (e2e/oidc/provider.mjs) standing in for a SPID and a CIE identity
// provider; the relying party's test key is known to both sides.
const spidPort = portOf('E2E_SPID_PORT', 18401);
const ciePort = portOf('E2E_CIE_PORT', 18402);
const rpKey = path.join(__dirname, 'oidc', 'rp-test-key.pem');
const oidcProviders = JSON.stringify([
  { id: 'spid-test', label: 'SPID di prova', kind: 'spid', issuer: `http://127.0.0.1:${spidPort}`,
    client_id: 'sportello-spid', auth: 'private_key_jwt' },
  { id: 'cie-test', label: 'CIE di prova', kind: 'cie', issuer: `http://127.0.0.1:${ciePort}`,
    client_id: 'sportello-cie', auth: 'client_secret_basic', client_secret: 'cie-test-secret' },
]);


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
    launchOptions: { executablePath: chromiumPath, args: chromiumArgs },
  },
  projects: [
    {
      name: 'mobile',
      testIgnore: /busy_day\.spec\.ts|lighthouse\.spec\.ts|first_paint\.spec\.ts/,
      use: { ...devices['Pixel 7'], launchOptions: { executablePath: chromiumPath, args: chromiumArgs } },
    },
    {
      // The load specs run 20 browsers each: after the others, alone, so that their load does not
      // turn the other specs' timings into failures.
      name: 'load',
      testMatch: /busy_day\.spec\.ts/,
      dependencies: ['mobile'],
      use: { ...devices['Pixel 7'], launchOptions: { executablePath: chromiumPath, args: chromiumArgs } },
    },
    {
      // The first paint measures time: alone, after the load specs.
      name: 'first-paint',
      testMatch: /first_paint\.spec\.ts/,
      dependencies: ['load'],
    },
    {
      // Lighthouse measures time: last and alone, after the first paint.
      name: 'lighthouse',
      testMatch: /lighthouse\.spec\.ts/,
      dependencies: ['first-paint'],
    },
  ],
  webServer: [
    {
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
    },
    sportello(port, dataDir, { SPORTELLO_OIDC_PROVIDERS: oidcProviders, SPORTELLO_OIDC_RP_KEY: rpKey }),
    sportello(faultyPort, faultyData, { ...oneAddressForAll, SPORTELLO_FAULTS: 'before=0.15,after=0.15' }, true),
    sportello(
      boundedPort,
      boundedData,
      { ...oneAddressForAll, SPORTELLO_MAX_IN_FLIGHT: '2', SPORTELLO_FAULTS: 'latency_ms=200' },
      true,
    ),
    sportello(consolePort, consoleData, {}),
    // The rate stays at 1 a second (not following the load): the spec counts places by it.
    sportello(queuePort, queueData, { SPORTELLO_QUEUE: 'on', SPORTELLO_QUEUE_RATE: '1', SPORTELLO_QUEUE_FOLLOW: 'off' }),
    {
      command: `"${python}" -m aiosmtpd -n -l 127.0.0.1:${smtpPort} -c aiosmtpd.handlers.Mailbox "${maildir}"`,
      port: smtpPort,
      reuseExistingServer: false,
      timeout: 30_000,
      stdout: 'pipe',
      stderr: 'pipe',
    },
    sportello(mailPort, mailData, { SPORTELLO_SMTP_URL: `smtp://127.0.0.1:${smtpPort}` }),
    {
      // The federation's members and our server, started and registered together.
      ...sportello(fedPort, path.join(fedData, 'server'), {}),
      command:
        `"${federationPython}" "${path.join(__dirname, 'federation', 'with_sportello.py')}"` +
        ` --server "${server}" --admin "${path.join(path.dirname(server), 'sportello-admin')}"` +
        ` --port ${fedPort} --data-dir "${fedData}"` +
        ` --ta-port ${portOf('E2E_FED_TA_PORT', 18110)} --spid-port ${portOf('E2E_FED_SPID_PORT', 18111)}` +
        ` --cie-port ${portOf('E2E_FED_CIE_PORT', 18112)}`,
      timeout: 180_000,
    },
  ],
});
