// Volunteer work and mantelzorg in a real browser, at 390 and 1280 px with
// axe-core and the label check on every page: a volunteer keeps a profile
// (a bad VOG date refused, the field named) and applies to a vacancy; the
// ServicePunt consultant places her; a provider posts a vacancy; a carer fills
// in the EDIZ, finds a heavy burden and asks the wijkteam, with consent, to
// call; the mantelzorgconsulent sees the carers; a generalist registers a carer
// from a household's network.
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

/** Opens a page at both widths, checks it and takes screenshots. */
async function walk(username, path, name) {
  for (const width of [390, 1280]) {
    const page = await newPage(browser, width);
    await login(page, server.url, username);
    await page.goto(`${server.url}${path}`);
    await expectAccessible(page, `${name} ${width}`);
    await screenshot(page, `care-${name}-${width}`);
    await page.close();
  }
}

test('a volunteer keeps her profile, is reminded of her VOG and applies; the consultant places her', async () => {
  await walk('vrijwilliger', '/vrijwilligerswerk', 'vrijwilliger');
  const page = await newPage(browser, 390);
  await login(page, server.url, 'vrijwilliger');
  await page.goto(`${server.url}/vrijwilligerswerk`);
  assert.match(await page.locator('main').textContent(), /VOG nog 21 dagen geldig/);
  await page.getByLabel(/Uw VOG is geldig tot/).fill('31-02-2027');
  await page.getByRole('button', { name: 'Profiel opslaan' }).click();
  assert.match(await page.locator('#vog_tot-fout').textContent(), /VOG/);
  await expectAccessible(page, 'vrijwilliger, fout in profiel');
  await page.getByLabel(/Uw VOG is geldig tot/).fill('31-12-2030');
  await page.getByLabel('Avonden').check();
  await page.getByRole('button', { name: 'Profiel opslaan' }).click();
  assert.match(await page.locator('main').textContent(), /Uw profiel is opgeslagen/);
  await page.locator('li.card', { hasText: 'Kok voor de buurtmaaltijd' }).getByLabel('Waarom past dit bij u?').fill('Ik kook graag voor veel mensen.');
  await page.getByRole('button', { name: /Aanmelden voor Kok voor de buurtmaaltijd/ }).click();
  assert.match(await page.locator('main').textContent(), /U bent aangemeld/);
  await page.close();

  await walk('makelaar', '/servicepunt', 'servicepunt');
  const makelaar = await newPage(browser, 1280);
  await login(makelaar, server.url, 'makelaar');
  await makelaar.goto(`${server.url}/servicepunt`);
  const card = makelaar.locator('section.card', { hasText: 'Kok voor de buurtmaaltijd' });
  await card.getByLabel('Plaatsen', { exact: true }).check();
  await card.getByRole('button', { name: 'Besluit opslaan' }).click();
  assert.match(await makelaar.locator('main').textContent(), /Vul de startdatum in/);
  await expectAccessible(makelaar, 'servicepunt, fout');
  const again = makelaar.locator('section.card', { hasText: 'Kok voor de buurtmaaltijd' });
  await again.getByLabel('Plaatsen', { exact: true }).check();
  await again.getByLabel(/Startdatum/).fill('01-02-2027');
  await again.getByRole('button', { name: 'Besluit opslaan' }).click();
  assert.match(await makelaar.locator('main').textContent(), /Het besluit is opgeslagen/);
  await makelaar.close();
});

test('providers and the consultant post vacancies', async () => {
  await walk('aanbieder', '/vacatures', 'vacatures-aanbieder');
  await walk('makelaar', '/vacatures', 'vacatures-makelaar');
  const page = await newPage(browser, 1280);
  await login(page, server.url, 'aanbieder');
  await page.goto(`${server.url}/vacatures`);
  await page.getByRole('button', { name: 'Vacature plaatsen' }).click();
  assert.match(await page.locator('#titel-fout').textContent(), /titel/);
  await expectAccessible(page, 'vacatures, fout');
  await page.getByLabel('Titel').fill('Chauffeur voor de boodschappenbus');
  await page.getByLabel('Wat doet de vrijwilliger?').fill('Op donderdag ouderen naar de markt rijden en terug.');
  await page.getByLabel(/VOG nodig/).check();
  await page.getByRole('button', { name: 'Vacature plaatsen' }).click();
  assert.match(await page.locator('main').textContent(), /Chauffeur voor de boodschappenbus/);
  await page.close();
});

test('a carer with a heavy burden asks the wijkteam to call, with consent; the consultant and the generalist', async () => {
  await walk('inwoner', '/mantelzorg', 'mantelzorg');
  const page = await newPage(browser, 390);
  await login(page, server.url, 'inwoner');
  await page.goto(`${server.url}/mantelzorg`);
  assert.match(await page.locator('main').textContent(), /Matig belast/);
  for (let i = 1; i <= 9; i += 1) {
    await page.locator(`fieldset.ediz:nth-of-type(${i})`).getByLabel('Ja!', { exact: true }).check();
  }
  await page.getByRole('button', { name: 'Uitkomst bekijken' }).click();
  assert.match(await page.locator('#uitkomst').textContent(), /Zwaar belast/);
  await page.getByRole('button', { name: 'Vraag het wijkteam om contact' }).click();
  assert.match(await page.locator('#toestemming-fout').textContent(), /vinkje/);
  await expectAccessible(page, 'mantelzorg, geen toestemming');
  await page.getByLabel(/het wijkteam mag contact met mij opnemen/).check();
  await page.getByRole('button', { name: 'Vraag het wijkteam om contact' }).click();
  assert.match(await page.locator('main').textContent(), /Het wijkteam heeft uw vraag gekregen/);
  await expectAccessible(page, 'mantelzorg, na het signaal');
  await screenshot(page, 'care-mantelzorg-zwaar-390');
  await page.close();

  await walk('makelaar', '/mantelzorgconsulent', 'mantelzorgconsulent');
  await walk('generalist', '/huishoudens/1/mantelzorgers', 'netwerk');
  const generalist = await newPage(browser, 1280);
  await login(generalist, server.url, 'generalist');
  await generalist.goto(`${server.url}/signalen`);
  assert.match(await generalist.locator('main').textContent(), /Overbelaste mantelzorger/);
  await generalist.close();
});

test('beheer sets the mantelzorgwaardering; the dossier links to the household\'s carers', async () => {
  await walk('beheerder', '/beheer/mantelzorg', 'beheer-mantelzorg');
  const page = await newPage(browser, 390);
  await login(page, server.url, 'beheerder');
  await page.goto(`${server.url}/beheer/mantelzorg`);
  await page.getByLabel(/Bedrag van de bijdrage/).fill('duizend');
  await page.getByRole('button', { name: 'Instellingen opslaan' }).click();
  assert.match(await page.locator('#bedrag-fout').textContent(), /bedrag/);
  await expectAccessible(page, 'beheer mantelzorg, fout bedrag (390)');
  await screenshot(page, 'care-beheer-mantelzorg-fout-390');
  await page.getByLabel(/Bedrag van de bijdrage/).fill('125');
  await page.getByRole('button', { name: 'Instellingen opslaan' }).click();
  assert.match(await page.locator('main').textContent(), /Opgeslagen/);
  assert.match(await page.locator('main').textContent(), /125 euro/);
  await page.close();

  const generalist = await newPage(browser, 390);
  await login(generalist, server.url, 'generalist');
  await generalist.goto(`${server.url}/dossier/1`);
  await generalist.getByRole('link', { name: /Mantelzorgers: meld iemand uit het netwerk aan/ }).click();
  await generalist.waitForURL(/\/huishoudens\/1\/mantelzorgers$/);
  await expectAccessible(generalist, 'netwerk via het dossier (390)');
  await generalist.close();
});
