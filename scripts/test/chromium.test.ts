/**
 * The browser launcher: a machine without the npm-provided Chromium gets one clear line at once (no
 * hook that hangs), and the launcher never picks up a system Chromium behind the caller's back.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ChromiumUnavailableError, resolveChromium } from '../lib/chromium.ts';

describe('resolveChromium', () => {
  let bare: string;
  const saved = process.env.CHROMIUM_PATH;

  beforeEach(() => {
    bare = mkdtempSync(path.join(tmpdir(), 'salescaling-bare-'));
    writeFileSync(path.join(bare, 'sfdx-project.json'), '{}');
    delete process.env.CHROMIUM_PATH;
  });

  afterEach(() => {
    rmSync(bare, { recursive: true, force: true });
    if (saved === undefined) delete process.env.CHROMIUM_PATH;
    else process.env.CHROMIUM_PATH = saved;
  });

  it('when the package is not installed, then it fails with one line that says to run npm ci', async () => {
    const failure = await resolveChromium(bare).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ChromiumUnavailableError);
    const message = (failure as Error).message;
    expect(message).toContain('@sparticuz/chromium is not installed');
    expect(message).toContain('npm ci');
    expect(message).not.toContain('\n');
    expect(message).not.toContain('/usr/bin/chromium');
  });

  it('when CHROMIUM_PATH names a missing file, then it says so instead of looking elsewhere', async () => {
    process.env.CHROMIUM_PATH = path.join(bare, 'no-such-chromium');
    await expect(resolveChromium(bare)).rejects.toThrow(/CHROMIUM_PATH=.*no-such-chromium does not exist/);
  });

  it('when the package is installed, then the browser is the one unpacked under node_modules/.cache', async () => {
    const resolved = await resolveChromium();
    expect(resolved.executablePath).toMatch(/node_modules\/\.cache\/salescaling-chromium\/[\d.]+\/chromium$/);
    expect(resolved.env.FONTCONFIG_PATH).toBe(path.dirname(resolved.executablePath));
  });
});
