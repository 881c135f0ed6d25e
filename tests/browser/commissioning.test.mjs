// Commissioning on results in a real browser (issue 13): beleid writes a goal
// on the social agenda, a commission to the demo's welfare provider and its
// indicators — "aantal activiteiten" as a paid indicator is refused with the
// reason from the seeds —; the aanbieder fills its report (Baken's figures
// prefilled) and submits; beleid accepts; the settlement shows its basis and
// is recorded. The demo's Rotterdam-Centrum commission shows its payment.
// axe-core at 390 and 1280 px on every new page, with screenshots.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, newPage, login, expectAccessible, expectNoHorizontalScroll, screenshot } from './lib.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** axe-core and the phone-width check at 390 and 1280 px, every <details> open. */
async function checkBothWidths(username, path, label) {
  for (const width of [390, 1280]) {
    const page = await newPage(browser, width);
    await login(page, server.url, username);
    const res = await page.goto(`${server.url}${path}`);
    assert.equal(res.status(), 200, `${label}: ${path}`);
    await page.$$eval('details', (ds) => ds.forEach((d) => { d.open = true; }));
    await expectAccessible(page, `${label} at ${width}px`);
    await expectNoHorizontalScroll(page, label);
    await screenshot(page, `commissioning-${label.replace(/\W+/g, '-')}-${width}`);
    await page.context().close();
  }
}

test('beleid commissions on results, the aanbieder reports, beleid accepts and settles', async () => {
  const beleid = await newPage(browser);
  await login(beleid, server.url, 'beleid');

  // The demo: Rotterdam-Centrum's commission, settled, with its basis.
  await beleid.goto(`${server.url}/opdrachtgeverschap`);
  await beleid.getByRole('link', { name: /betalen voor resultaat/ }).first().click();
  await beleid.getByRole('heading', { name: 'Vaststelling na afloop' }).waitFor();
  const demoBody = await beleid.locator('main').innerText();
  assert.match(demoBody, /€ 400\.000,00/);
  assert.match(demoBody, /Actieve vrijwilligers in de wijk/);
  const provider = (await beleid.locator('dt', { hasText: 'Aanbieder' }).locator('xpath=following-sibling::dd').innerText()).trim();

  // A goal on the social agenda.
  await beleid.goto(`${server.url}/opdrachtgeverschap`);
  await beleid.locator('summary', { hasText: 'Doel toevoegen' }).click();
  await beleid.getByLabel('Doel, in gewone taal').fill('Minder eenzaamheid onder ouderen in de hele stad');
  await beleid.getByLabel('Baken', { exact: true }).selectOption('2');
  await beleid.getByRole('button', { name: 'Doel toevoegen' }).click();
  await beleid.getByText('Het doel staat op de sociale agenda.').waitFor();

  // The commission.
  await beleid.locator('summary', { hasText: 'Opdracht geven' }).click();
  const form = beleid.locator('form[action="/opdrachtgeverschap/opdrachten"]');
  await form.getByLabel('Titel', { exact: true }).fill('Maatjes voor ouderen 2025');
  await form.getByLabel('Soort', { exact: true }).selectOption('subsidie');
  await form.getByLabel('Aanbieder', { exact: true }).selectOption({ label: provider });
  await form.getByLabel(/Minder eenzaamheid onder ouderen in de hele stad/).check();
  await form.getByLabel('Van', { exact: true }).fill('2025-01-01');
  await form.getByLabel('Tot en met').fill('2025-12-31');
  await form.getByLabel('Budget in euro').fill('50.000,00');
  await form.getByLabel('Sturingsmodel', { exact: true }).selectOption('partnerschap');
  await form.getByLabel('Uitvoeringsvariant', { exact: true }).selectOption('prestatie');
  await form.getByLabel(/Ketenpartners/).fill('Wijkteam Centrum\nHuisartsen');
  await form.getByLabel('Vast deel in procenten').fill('80');
  await form.getByLabel('Aantal voorschotten').fill('2');
  await form.getByRole('button', { name: 'Opdracht vastleggen' }).click();
  await beleid.getByRole('heading', { name: 'Maatjes voor ouderen 2025' }).waitFor();
  const commissionUrl = beleid.url().split('?')[0];

  // "Aantal activiteiten" as a paid indicator: refused with the reason.
  const addIndicator = async (fields) => {
    await beleid.locator('summary', { hasText: 'Indicator toevoegen' }).click();
    const f = beleid.locator('form[action*="/indicatoren"]');
    await f.getByLabel('Naam', { exact: true }).fill(fields.name);
    await f.getByLabel(/Definitie: wat wordt/).fill(fields.definition);
    await f.getByLabel('Soort', { exact: true }).selectOption('effect');
    await f.getByLabel('Bron', { exact: true }).selectOption('aanbieder');
    await f.getByLabel('Gebruik', { exact: true }).selectOption(fields.role);
    await f.getByLabel('Nulmeting', { exact: true }).fill(fields.baseline);
    await f.getByLabel('Streefwaarde', { exact: true }).fill(fields.target);
    await f.getByLabel('Hoe vaak rapporteren').selectOption('jaar');
    await f.getByRole('button', { name: 'Indicator toevoegen' }).click();
  };
  await addIndicator({ name: 'Aantal activiteiten', definition: 'Het aantal activiteiten in het buurthuis per jaar.', role: 'betaald', baseline: '40', target: '60' });
  await beleid.getByRole('alert').filter({ hasText: 'mag alleen als context' }).waitFor();
  assert.match(await beleid.getByRole('alert').innerText(), /niet op activiteitenniveau/);
  await beleid.goto(commissionUrl);
  await addIndicator({ name: 'Ouderen met een maatje', definition: 'Ouderen die een vast maatje hebben op 31 december.', role: 'betaald', baseline: '100', target: '120' });
  await beleid.getByText('De indicator is toegevoegd.').waitFor();
  await beleid.getByRole('heading', { name: 'Ouderen met een maatje' }).waitFor();
  const reportLink = beleid.locator('#rapportages ~ ul a').first();
  const reportPath = new URL(await reportLink.getAttribute('href'), server.url).pathname;
  const reportId = reportPath.split('/').pop();

  // The aanbieder fills its report and submits.
  const aanbieder = await newPage(browser);
  await login(aanbieder, server.url, 'aanbieder');
  await aanbieder.goto(`${server.url}/aanbod/opdrachten`);
  await aanbieder.getByRole('heading', { name: 'Maatjes voor ouderen 2025' }).waitFor();
  await aanbieder.goto(`${server.url}/aanbod/rapportages/${reportId}`);
  await aanbieder.getByLabel('Uw cijfer').fill('115');
  await aanbieder.getByLabel(/Bewijs: document/).fill('Maatjesregistratie, peildatum 31-12-2025');
  await aanbieder.getByLabel(/Wat heeft de inzet opgeleverd/).fill('Honderdvijftien ouderen hebben nu een vast maatje; samen met het wijkteam.');
  await aanbieder.getByRole('button', { name: 'Rapportage indienen' }).click();
  await aanbieder.getByText('De rapportage is ingediend.').waitFor();

  // Beleid accepts; the settlement shows with its basis and is recorded.
  await beleid.goto(`${server.url}/opdrachtgeverschap/rapportages/${reportId}`);
  await beleid.getByRole('button', { name: 'Rapportage accepteren' }).click();
  await beleid.getByText('De rapportage is geaccepteerd.').waitFor();
  await beleid.goto(commissionUrl);
  await beleid.getByRole('heading', { name: 'Vaststelling na afloop' }).waitFor();
  // 80 % of € 50.000 fixed; 75 % of the € 10.000 results share.
  const basis = await beleid.locator('table', { hasText: 'Grondslag' }).innerText();
  assert.match(basis, /€ 40\.000,00/);
  assert.match(basis, /€ 7\.500,00/);
  await beleid.getByRole('button', { name: 'Vaststelling vastleggen' }).click();
  await beleid.getByText('De vaststelling is vastgelegd.').waitFor();
  assert.match(await beleid.locator('table', { hasText: 'Betalingen' }).innerText(), /Vaststelling/);
  await beleid.context().close();
  await aanbieder.context().close();

  // Every new page: axe-core at 390 and 1280 px.
  const commissionPath = new URL(commissionUrl).pathname;
  const id = commissionPath.split('/').pop();
  await checkBothWidths('beleid', '/opdrachtgeverschap', 'overview');
  await checkBothWidths('beleid', '/opdrachtgeverschap/opdrachten/1', 'demo commission');
  await checkBothWidths('beleid', commissionPath, 'commission');
  await checkBothWidths('beleid', `/opdrachtgeverschap/rapportages/${reportId}`, 'report beleid');
  await checkBothWidths('beleid', '/opdrachtgeverschap/betalingen', 'payments');
  await checkBothWidths('aanbieder', '/aanbod/opdrachten', 'provider overview');
  await checkBothWidths('aanbieder', `/aanbod/opdrachten/${id}`, 'provider commission');
  await checkBothWidths('aanbieder', '/aanbod/rapportages/1', 'provider report');
});
