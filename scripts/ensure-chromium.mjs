// Browser tests drive Debian's Chromium (playwright-core, no browser download).
// Installs it with apt when missing and we are root on Debian; otherwise says how.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CHROMIUM = '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  const root = process.getuid?.() === 0;
  const apt = existsSync('/usr/bin/apt-get');
  if (root && apt) {
    console.log('Installing Chromium for the browser tests (apt-get install chromium)…');
    execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium', {
      stdio: 'inherit',
    });
  } else {
    console.error(
      `Browser tests need ${CHROMIUM}: run \`sudo apt-get install -y chromium\` (Debian/Ubuntu) and retry.`,
    );
    process.exit(1);
  }
}
