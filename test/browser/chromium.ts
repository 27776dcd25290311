/**
 * Debian's Chromium through playwright-core, for report.html's browser test, its benchmark and its
 * screenshot. The flags keep Chromium from reaching out on its own (updates, sync, field trials): on a
 * closed network those connections are refused and show up as noise, and the page must be judged alone.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** Where Debian's `chromium` package puts the browser; FDI_CHROMIUM overrides. */
export const CHROMIUM = process.env.FDI_CHROMIUM ?? '/usr/bin/chromium';

/** How to get it: the message of a skipped browser test. */
export const CHROMIUM_HINT = `no Chromium at ${CHROMIUM}: install it with "sudo apt-get install -y chromium" (Debian/Ubuntu), or set FDI_CHROMIUM`;

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

/** Whether the browser is there. */
export function chromiumPresent(): boolean {
  return existsSync(CHROMIUM);
}

/** Whether a missing browser must fail (CI, or FDI_REQUIRE_BROWSER) rather than skip. */
export function browserRequired(): boolean {
  return Boolean(process.env.CI || process.env.FDI_REQUIRE_BROWSER);
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Chromium with a fresh profile folder, removed on close. */
export async function launchChromium(viewport = { width: 1280, height: 900 }): Promise<Browser> {
  const profile = await mkdtemp(path.join(os.tmpdir(), 'fdi-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
