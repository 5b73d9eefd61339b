import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The Debian package `chromium`. */
export const CHROMIUM = process.env.CONTRASEG_CHROMIUM ?? '/usr/bin/chromium';

/** Command-line switches for a quiet, offline, sandbox-free headless Chromium. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Minimal view of the playwright-core objects used here. */
export interface BrowserPage {
  setContent(html: string, o?: { waitUntil?: 'load'; timeout?: number }): Promise<void>;
  goto(url: string, o?: { waitUntil?: 'load'; timeout?: number }): Promise<unknown>;
  waitForFunction(fn: string, arg?: unknown, o?: { timeout?: number }): Promise<unknown>;
  evaluate<T>(fn: string | (() => T)): Promise<T>;
  locator(selector: string): { screenshot(o?: { timeout?: number }): Promise<Buffer> };
}

/** Whether headless Chromium can be used: the executable exists. */
export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM);
}

/**
 * Runs `fn` with a page of a fresh headless Chromium (its own temporary profile, deleted
 * afterwards) that may load file: and data: URLs only: any other request is aborted, so a page
 * that renders here needs no network. Throws when Chromium or playwright-core is missing.
 */
export async function withChromiumPage<T>(fn: (page: BrowserPage) => Promise<T>): Promise<T> {
  if (!chromiumAvailable()) throw new Error(`${CHROMIUM} not found (Debian package chromium)`);
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'contraseg-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1100, height: 900 },
      deviceScaleFactor: 1,
      timeout: 60_000,
    });
    try {
      await context.route('**/*', (route) => {
        const url = route.request().url();
        return url.startsWith('file:') || url.startsWith('data:')
          ? route.continue()
          : route.abort();
      });
      const page = context.pages()[0] ?? (await context.newPage());
      return await fn(page as unknown as BrowserPage);
    } finally {
      await context.close();
    }
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

/**
 * Renders report HTML and screenshots the element `selector` once the page has set
 * `window.__reportReady` (its charts are drawn). Returns PNG bytes.
 */
export async function screenshotElement(html: string, selector: string): Promise<Buffer> {
  return withChromiumPage(async (page) => {
    await page.setContent(html, { waitUntil: 'load', timeout: 60_000 });
    await page.waitForFunction('window.__reportReady === true', undefined, { timeout: 30_000 });
    return page.locator(selector).screenshot({ timeout: 30_000 });
  });
}
