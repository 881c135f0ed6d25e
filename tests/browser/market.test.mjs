// The buurtmarktplaats in a real browser: (a) a woman without internet phones
// the makelaar with an urgent shopping ask, is registered as a proxy
// participant and matched, and the helper never sees her number; (b) a
// resident's "way to give" from the wijzer becomes an offer matched to a
// school's ask; (c) beleid sees new participants per month and matches per
// district with protected cells. axe-core and the label check on every page
// at 390 and 1280 px; a public sign-up at phone width.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, newPage, login, expectAccessible, screenshot } from './lib.mjs';

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

const PHONE = '06 12345678';


/** Joins the marketplace with a logged-in account; the demo shows the verification link. */
async function join(page, name, email) {
  await page.goto(`${server.url}/buurtmarktplaats`);
  await page.getByLabel('Naam die anderen zien').fill(name);
  await page.getByLabel('Uw wijk').selectOption({ index: 1 });
  await page.getByLabel('E-mailadres').fill(email);
  await page.getByRole('button', { name: 'Meedoen' }).click();
  await page.waitForURL(/\/buurtmarktplaats\/bevestigen/);
  assert.match(await page.locator('main').textContent(), /Uw e-mailadres is bevestigd/);
}

test('(a) an urgent shopping ask by phone: a proxy participant, matched, her number never shown to the helper', async () => {
  const makelaar = await newPage(browser, 1280);
  await login(makelaar, server.url, 'makelaar');
  await makelaar.goto(`${server.url}/makelaar`);
  await expectAccessible(makelaar, 'makelaar');
  await screenshot(makelaar, 'market-makelaar-1280');
  // Bad input: the field is named and nothing is written.
  await makelaar.getByLabel('Naam', { exact: true }).fill('Mevrouw Bakker');
  await makelaar.getByLabel(/Telefoonnummer/).fill('12');
  await makelaar.getByRole('button', { name: 'Inschrijven' }).click();
  assert.match(await makelaar.locator('#telefoon-fout').textContent(), /telefoonnummer/i);
  assert.match(await makelaar.locator('main').textContent(), /Kies de wijk/);
  await expectAccessible(makelaar, 'makelaar, fout bij inschrijven');
  await makelaar.getByLabel(/Telefoonnummer/).fill(PHONE);
  await makelaar.getByLabel('Wijk', { exact: true }).selectOption({ index: 1 });
  await makelaar.getByLabel(/Anoniem/).check();
  await makelaar.getByRole('button', { name: 'Inschrijven' }).click();
  await makelaar.waitForURL(/\/makelaar\/deelnemers\/\d+(#.*)?$/);
  const proxyUrl = makelaar.url().replace(/#.*$/, '');
  assert.equal(await makelaar.locator('h1').textContent(), 'Deelnemer Mevrouw Bakker');
  assert.match(await makelaar.locator('.facts').textContent(), /0612345678/);
  await expectAccessible(makelaar, 'deelnemer via de makelaar');
  await makelaar.getByLabel('Ik vraag hulp').check();
  await makelaar.getByLabel('Soort hulp').selectOption({ label: 'Boodschappen' });
  await makelaar.getByLabel('Titel').fill('Boodschappen deze week, ik ben ziek');
  await makelaar.getByLabel(/Omschrijving/).fill('Brood, melk en fruit van de supermarkt.');
  await makelaar.getByLabel(/^Spoed/).check();
  await makelaar.getByRole('button', { name: 'Plaatsen' }).click();
  await makelaar.waitForURL(/\/makelaar\/deelnemers\/\d+/);
  assert.match(await makelaar.locator('#vragen ~ section').first().textContent(), /Boodschappen deze week/);
  await makelaar.goto(`${server.url}/makelaar`);
  const queued = makelaar.locator('.card', { hasText: 'Boodschappen deze week' });
  assert.equal(await queued.count(), 1, 'the urgent ask is in the queue');
  assert.match(await queued.textContent(), /Buurtbewoner \(anoniem\)/);
  await screenshot(makelaar, 'market-queue-1280');

  // A volunteer joins and offers to help; she only ever sees "Buurtbewoner (anoniem)".
  const helper = await newPage(browser, 390);
  await login(helper, server.url, 'vrijwilliger');
  await helper.goto(`${server.url}/buurtmarktplaats`);
  await expectAccessible(helper, 'buurtmarktplaats, nog niet meegedaan (390)');
  await join(helper, 'Karel', 'karel@example.org');
  await expectAccessible(helper, 'e-mailadres bevestigd (390)');
  await helper.goto(`${server.url}/buurtmarktplaats?spoed=1&woorden=boodschappen`);
  await expectAccessible(helper, 'buurtmarktplaats, gezocht (390)');
  await screenshot(helper, 'market-overview-390');
  await helper.getByRole('link', { name: 'Boodschappen deze week, ik ben ziek' }).click();
  await expectAccessible(helper, 'spoedvraag (390)');
  await screenshot(helper, 'market-listing-390');
  await helper.getByRole('button', { name: 'Ik kan helpen' }).click();
  await helper.waitForURL(/\/buurtmarktplaats\/koppeling\/\d+$/);
  const matchPath = new URL(helper.url()).pathname;
  assert.match(await helper.locator('main').textContent(), /Wacht op antwoord van Buurtbewoner \(anoniem\)/);
  await expectAccessible(helper, 'koppeling voorgesteld (390)');

  // The makelaar accepts and agrees to share on her behalf.
  await makelaar.goto(proxyUrl);
  await makelaar.locator('#koppelingen + ul a').first().click();
  await makelaar.waitForURL(/\/makelaar\/koppeling\/\d+\?namens=\d+/);
  assert.match(await makelaar.locator('main').textContent(), /U handelt namens Mevrouw Bakker/);
  await expectAccessible(makelaar, 'koppeling namens een deelnemer');
  const proxyMatchUrl = makelaar.url();
  await makelaar.getByRole('button', { name: 'Accepteren' }).click();
  await makelaar.getByRole('button', { name: 'Ik wil mijn contactgegevens delen' }).click();
  await makelaar.getByLabel(/Bericht aan/).fill('Mevrouw is vanmiddag thuis. Bel aan bij de buren als zij niet opendoet.');
  await makelaar.getByRole('button', { name: 'Versturen' }).click();

  // The helper agrees too: contact goes through the makelaar, and no number appears.
  await helper.goto(`${server.url}${matchPath}`);
  await helper.getByRole('button', { name: 'Ik wil mijn contactgegevens delen' }).click();
  const text = await helper.locator('main').textContent();
  assert.match(text, /loopt via de makelaar/);
  assert.match(text, /Mevrouw is vanmiddag thuis/);
  assert.ok(!text.includes('12345678') && !text.includes('Bakker'), 'the helper never sees her number or name');
  await expectAccessible(helper, 'koppeling, contact gedeeld (390)');
  await screenshot(helper, 'market-match-390');

  // The helper asks for her bank card; she has no account, so the makelaar reports it for her.
  await helper.getByLabel(/Bericht aan/).fill('Geeft u mij uw pinpas en pincode mee?');
  await helper.getByRole('button', { name: 'Versturen' }).click();
  for (const width of [390, 1280]) {
    await makelaar.setViewportSize({ width, height: 900 });
    await makelaar.goto(proxyMatchUrl);
    await makelaar.getByText('Meld dit bericht').click();
    await expectAccessible(makelaar, `bericht melden namens een deelnemer (${width})`);
    await screenshot(makelaar, `market-report-on-behalf-${width}`);
  }
  await makelaar.getByRole('button', { name: 'Melden bij de makelaar' }).click();
  assert.match(await makelaar.locator('[id^="reden-"][id$="-fout"]').textContent(), /Schrijf waarom/);
  await expectAccessible(makelaar, 'bericht melden zonder reden');
  await makelaar.getByLabel('Waarom meldt Mevrouw Bakker dit bericht?').fill('Vraagt om haar pinpas en pincode');
  await makelaar.getByRole('button', { name: 'Melden bij de makelaar' }).click();
  assert.match(await makelaar.locator('main').textContent(), /De melding staat in de wachtrij van de makelaars/);
  await makelaar.goto(`${server.url}/makelaar`);
  assert.match(await makelaar.locator('main').textContent(), /Vraagt om haar pinpas en pincode/);

  // Answered within the norm, as the makelaar's queue says.
  await makelaar.goto(`${server.url}/makelaar`);
  assert.match(await makelaar.locator('.card', { hasText: 'Boodschappen deze week' }).textContent(), /eerste reactie binnen de norm/);
  await makelaar.context().close();
  await helper.context().close();
});

test('(b) a way to give from the wijzer becomes an offer, matched to a school\'s ask', async () => {
  const page = await newPage(browser, 1280);
  await login(page, server.url, 'inwoner');
  await page.goto(`${server.url}/wijzer`);
  await page.getByLabel('Wat is uw vraag?').fill('Ik wil een scootmobiel, mijn heup is slecht');
  await page.getByRole('button', { name: 'Volgende stap' }).click();
  await page.waitForURL(/\/wijzer\/situatie$/);
  await page.getByLabel('Lezen').check();
  await page.getByLabel('Onder de mensen zijn').check();
  await page.getByLabel('In welke wijk woont u?').selectOption({ label: 'Noord' });
  await page.getByRole('button', { name: 'Laat zien wat past' }).click();
  await page.waitForURL(/\/wijzer\/resultaat$/);
  const offer = page.locator('.give .suggestion', { hasText: 'Voorlezen op de basisschool' }).first()
    .getByRole('link', { name: /^Bied dit aan op de buurtmarktplaats/ });
  const href = await offer.getAttribute('href');
  assert.match(href, /^\/buurtmarktplaats\/nieuw\?soort=aanbod/);
  await join(page, 'Ria', 'ria@example.org');
  await page.goto(`${server.url}${href}`);
  await expectAccessible(page, 'aanbod, ingevuld vanuit de wijzer');
  await screenshot(page, 'market-form-1280');
  assert.equal(await page.getByLabel('Ik bied hulp aan').isChecked(), true);
  assert.match(await page.getByLabel('Titel').inputValue(), /^Voorlezen op de basisschool/);
  assert.equal(await page.getByLabel('Soort hulp').locator('option:checked').textContent(), 'Voorlezen');
  await page.getByRole('button', { name: 'Plaatsen' }).click();
  await page.waitForURL(/\/buurtmarktplaats\/\d+\?geplaatst=1$/);
  await expectAccessible(page, 'aanbod geplaatst, met suggesties');
  await screenshot(page, 'market-suggestions-1280');
  const school = page.locator('.card', { hasText: 'Voorlezen in groep 3 en 4' });
  assert.equal(await school.count(), 1, 'the school\'s ask is suggested');
  assert.match(await school.textContent(), /Waarom dit past: .*Voorlezen/);
  await school.getByRole('button', { name: /Voorstellen aan Basisschool De Vlinder/ }).click();
  await page.waitForURL(/\/buurtmarktplaats\/koppeling\/\d+$/);
  assert.match(await page.locator('main').textContent(), /Wacht op antwoord van Basisschool De Vlinder/);

  // The school is reached by the makelaar, who accepts for it.
  const makelaar = await newPage(browser, 390);
  await login(makelaar, server.url, 'makelaar');
  await makelaar.goto(`${server.url}/makelaar`);
  await makelaar.getByRole('link', { name: 'Basisschool De Vlinder' }).click();
  await expectAccessible(makelaar, 'deelnemer via de makelaar (390)');
  await makelaar.locator('#koppelingen + ul a').first().click();
  await makelaar.getByRole('button', { name: 'Accepteren' }).click();
  assert.match(await makelaar.locator('.facts').textContent(), /Geaccepteerd|geaccepteerd/);
  await page.reload();
  assert.match(await page.locator('.facts').textContent(), /Geaccepteerd|geaccepteerd/);
  await makelaar.context().close();
  await page.context().close();
});

test('(c) beleid sees new participants per month and matches per district, no cell 1–4', async () => {
  for (const width of [1280, 390]) {
    const page = await newPage(browser, width);
    await login(page, server.url, 'beleid');
    await page.goto(`${server.url}/buurtmarktplaats/cijfers`);
    await expectAccessible(page, `cijfers (${width})`);
    await screenshot(page, `market-figures-${width}`);
    const months = await page.locator('table').first().locator('tbody td').allTextContents();
    assert.ok(months.length > 0, 'new participants per month are shown');
    const perDistrict = page.getByRole('region', { name: 'Koppelingen per wijk' });
    const cells = await perDistrict.locator('tbody td').allTextContents();
    assert.ok(cells.length > 0, 'matches per district are shown');
    for (const cell of await page.locator('td').allTextContents()) {
      const n = Number(cell.trim());
      assert.ok(cell.trim().startsWith('<') || !(n >= 1 && n <= 4), `a cell shows ${cell}`);
    }
    // No person appears here.
    assert.ok(!(await page.locator('main').textContent()).includes('Basisschool'));
    await page.context().close();
  }
});

test('a resident signs up on a phone; beheer keeps the categories', async () => {
  const page = await newPage(browser, 390);
  await page.goto(`${server.url}/buurtmarktplaats/aanmelden`);
  await expectAccessible(page, 'aanmelden (390)');
  await page.getByRole('button', { name: 'Aanmelden' }).click();
  assert.match(await page.locator('main').textContent(), /Vul een e-mailadres in/);
  await expectAccessible(page, 'aanmelden, fouten (390)');
  await page.getByLabel('E-mailadres').fill('sanne@example.org');
  await page.getByLabel('Naam die anderen zien').fill('Sanne');
  await page.getByLabel('Uw wijk').selectOption({ index: 1 });
  await page.getByLabel(/Wachtwoord/).fill('een lange zin als wachtwoord 2026');
  await page.getByRole('button', { name: 'Aanmelden' }).click();
  await expectAccessible(page, 'aanmelden, bijna klaar (390)');
  await screenshot(page, 'market-signup-390');
  await page.getByRole('link', { name: 'Bevestig uw e-mailadres hier' }).click();
  assert.match(await page.locator('main').textContent(), /Uw e-mailadres is bevestigd/);
  await login(page, server.url, 'sanne@example.org', 'een lange zin als wachtwoord 2026');
  await page.goto(`${server.url}/buurtmarktplaats/nieuw?soort=vraag`);
  await expectAccessible(page, 'vraag plaatsen (390)');
  await page.getByRole('button', { name: 'Plaatsen' }).click();
  assert.match(await page.locator('main').textContent(), /Kies een soort hulp/);
  await expectAccessible(page, 'vraag plaatsen, fouten (390)');
  await page.context().close();

  for (const width of [1280, 390]) {
    const admin = await newPage(browser, width);
    await login(admin, server.url, 'beheerder');
    await admin.goto(`${server.url}/beheer/buurtmarktplaats`);
    await expectAccessible(admin, `beheer buurtmarktplaats (${width})`);
    await screenshot(admin, `market-beheer-${width}`);
    await admin.context().close();
  }
});
