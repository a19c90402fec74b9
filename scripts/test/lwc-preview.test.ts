import { mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { startPreviewServer } from '../lwc-preview/preview.ts';
import type { PreviewServer } from '../lwc-preview/preview.ts';
import { launchChromium } from '../lib/chromium.ts';
import { findProjectRoot } from '../lib/project-root.ts';

/** The little of the browser's window these checks use (the repo's TypeScript has no DOM lib). */
type BrowserWindow = { getComputedStyle(element: unknown): { backgroundColor: string; color: string } };
const root = findProjectRoot();
const fixtures = path.join(root, 'force-app/main/default/lwc/salescalingRecordings/__tests__/data');
const fixture = (name: string) => JSON.parse(readFileSync(path.join(fixtures, name), 'utf8'));
const screenshot = path.join(root, 'docs/images/salescaling-recordings.png');

describe('the component in a real browser', () => {
  let browser: BrowserContext;
  let server: PreviewServer | undefined;

  beforeAll(async () => {
    // The Chromium `npm ci` brings (scripts/lib/chromium.ts), a fresh profile each run; a missing
    // browser fails here with one line.
    browser = await launchChromium({
      viewport: { width: 472, height: 760 },
      locale: 'en-US',
      timezoneId: 'UTC',
    });
  }, 60_000);

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  afterAll(async () => {
    await browser?.close();
  });

  async function open(preview: Parameters<typeof startPreviewServer>[0]): Promise<Page> {
    server = await startPreviewServer(preview, { root });
    const page = await browser.newPage();
    await page.goto(server.url);
    return page;
  }

  it('when a record has recorded meetings, then a person sees them in an SLDS card, newest first, with working links', async () => {
    const page = await open({ data: fixture('meetings.json') });

    const rows = page.locator('c-salescaling-recordings [data-id="meeting"]');
    await rows.first().waitFor({ timeout: 20_000 });
    expect(await rows.count()).toBe(3);
    expect(await page.locator('c-salescaling-recordings [data-id="event-link"]').allInnerTexts()).toEqual([
      'Discovery call: Northwind rollout',
      'Pricing follow-up',
      'Untitled meeting',
    ]);
    await expect(
      page.locator('lightning-card').getByText('Salescaling Recordings (3)').innerText(),
    ).resolves.toBe('Salescaling Recordings (3)');

    const first = rows.first();
    expect(await first.locator('[data-id="when"]').innerText()).toMatch(/Nov 20, 2026.*04:00\s?PM/);
    expect(await first.locator('[data-id="duration"]').innerText()).toBe('45 min');
    expect(await first.locator('[data-id="attendees"]').innerText()).toBe(
      'Attendees: Ana Ruiz, Bob Lee and 3 more',
    );
    const recording = first.locator('[data-id="recording-link"]');
    expect(await recording.getAttribute('href')).toBe('https://app.salescaling.com/meetings/mtg_8f2k1');
    expect(await recording.getAttribute('target')).toBe('_blank');

    // SLDS is applied: the card has the SLDS card look, not the browser's defaults.
    const cardBackground = await page
      .locator('lightning-card article.slds-card')
      .evaluate((card) => (globalThis as unknown as BrowserWindow).getComputedStyle(card).backgroundColor);
    expect(cardBackground).toBe('rgb(255, 255, 255)');

    // The picture in docs/admin-guide.md, taken before anything has focus.
    mkdirSync(path.dirname(screenshot), { recursive: true });
    await page.locator('#record-page-column').screenshot({ path: screenshot });
    expect(statSync(screenshot).size).toBeGreaterThan(10_000);

    // Keyboard: Tab reaches the first meeting's title link, and Enter opens the Event.
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.tagName')).toBe('C-SALESCALING-RECORDINGS');
    await page.keyboard.press('Enter');
    expect(await page.evaluate('window.__SALESCALING_PREVIEW_NAVIGATED__')).toEqual({
      type: 'standard__recordPage',
      attributes: { recordId: '00UDn00000Sc4lQMAR', objectApiName: 'Event', actionName: 'view' },
    });

    await page.close();
  }, 90_000);

  it('when the record has none, then the card says so', async () => {
    const page = await open({ data: fixture('noMeetings.json') });

    const empty = page.locator('c-salescaling-recordings [data-id="empty"]');
    await empty.waitFor({ timeout: 20_000 });
    expect(await empty.innerText()).toBe(
      'No recorded meetings yet. Meetings recorded with Salescaling appear here once they are processed.',
    );
    await page.close();
  }, 90_000);

  it('when the query fails, then the error panel shows and its details open from the keyboard', async () => {
    const page = await open({ errors: fixture('graphqlErrors.json') });

    const message = page.locator('c-salescaling-error-panel [data-id="error-message"]');
    await message.waitFor({ timeout: 20_000 });
    // A seller's words and the permission set to ask for, not the GraphQL message.
    expect(await message.innerText()).toContain('Salescaling Recordings Viewer permission set');
    expect(await message.innerText()).not.toContain('is undefined');
    const toggle = page.locator('c-salescaling-error-panel [data-id="error-toggle"]');
    await toggle.focus();
    // The focused button stays readable on the red alert: WCAG contrast of its text on its background.
    const contrast = await toggle.evaluate((button) => {
      const win = globalThis as unknown as BrowserWindow;
      const rgb = (css: string) => (css.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map(Number);
      const luminance = (css: string) => {
        const [r = 0, g = 0, b = 0] = rgb(css).map((v) => {
          const c = v / 255;
          return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
        });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
      };
      const style = win.getComputedStyle(button);
      const [hi, lo] = [luminance(style.color), luminance(style.backgroundColor)].sort((a, b) => b - a);
      return (hi! + 0.05) / (lo! + 0.05);
    });
    expect(contrast).toBeGreaterThanOrEqual(4.5);
    await page.keyboard.press('Enter');
    expect(await page.locator('c-salescaling-error-panel [data-id="error-details"]').innerText()).toBe(
      "Field 'Salescaling_Meeting_Id__c' in type 'Event' is undefined",
    );
    await page.close();
  }, 90_000);
});
