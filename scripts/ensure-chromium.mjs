// Makes sure a Chromium exists for the e2e tests (DESIGN.md "Testing": Debian's chromium at /usr/bin/chromium).
// Installs it with apt-get when it is missing and we are root with apt-get; otherwise leaves Playwright to use
// its own browser (`npx playwright install chromium` where that is allowed). Prints what it did.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CHROMIUM = '/usr/bin/chromium';

function hasAptGet() {
  try {
    execFileSync('apt-get', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

if (existsSync(CHROMIUM)) {
  console.log(`ensure-chromium: using ${CHROMIUM}`);
} else if (process.getuid?.() === 0 && hasAptGet()) {
  console.log(`ensure-chromium: ${CHROMIUM} is missing; installing Debian's chromium with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], { stdio: 'inherit', env });
  console.log(existsSync(CHROMIUM) ? `ensure-chromium: installed ${CHROMIUM}` : 'ensure-chromium: apt-get finished but chromium is still missing');
} else {
  console.log(`ensure-chromium: ${CHROMIUM} is missing and apt-get is not usable here (not root or no apt); Playwright uses its own Chromium (run \`npx playwright install chromium\` if it is not installed)`);
}
