// The stapelingsmonitor end to end: two organisations pseudonymise with the CLI
// and a shared key; beleid uploads the files in the browser and reads the
// protected report. axe-core on the page and on the report.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, launchBrowser, newPage, login, expectAccessible, bakenBinary, screenshot } from './lib.mjs';

let server;
let browser;
let files;

before(async () => {
  server = await startServer({ households: 50 });
  browser = await launchBrowser();
  const dir = mkdtempSync(join(tmpdir(), 'baken-monitor-'));
  const key = join(dir, 'sleutel.key');
  execFileSync(bakenBinary(), ['monitor', 'keygen', '--out', key], { stdio: 'pipe' });
  const rows = (domain, n) => ['postcode;huisnummer;buurtcode;domein;voorziening',
    ...Array.from({ length: n }, (_, i) => `1011 ab;${i + 1};BU99990101;${domain};${domain.toUpperCase()}-1`)].join('\r\n');
  files = [];
  for (const [org, domain, n] of [['Jeugdhulp Rivierland', 'jeugd', 60], ['Thuishulp Proefstad', 'wmo', 30]]) {
    const input = join(dir, `${domain}.csv`);
    const out = join(dir, `${domain}-pseudo.csv`);
    writeFileSync(input, rows(domain, n));
    execFileSync(bakenBinary(), ['monitor', 'pseudonymise', '--key', key, '--org', org, input, '--out', out], { stdio: 'pipe' });
    files.push(out);
  }
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('beleid uploads pseudonymised files and reads the protected report', async () => {
  const page = await newPage(browser);
  await login(page, server.url, 'beleid');
  await page.goto(`${server.url}/monitor`);
  await expectAccessible(page, 'monitor');
  await page.getByLabel('Gepseudonimiseerde bestanden (CSV)').setInputFiles(files);
  await page.getByRole('button', { name: 'Koppelen en rapport maken' }).click();
  await page.waitForURL(/gemaakt=1/);
  assert.match(await page.locator('[role=status]').textContent(), /bestanden zijn verwijderd/);
  const row = await page.getByRole('table', { name: /rapporten/ }).locator('tbody tr').first().textContent();
  assert.match(row, /60/, `60 households published: ${row}`);
  // The latest report, with its charts and tables, on the page itself.
  const latest = page.getByRole('region', { name: 'Het laatste rapport' });
  assert.ok(await latest.locator('svg[role=img]').count() >= 5, 'the charts are on the page');
  assert.match(await latest.getByRole('table', { name: 'Aantal domeinen per huishouden' }).textContent(), /30/);
  await expectAccessible(page, 'monitor met rapport');
  await screenshot(page, 'monitor-pagina-1280');
  await page.getByRole('link', { name: /Open het rapport als losse pagina/ }).click();
  assert.ok(await page.locator('svg').count() > 0, 'the report has its charts');
  await expectAccessible(page, 'rapport');
  await screenshot(page, 'monitor-rapport-1280');
  await page.context().close();
});

test('other roles do not reach the monitor', async () => {
  const page = await newPage(browser);
  await login(page, server.url, 'generalist');
  const res = await page.goto(`${server.url}/monitor`);
  assert.equal(res.status(), 403);
  await page.context().close();
});
