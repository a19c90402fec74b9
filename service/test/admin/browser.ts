/**
 * The admin page's browser tests get their Chromium from the project's one launcher
 * (scripts/lib/chromium.ts: the browser `npm ci` brings, or CHROMIUM_PATH on purpose). These tests
 * open several contexts (a narrow screen, a second workspace), so they take a Browser, not a context.
 */
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_ARGS, resolveChromium } from '../../../scripts/lib/chromium.ts';

export async function launchBrowser(): Promise<Browser> {
  const { executablePath, env } = await resolveChromium();
  return chromium.launch({
    executablePath,
    args: [...CHROMIUM_ARGS],
    env: { ...process.env, ...env } as Record<string, string>,
  });
}
