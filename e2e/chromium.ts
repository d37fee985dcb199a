// How every browser of the tests starts: Debian's Chromium, with the flags a closed network needs
// (without them Chromium keeps trying to reach Google's services). Shared by the Playwright
// configuration and the Lighthouse spec, which starts its own Chromium.
export const chromiumPath = '/usr/bin/chromium';

export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
