// Shared helpers for Baken's browser suite: a real `baken serve --demo` on a free
// port with a fresh SQLite database, Debian's Chromium driven by playwright-core,
// and axe-core on every page.
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';

const here = dirname(fileURLToPath(import.meta.url));
export const OUT = join(here, 'out');
export const PASSWORD = 'proefstad-demo-2026';

export function bakenBinary() {
  if (process.env.BAKEN_BIN) return process.env.BAKEN_BIN;
  const target = process.env.CARGO_TARGET_DIR || join(here, '..', '..', 'target');
  return join(target, 'debug', 'baken');
}

/** Starts `baken serve --demo` on a free port; resolves with { url, stop }. */
export async function startServer({ households = 200 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'baken-browser-'));
  const child = spawn(bakenBinary(), [
    'serve', '--demo', '--households', String(households),
    '--db', `sqlite://${join(dir, 'baken.db')}`, '--addr', '127.0.0.1:0',
  ], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, BAKEN_LOG: 'warn' } });
  let log = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`baken did not start in time:\n${log}`)), 120_000);
    const onData = (chunk) => {
      log += chunk.toString();
      const m = log.match(/running at (http:\/\/127\.0\.0\.1:\d+)\//);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    };
    child.stderr.on('data', onData);
    child.stdout.on('data', onData);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`baken exited with ${code}:\n${log}`)); });
    child.on('error', (err) => { clearTimeout(timer); reject(new Error(`cannot start ${bakenBinary()} (set BAKEN_BIN or CARGO_TARGET_DIR): ${err.message}`)); });
  });
  for (let i = 0; i < 100; i++) {
    try { if ((await fetch(`${url}/ready`)).ok) break; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    dir,
    log: () => log,
    stop: async () => {
      child.removeAllListeners('exit');
      child.kill('SIGTERM');
      await new Promise((r) => { child.once('exit', r); setTimeout(r, 5000); });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A fresh context (own cookies) and page at the given width. */
export async function newPage(browser, width = 1280) {
  const context = await browser.newContext({ viewport: { width, height: 900 }, locale: 'nl-NL' });
  return context.newPage();
}

/**
 * Logs in with the password. In the demo the second factor is optional, so
 * demo accounts are in after this; for an account that has set one up, pass
 * its TOTP secret (`{ totpSecret }`) and the code page is completed too.
 */
export async function login(page, url, username, password = PASSWORD, { totpSecret } = {}) {
  await page.goto(`${url}/inloggen`);
  await page.getByLabel('Gebruikersnaam').fill(username);
  await page.getByLabel('Wachtwoord').fill(password);
  await page.getByRole('button', { name: 'Inloggen' }).click();
  if (totpSecret && new URL(page.url()).pathname === '/inloggen/code') {
    // The next step's code: the current one may have been used already (a code
    // counts once), and the server accepts one step of drift.
    await page.getByLabel('Code', { exact: true }).fill(totpCode(totpSecret, 1));
    await page.getByRole('button', { name: 'Inloggen' }).click();
  }
}

/** The RFC 6238 code (SHA-1, 30 s, 6 digits) for a base32 secret, `offset` steps from now. */
export function totpCode(base32Secret, offset = 0) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of base32Secret.replace(/[\s=]/g, '').toUpperCase()) {
    bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  }
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000 / 30) + offset));
  const mac = createHmac('sha1', key).update(counter).digest();
  const at = mac[mac.length - 1] & 0xf;
  const value = (mac.readUInt32BE(at) & 0x7fffffff) % 1_000_000;
  return String(value).padStart(6, '0');
}

/** Runs axe-core (WCAG 2.0/2.1 A and AA) and fails on any violation, naming it. */
export async function expectAccessible(page, label) {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  const problems = results.violations.map((v) =>
    `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('\n  ')}`);
  assert.deepEqual(problems, [], `axe-core violations on ${label} (${page.url()}):\n${problems.join('\n')}`);
  await expectLabelled(page, label);
  // Every page walked at phone width fits it: no sideways scrolling.
  if ((page.viewportSize()?.width ?? 1280) <= 400) await expectNoHorizontalScroll(page, label);
}

/**
 * Every form control on the page is reachable by its label (what Playwright's
 * getByLabel and a screen reader rely on, and what axe-core misses when two
 * controls share an id): ids are unique, every `label[for]` points at a control,
 * and every visible-or-not control (except hidden inputs and buttons) has an
 * accessible name from a label, aria-labelledby or aria-label. Run on every
 * page the suites walk, through expectAccessible.
 */
export async function expectLabelled(page, label) {
  const problems = await page.evaluate(() => {
    const out = [];
    const seen = new Map();
    for (const el of document.querySelectorAll('[id]')) {
      seen.set(el.id, (seen.get(el.id) || 0) + 1);
    }
    for (const [id, n] of seen) if (n > 1) out.push(`id "${id}" is used ${n} times`);
    for (const l of document.querySelectorAll('label[for]')) {
      const target = document.getElementById(l.htmlFor);
      if (!target || !['INPUT', 'SELECT', 'TEXTAREA'].includes(target.tagName)) out.push(`label "${l.textContent.trim()}" points at no control (for="${l.htmlFor}")`);
    }
    const text = (ids) => ids.split(/\s+/).map((i) => document.getElementById(i)?.textContent.trim() || '').join(' ').trim();
    for (const c of document.querySelectorAll('input, select, textarea')) {
      if (c.type === 'hidden' || c.type === 'submit' || c.type === 'button') continue;
      const name = [...(c.labels || [])].map((l) => l.textContent.trim()).join(' ').trim()
        || (c.getAttribute('aria-labelledby') && text(c.getAttribute('aria-labelledby')))
        || (c.getAttribute('aria-label') || '').trim();
      if (!name) out.push(`${c.tagName.toLowerCase()} name="${c.name}" has no accessible name`);
    }
    return out;
  });
  assert.deepEqual(problems, [], `unlabelled or ambiguous controls on ${label} (${page.url()}):\n${problems.join('\n')}`);
}

/** The page fits the viewport: no sideways scrolling. */
export async function expectNoHorizontalScroll(page, label) {
  const { scroll, inner } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
  assert.ok(scroll <= inner, `${label} scrolls sideways at ${inner}px (content ${scroll}px wide)`);
}

export async function screenshot(page, name) {
  mkdirSync(OUT, { recursive: true });
  await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true });
}
