// The verantwoording dashboard as beleid: a district's pyramid against 85/10/5
// with the cost split, the trend with its target line, the fan view, the CSV
// and the print layout — no person anywhere. axe-core and the label check at
// 390 and 1280 px.
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
  test(`beleid reads the dashboard at ${width} px`, async () => {
    const page = await newPage(browser, width);
    await login(page, server.url, 'beleid');
    await page.goto(`${server.url}/start`);
    await page.getByRole('link', { name: 'Dashboard verantwoording' }).first().click();
    await page.getByRole('heading', { level: 1, name: 'Dashboard verantwoording' }).waitFor();
    await expectAccessible(page, `dashboard ${width}`);
    await expectLabelled(page, `dashboard ${width}`);
    await expectNoHorizontalScroll(page, `dashboard ${width}`);

    // The first district (WK…01), this year: its pyramid against 85/10/5 with the cost split.
    const wijk = page.getByLabel('Wijk', { exact: true });
    const first = await wijk.locator('option').nth(1).getAttribute('value');
    assert.match(first, /^WK\d+01$/);
    await wijk.selectOption(first);
    await page.getByRole('button', { name: 'Toon' }).click();
    await page.waitForURL(new RegExp(`wijk=${first}`));
    const pyramid = page.getByRole('table', { name: 'Piramide: huishoudens en kosten per laag' });
    const head = await pyramid.locator('thead').textContent();
    for (const col of ['Huishoudens', 'Aandeel', 'Doel', 'Kosten', 'Aandeel kosten', 'Niet te prijzen']) {
      assert.ok(head.includes(col), `column ${col}`);
    }
    const targets = await pyramid.locator('tbody tr td:nth-child(4)').allTextContents();
    assert.deepEqual(targets, ['85%', '10%', '5%']);
    for (const n of await pyramid.locator('tbody tr td:nth-child(2)').allTextContents()) {
      assert.ok(!['1', '2', '3', '4'].includes(n.trim()), `no count from 1 to 4: ${n}`);
    }
    assert.match(await page.getByRole('heading', { level: 2, name: /De piramide: wijk/ }).textContent(), new RegExp(first));
    // The trends per quarter: the three layers with their target lines, and
    // each chart with its table beside it.
    assert.equal(await page.locator('svg.chart--trend line.chart-target').count(), 3);
    const light = page.locator('section[aria-labelledby="stap-1-3"]');
    assert.equal(await light.locator('svg.chart--trend line.chart-target').count(), 1, 'the light share has its target line');
    assert.equal(await light.locator('svg.chart--trend polygon.chart-band').count(), 1, 'and its noise band');
    const trend = page.getByRole('table', { name: /Aandeel stap 1–3 per kwartaal \(doel 85%\)/ });
    assert.equal(await trend.locator('tbody tr').count(), 8, 'eight quarters');
    for (const title of ['Huishoudens met maatwerk per 1.000 inwoners', 'Huishoudens terug binnen 12 maanden',
      'Dagen van signaal tot eerste contact (mediaan, baken 3)', 'Baken 1: Gericht op de vraag achter de vraag']) {
      const t = page.getByRole('table', { name: `${title} per kwartaal` });
      assert.equal(await t.locator('tbody tr').count(), 8, `${title}: eight quarters`);
    }
    const trendLink = page.getByRole('link', { name: 'Huishoudens met maatwerk per 1.000 inwoners' });
    await trendLink.click();
    await page.waitForURL(/#maatwerk-per-1000$/);
    await screenshot(page, `dashboard-trend-${width}`);
    // The fan view: for every trend the same small chart for every district.
    const districts = (await wijk.locator('option').count()) - 1;
    const groups = page.locator('section.fan-group');
    assert.equal(await groups.count(), 13);
    assert.equal(await page.locator('section[aria-labelledby="waaier-stap-1-3"] .fan-item svg').count(), districts);
    assert.equal(await page.locator('section[aria-labelledby="waaier-stap-1-3"] .fan-item line.chart-target').count(), districts);
    await page.locator('#waaier').scrollIntoViewIfNeeded();
    await screenshot(page, `dashboard-fan-${width}`);
    // Drill down to products and providers: what was bought, no person.
    const products = page.getByRole('table', { name: 'Per product: gebruik en kosten' });
    const providers = page.getByRole('table', { name: 'Per aanbieder: gebruik en kosten' });
    for (const t of [products, providers]) {
      const head = await t.locator('thead').textContent();
      for (const col of ['Huishoudens', 'Kosten', 'Niet te prijzen']) assert.ok(head.includes(col), `column ${col}`);
      for (const n of await t.locator('tbody td:nth-child(2)').allTextContents()) {
        assert.ok(!['1', '2', '3', '4'].includes(n.trim()), `no count from 1 to 4: ${n}`);
      }
    }
    await page.locator('#inkoop').scrollIntoViewIfNeeded();
    await screenshot(page, `dashboard-inkoop-${width}`);
    // Charts are decoration for screen readers: the tables carry the figures.
    assert.equal(await page.locator('svg:not([aria-hidden=true])').count(), 0);
    const text = await page.locator('main').textContent();
    assert.ok(!/BSN/.test(text), 'no person on the dashboard');
    assert.equal(await page.locator('main a[href*="/dossier/"], main a[href*="/huishoudens/"]').count(), 0, 'no link to a person');
    await expectAccessible(page, `dashboard wijk ${width}`);
    await expectNoHorizontalScroll(page, `dashboard wijk ${width}`);
    await screenshot(page, `dashboard-${width}`);

    // Drill down from the district to one of its teams: the eight bakens per
    // quarter for that team, still aggregates only.
    const teamLinks = page.locator('#bakens ~ ul a, section[aria-labelledby="bakens"] ul a');
    if (await teamLinks.count() > 0) {
      const name = (await teamLinks.first().textContent()).trim();
      await teamLinks.first().click();
      const bakens = page.getByRole('table', { name: `Bakens per kwartaal: ${name}` });
      assert.equal(await bakens.locator('tbody tr').count(), 8, 'eight bakens');
      assert.equal(await bakens.locator('thead th').count(), 9, 'eight quarters');
      assert.equal(await page.locator('main a[href*="/dossier/"], main a[href*="/huishoudens/"]').count(), 0, 'no link to a person');
      await expectAccessible(page, `dashboard team ${width}`);
      await expectNoHorizontalScroll(page, `dashboard team ${width}`);
      await screenshot(page, `dashboard-team-${width}`);
      await page.goBack();
    }

    // The CSV download.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: /Alle tabellen downloaden/ }).click(),
    ]);
    assert.equal(download.suggestedFilename(), 'dashboard.csv');

    // The print layout: no menu, no filter form, no download link.
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('form.filter-form').isVisible(), false);
    assert.equal(await page.getByRole('link', { name: /Alle tabellen downloaden/ }).isVisible(), false);
    assert.ok(await pyramid.isVisible());
    await screenshot(page, `dashboard-print-${width}`);
    await page.context().close();
  });
}

for (const width of [390, 1280]) {
  test(`the beheerder sets the pyramid's targets at ${width} px`, async () => {
    const page = await newPage(browser, width);
    await login(page, server.url, 'beheerder');
    await page.goto(`${server.url}/start`);
    await page.getByRole('link', { name: 'Doelen van de piramide' }).first().click();
    await page.getByRole('heading', { level: 1, name: 'Doelen van de piramide' }).waitFor();
    await expectAccessible(page, `piramidedoelen ${width}`);
    await expectLabelled(page, `piramidedoelen ${width}`);
    await expectNoHorizontalScroll(page, `piramidedoelen ${width}`);
    const light = page.getByLabel(/Stap 1–3/);
    const middle = page.getByLabel(/Stap 4/);
    const heavy = page.getByLabel(/Stap 5/);
    const start = [await light.inputValue(), await middle.inputValue(), await heavy.inputValue()];
    // Not adding up to 100: refused, said next to the fields, nothing saved.
    await light.fill('80');
    await middle.fill('15');
    await heavy.fill('4');
    await page.getByRole('button', { name: 'Doelen opslaan' }).click();
    assert.match(await page.locator('#doelen-fout').textContent(), /De drie doelen tellen op tot 99%\./);
    await expectAccessible(page, `piramidedoelen fout ${width}`);
    await screenshot(page, `piramidedoelen-fout-${width}`);
    // A word where a number belongs: the message is tied to that field.
    await heavy.fill('vijf');
    await page.getByRole('button', { name: 'Doelen opslaan' }).click();
    assert.equal(await heavy.getAttribute('aria-invalid'), 'true');
    assert.match(await page.locator('#zwaar-fout').textContent(), /heel percentage/);
    // 80/15/5 (Amaryllis), or back to where the other width left them.
    const next = start[0] === '80' ? ['85', '10', '5'] : ['80', '15', '5'];
    await light.fill(next[0]);
    await middle.fill(next[1]);
    await heavy.fill(next[2]);
    await page.getByRole('button', { name: 'Doelen opslaan' }).click();
    assert.match(await page.getByRole('status').first().textContent(), /Opgeslagen\./);
    await expectAccessible(page, `piramidedoelen opgeslagen ${width}`);
    await screenshot(page, `piramidedoelen-${width}`);
    await page.context().close();

    // Beleid sees the new targets on the dashboard.
    const beleid = await newPage(browser, width);
    await login(beleid, server.url, 'beleid');
    await beleid.goto(`${server.url}/dashboard`);
    const pyramid = beleid.getByRole('table', { name: 'Piramide: huishoudens en kosten per laag' });
    assert.deepEqual(await pyramid.locator('tbody tr td:nth-child(4)').allTextContents(), next.map((t) => `${t}%`));
    await beleid.context().close();
  });
}

test('a generalist does not reach the dashboard', async () => {
  const page = await newPage(browser);
  await login(page, server.url, 'generalist');
  const res = await page.goto(`${server.url}/dashboard`);
  assert.equal(res.status(), 403);
  await page.context().close();
});
