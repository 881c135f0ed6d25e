// The platform foundation in a real browser: every role's start page, every page
// accessible (axe-core), phone and desktop widths, audit visible to the resident.
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

const ROLES = {
  inwoner: ['/start', '/account', '/mijn-huishouden', '/mijn-huishouden/inzage'],
  vrijwilliger: ['/start', '/account'],
  makelaar: ['/start', '/account'],
  generalist: ['/start', '/account', '/huishoudens', '/huishoudens?postcode=1011', '/huishoudens/1'],
  teamleider: ['/start', '/huishoudens', '/cijfers'],
  aanbieder: ['/start', '/account'],
  beleid: ['/start', '/cijfers'],
  beheerder: ['/start', '/beheer/gebruikers', '/beheer/gebruikers/nieuw', '/beheer/gebruikers/1', '/beheer/teams', '/beheer/wijken', '/beheer/audit'],
};

const ROLE_LABELS = {
  inwoner: 'Inwoner', vrijwilliger: 'Vrijwilliger', makelaar: 'Sociaal makelaar', generalist: 'Generalist (wijkteam)',
  teamleider: 'Teamleider', aanbieder: 'Aanbieder', beleid: 'Beleidsmedewerker', beheerder: 'Beheerder',
};

test('the login page is accessible and says what to do', async () => {
  const page = await newPage(browser);
  await page.goto(`${server.url}/inloggen`);
  assert.equal(await page.locator('h1').textContent(), 'Inloggen');
  assert.equal(await page.getAttribute('html', 'lang'), 'nl');
  await expectAccessible(page, 'inloggen');
  await page.context().close();
});

test('a wrong password gives a Dutch error and keeps the user name', async () => {
  const page = await newPage(browser);
  await login(page, server.url, 'beleid', 'dit-is-niet-het-wachtwoord');
  assert.match(await page.locator('[role=alert]').textContent(), /Gebruikersnaam of wachtwoord klopt niet/);
  assert.equal(await page.getByLabel('Gebruikersnaam').inputValue(), 'beleid');
  await expectAccessible(page, 'inloggen met fout');
  await page.context().close();
});

for (const [role, paths] of Object.entries(ROLES)) {
  test(`${role}: start page and every page of the role pass axe-core`, async () => {
    const page = await newPage(browser);
    await login(page, server.url, role);
    await page.waitForURL(/\/start$/);
    assert.match(await page.locator('h1').textContent(), /^Welkom, Demo /);
    assert.match(await page.locator('.facts').textContent(), new RegExp(ROLE_LABELS[role].replace(/[()]/g, '\\$&')));
    for (const path of paths) {
      const res = await page.goto(`${server.url}${path}`);
      assert.equal(res.status(), 200, `${role} ${path}`);
      await expectAccessible(page, `${role} ${path}`);
    }
    await page.context().close();
  });
}

test('Dutch 403 and 404 pages are accessible', async () => {
  const page = await newPage(browser);
  await login(page, server.url, 'generalist');
  let res = await page.goto(`${server.url}/beheer/gebruikers`);
  assert.equal(res.status(), 403);
  assert.equal(await page.locator('h1').textContent(), 'Geen toegang');
  await expectAccessible(page, '403');
  res = await page.goto(`${server.url}/bestaat-niet`);
  assert.equal(res.status(), 404);
  assert.equal(await page.locator('h1').textContent(), 'Pagina niet gevonden');
  await expectAccessible(page, '404');
  await page.context().close();
});

test('the skip link is the first stop for the keyboard and leads to the content', async () => {
  const page = await newPage(browser);
  await page.goto(`${server.url}/inloggen`);
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => document.activeElement?.textContent);
  assert.equal(focused, 'Direct naar de inhoud');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'inhoud');
  await page.context().close();
});

test('pages fit a 390 px phone and a 1280 px screen (screenshots in tests/browser/out)', async () => {
  for (const width of [390, 1280]) {
    const page = await newPage(browser, width);
    await page.goto(`${server.url}/inloggen`);
    await expectNoHorizontalScroll(page, `inloggen @${width}`);
    await screenshot(page, `inloggen-${width}`);
    await login(page, server.url, 'generalist');
    for (const [path, name] of [['/start', 'start-generalist'], ['/huishoudens', 'huishoudens'], ['/huishoudens/1', 'huishouden']]) {
      await page.goto(`${server.url}${path}`);
      await expectNoHorizontalScroll(page, `${path} @${width}`);
      await screenshot(page, `${name}-${width}`);
    }
    await page.context().close();
  }
});

test('a resident sees that the generalist looked at their household', async () => {
  const generalist = await newPage(browser);
  await login(generalist, server.url, 'generalist');
  await generalist.goto(`${server.url}/huishoudens/1`);
  assert.match(await generalist.locator('h1').textContent(), /^Huishouden /);
  await generalist.context().close();

  const resident = await newPage(browser);
  await login(resident, server.url, 'inwoner');
  await resident.goto(`${server.url}/mijn-huishouden/inzage`);
  const rows = await resident.locator('tbody tr').allTextContents();
  assert.ok(rows.some((r) => r.includes('generalist') && r.includes('ingezien')), `no read by the generalist in: ${rows.join(' | ')}`);
  await expectAccessible(resident, 'inzage');
  await resident.context().close();
});

test('a beheerder gets Dutch field errors for bad input, then creates the user', async () => {
  const page = await newPage(browser);
  await login(page, server.url, 'beheerder');
  await page.goto(`${server.url}/beheer/gebruikers/nieuw`);
  await page.getByLabel('Gebruikersnaam').fill('Nieuwe Collega');
  await page.getByLabel('Naam', { exact: true }).fill('Nieuwe Collega');
  await page.getByLabel('Rol').selectOption('generalist');
  await page.getByLabel('Eerste wachtwoord').fill('kort');
  await page.getByRole('button', { name: 'Opslaan' }).click();
  assert.match(await page.locator('#gebruikersnaam-fout').textContent(), /kleine letters/);
  assert.match(await page.locator('#team-fout').textContent(), /team/);
  assert.match(await page.locator('#wachtwoord-fout').textContent(), /minstens 12 tekens/);
  assert.equal(await page.getByLabel('Naam', { exact: true }).inputValue(), 'Nieuwe Collega', 'the form keeps what was typed');
  await expectAccessible(page, 'gebruiker met fouten');

  await page.getByLabel('Gebruikersnaam').fill('nieuwe.collega');
  await page.getByLabel('Team').selectOption({ label: 'Wijkteam Noord' });
  await page.getByLabel('Eerste wachtwoord').fill('een-lang-genoeg-wachtwoord');
  await page.getByRole('button', { name: 'Opslaan' }).click();
  await page.waitForURL(/opgeslagen=nieuw/);
  assert.match(await page.locator('[role=status]').textContent(), /aangemaakt/);
  assert.ok((await page.locator('tbody').textContent()).includes('nieuwe.collega'));
  await page.context().close();

  const fresh = await newPage(browser);
  await login(fresh, server.url, 'nieuwe.collega', 'een-lang-genoeg-wachtwoord');
  await fresh.waitForURL(/\/start$/);
  await fresh.context().close();
});

test('the audit log page shows the refused access', async () => {
  const page = await newPage(browser);
  await login(page, server.url, 'beheerder');
  await page.goto(`${server.url}/beheer/audit?uitkomst=denied`);
  const text = await page.locator('tbody').textContent();
  assert.match(text, /geweigerd/);
  assert.match(text, /\/beheer\/gebruikers/);
  await page.context().close();
});
