/**
 * The one place the admin page's browser test gets a Chromium from. For now: CHROMIUM_PATH, or
 * Debian's /usr/bin/chromium when present; the lead re-points this at the shared launcher.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export async function launchBrowser(): Promise<Browser> {
  const executablePath = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
  if (!existsSync(executablePath))
    throw new Error(`Chromium is missing: no executable at ${executablePath} (set CHROMIUM_PATH).`);
  return chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}
