// "Tekorten in het aanbod" as beleid: a resident's wijzer answer that finds no
// offer shows up in its district's column; the four tables per life domain or
// category and district, no count from 1 to 4, no person; the CSV. axe-core
// and the label check at 390 and 1280 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, newPage, login, expectAccessible, expectLabelled, expectNoHorizontalScroll, screenshot } from './lib.mjs';

let server;
let browser;

before(async () => {
  server = await startServer({ households: 200 });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

for (const width of [390, 1280]) {
  test(`beleid reads the gaps in the offer at ${width} px`, async () => {
    // A resident asks the wijzer something the social map has no answer to.
    const resident = await newPage(browser, width);
    await resident.goto(`${server.url}/wijzer`);
    await resident.getByLabel(/Wat is uw vraag/).fill('Qwerty zxcvb plopperdeplop');
    await resident.getByRole('button', { name: 'Volgende stap' }).click();
    const wijk = resident.getByLabel('In welke wijk woont u?');
    const district = await wijk.locator('option').nth(1).textContent();
    await wijk.selectOption({ index: 1 });
    await resident.getByRole('button', { name: 'Laat zien wat past' }).click();
    await resident.getByRole('heading', { level: 1 }).first().waitFor();
    await resident.context().close();

    const page = await newPage(browser, width);
    await login(page, server.url, 'beleid');
    await page.goto(`${server.url}/start`);
    await page.getByRole('link', { name: 'Tekorten in het aanbod' }).first().click();
    await page.getByRole('heading', { level: 1, name: 'Tekorten in het aanbod' }).waitFor();
    await expectAccessible(page, `tekorten ${width}`);
    await expectLabelled(page, `tekorten ${width}`);
    await expectNoHorizontalScroll(page, `tekorten ${width}`);

    // This quarter.
    const periode = page.getByLabel('Periode', { exact: true });
    // The list runs this year, then its quarters newest first.
    const quarter = await periode.locator('option').nth(1).getAttribute('value');
    assert.match(quarter, /^\d{4}-K[1-4]$/);
    await periode.selectOption(quarter);
    await page.getByRole('button', { name: 'Toon' }).click();
    await page.waitForURL(new RegExp(`periode=${quarter}`));

    const wijzer = page.getByRole('table', { name: /Wijzer zonder passend aanbod/ });
    const heads = (await wijzer.locator('thead th').allTextContents()).map((h) => h.trim());
    assert.equal(heads[0], 'Leefgebied');
    assert.equal(heads.at(-1), 'Totaal');
    const col = heads.findIndex((h) => district.trim().startsWith(h));
    assert.ok(col > 0, `a column for ${district} in ${heads}`);
    const none = wijzer.locator('tbody tr', { has: page.getByRole('rowheader', { name: 'Geen leefgebied genoemd' }) });
    const shown = Number((await none.locator('td').nth(col - 1).textContent()).trim());
    assert.ok(shown === 0 || shown >= 5, 'the demo and this search, protected');

    for (const name of [/Wijzer zonder passend aanbod/, /Vragen zonder match/, /Verwijzingen die wachten op een aanbieder/, /Wachttijd tot een aanbieder begint/]) {
      const t = page.getByRole('table', { name });
      assert.equal(await t.count(), 1, `table ${name}`);
      for (const n of await t.locator('td').allTextContents()) {
        assert.ok(!['1', '2', '3', '4'].includes(n.trim()), `no count from 1 to 4 in ${name}: ${n}`);
      }
    }
    const text = await page.locator('main').textContent();
    assert.ok(!/Qwerty/.test(text), 'nothing the resident typed');
    assert.equal(await page.locator('main a[href*="/dossier/"], main a[href*="/huishoudens/"]').count(), 0, 'no link to a person');
    await expectAccessible(page, `tekorten kwartaal ${width}`);
    await expectLabelled(page, `tekorten kwartaal ${width}`);
    await expectNoHorizontalScroll(page, `tekorten kwartaal ${width}`);
    await screenshot(page, `tekorten-${width}`);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: /Alle tabellen downloaden/ }).click(),
    ]);
    assert.equal(download.suggestedFilename(), 'tekorten.csv');
    await page.context().close();
  });
}
