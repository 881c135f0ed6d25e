// The second factor in a real browser: enrolment (QR code, key, first code,
// recovery codes), the code page at the next login, and a beheerder's reset —
// each page accessible (axe-core) at phone and desktop width.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, newPage, login, totpCode, expectAccessible, expectNoHorizontalScroll, screenshot } from './lib.mjs';

let server;
let browser;

before(async () => {
  server = await startServer({ households: 50 });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function checkAt(page, label) {
  for (const width of [390, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    await expectAccessible(page, `${label} at ${width}px`);
    await expectNoHorizontalScroll(page, `${label} at ${width}px`);
    await screenshot(page, `signin-${label}-${width}`);
  }
}

test('a generalist sets up the second factor, then logs in with a code and with a recovery code', async () => {
  const page = await newPage(browser);
  await login(page, server.url, 'generalist.noord');
  assert.equal(new URL(page.url()).pathname, '/start', 'optional in the demo');
  await page.goto(`${server.url}/account`);
  await page.getByRole('link', { name: 'Tweede stap instellen of bekijken' }).click();
  assert.equal(await page.locator('h1').textContent(), 'Tweede stap instellen');
  assert.ok(await page.locator('svg[role=img]').isVisible(), 'the QR code');
  await checkAt(page, 'instellen');
  const secret = (await page.locator('#sleutel').textContent()).replace(/\s/g, '');

  await page.getByLabel('Code uit de app').fill('123');
  await page.getByRole('button', { name: 'Tweede stap aanzetten' }).click();
  assert.match(await page.locator('[role=alert]').textContent(), /Deze code klopt niet/);
  await expectAccessible(page, 'instellen met fout');

  const fresh = (await page.locator('#sleutel').textContent()).replace(/\s/g, '');
  assert.equal(fresh, secret, 'after a wrong code the key stays: the app has it already');
  await page.getByLabel('Code uit de app').fill(totpCode(fresh));
  await page.getByRole('button', { name: 'Tweede stap aanzetten' }).click();
  assert.equal(await page.locator('h1').textContent(), 'Uw herstelcodes');
  const codes = await page.locator('.recovery-codes code').allTextContents();
  assert.equal(codes.length, 10);
  await checkAt(page, 'herstelcodes');

  await page.getByRole('button', { name: 'Uitloggen' }).click();
  await login(page, server.url, 'generalist.noord');
  assert.equal(new URL(page.url()).pathname, '/inloggen/code');
  assert.equal(await page.locator('h1').textContent(), 'Code invoeren');
  await checkAt(page, 'code');
  await page.getByLabel('Code', { exact: true }).fill('000000');
  await page.getByRole('button', { name: 'Inloggen' }).click();
  assert.match(await page.locator('[role=alert]').textContent(), /klopt niet|al gebruikt/);
  await expectAccessible(page, 'code met fout');
  await page.getByLabel('Code', { exact: true }).fill(totpCode(fresh, 1));
  await page.getByRole('button', { name: 'Inloggen' }).click();
  assert.equal(new URL(page.url()).pathname, '/start');

  await page.getByRole('button', { name: 'Uitloggen' }).click();
  await login(page, server.url, 'generalist.noord');
  await page.getByLabel('Code', { exact: true }).fill(codes[0]);
  await page.getByRole('button', { name: 'Inloggen' }).click();
  assert.equal(new URL(page.url()).pathname, '/start', 'a recovery code logs in');
  await page.context().close();
});

test('a beheerder resets a second factor', async () => {
  const page = await newPage(browser);
  // Set one up for teamleider.noord first.
  await login(page, server.url, 'teamleider.noord');
  await page.goto(`${server.url}/inloggen/tweede-stap`);
  const secret = (await page.locator('#sleutel').textContent()).replace(/\s/g, '');
  await page.getByLabel('Code uit de app').fill(totpCode(secret));
  await page.getByRole('button', { name: 'Tweede stap aanzetten' }).click();
  await page.context().close();

  const admin = await newPage(browser);
  await login(admin, server.url, 'beheerder');
  await admin.goto(`${server.url}/beheer/gebruikers`);
  await admin.getByRole('link', { name: 'teamleider.noord' }).first().click();
  await admin.getByRole('link', { name: /Tweede stap .* bekijken of herstellen/ }).click();
  assert.match(await admin.locator('h1').textContent(), /^Tweede stap van /);
  assert.match(await admin.locator('.facts').textContent(), /Aan sinds/);
  await checkAt(admin, 'beheer');
  await admin.getByRole('button', { name: 'Tweede stap herstellen' }).click();
  assert.match(await admin.locator('[role=status]').textContent(), /De tweede stap is hersteld/);
  assert.match(await admin.locator('.facts').textContent(), /Niet ingesteld/);
  await checkAt(admin, 'beheer-hersteld');
  await admin.context().close();

  // In again with the password alone (optional in the demo), with the helper's second step unused.
  const again = await newPage(browser);
  await login(again, server.url, 'teamleider.noord', undefined, { totpSecret: secret });
  assert.equal(new URL(again.url()).pathname, '/start');
  await again.context().close();
});
