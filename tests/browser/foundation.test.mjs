// The platform foundation in a real browser: every role's start page, every page
// accessible (axe-core), phone and desktop widths, audit visible to the resident.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
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
  beheerder: ['/start', '/beheer/gebruikers', '/beheer/gebruikers/nieuw', '/beheer/gebruikers/2', '/beheer/teams',
    '/beheer/teams/1', '/beheer/wijken', '/beheer/wijken/WK999901', '/beheer/buurten/BU99990101', '/beheer/aanbieders', '/beheer/aanbieders/1',
    '/beheer/audit'],
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

// The 500 page, provoked for real: a second demo server whose database another
// process breaks while it runs (the table the public map reads is renamed).
test('the Dutch 500 page is accessible and fits a phone and a screen when the database fails', async () => {
  const broken = await startServer({ households: 100 });
  try {
    const page = await newPage(browser);
    let res = await page.goto(`${broken.url}/kaart`);
    assert.equal(res.status(), 200, 'the map works before the database is broken');
    execFileSync('python3', ['-c',
      'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute("ALTER TABLE kaart_services RENAME TO kaart_services_weg"); c.commit()',
      join(broken.dir, 'baken.db')]);
    for (const width of [390, 1280]) {
      await page.setViewportSize({ width, height: 900 });
      res = await page.goto(`${broken.url}/kaart`);
      assert.equal(res.status(), 500);
      assert.equal(await page.locator('h1').textContent(), 'Er ging iets mis');
      const text = await page.locator('main').textContent();
      assert.doesNotMatch(text, /sqlx|kaart_services|no such table/i, 'no internals on the page');
      await expectAccessible(page, `500 @${width}`);
      await expectNoHorizontalScroll(page, `500 @${width}`);
      await screenshot(page, `500-${width}`);
    }
    await page.context().close();
  } finally {
    await broken.stop();
  }
});

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

// Every foundation page, as [role or null, path, screenshot name, expected status].
const SHOTS = [
  [null, '/inloggen', 'inloggen', 200],
  ...Object.keys(ROLES).map((role) => [role, '/start', `start-${role}`, 200]),
  ['generalist', '/account', 'account', 200],
  ['generalist', '/huishoudens', 'huishoudens', 200],
  ['generalist', '/huishoudens/1', 'huishouden', 200],
  ['inwoner', '/mijn-huishouden/inzage', 'inzage', 200],
  ['beleid', '/cijfers', 'cijfers', 200],
  ['beheerder', '/beheer/gebruikers', 'beheer-gebruikers', 200],
  ['beheerder', '/beheer/gebruikers/nieuw', 'beheer-gebruiker-nieuw', 200],
  ['beheerder', '/beheer/gebruikers/2', 'beheer-gebruiker-wijzigen', 200],
  ['beheerder', '/beheer/teams', 'beheer-teams', 200],
  ['beheerder', '/beheer/teams/1', 'beheer-team-wijzigen', 200],
  ['beheerder', '/beheer/wijken', 'beheer-wijken', 200],
  ['beheerder', '/beheer/wijken/WK999901', 'beheer-wijk-wijzigen', 200],
  ['beheerder', '/beheer/buurten/BU99990101', 'beheer-buurt-wijzigen', 200],
  ['beheerder', '/beheer/aanbieders', 'beheer-aanbieders', 200],
  ['beheerder', '/beheer/aanbieders/1', 'beheer-aanbieder-wijzigen', 200],
  ['beheerder', '/beheer/audit', 'auditlog', 200],
  ['generalist', '/beheer/gebruikers', '403', 403],
  ['generalist', '/bestaat-niet', '404', 404],
];

test('every foundation page fits a 390 px phone and a 1280 px screen (screenshots in tests/browser/out)', async () => {
  for (const width of [390, 1280]) {
    const pages = new Map();
    const pageFor = async (role) => {
      if (!pages.has(role)) {
        const page = await newPage(browser, width);
        if (role) {
          await login(page, server.url, role);
          await page.waitForURL(/\/start$/);
        }
        pages.set(role, page);
      }
      return pages.get(role);
    };
    for (const [role, path, name, status] of SHOTS) {
      const page = await pageFor(role);
      const res = await page.goto(`${server.url}${path}`);
      assert.equal(res.status(), status, `${role} ${path}`);
      await expectNoHorizontalScroll(page, `${name} @${width}`);
      await screenshot(page, `${name}-${width}`);
    }
    for (const page of pages.values()) await page.context().close();
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
  assert.match(await page.locator('#wachtwoord-fout').textContent(), /minstens 12 en hoogstens 128 tekens/);
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
  // The first password a beheerder gave is temporary: choose one's own first.
  await fresh.waitForURL(/\/account\?tijdelijk=1$/);
  await fresh.context().close();
});

test('the audit log page shows the refused access', async () => {
  const page = await newPage(browser);
  await login(page, server.url, 'beheerder');
  await page.goto(`${server.url}/beheer/audit?uitkomst=denied`);
  const text = await page.locator('tbody').textContent();
  assert.match(text, /geweigerd/);
  assert.match(text, /\/beheer\/gebruikers/);
  const res = await page.goto(`${server.url}/beheer/audit?actie=stelen`);
  assert.equal(res.status(), 400);
  assert.match(await page.locator('#actie-fout').textContent(), /Kies een actie uit de lijst/);
  await expectAccessible(page, 'auditlog met fout filter');
  await page.context().close();
});

test('wrong passwords make a name wait instead of locking it; a beheerder sets a temporary password; the user must choose their own', async () => {
  // Five wrong passwords for the makelaar: the sixth attempt has to wait, no lock.
  const guesser = await newPage(browser);
  for (let i = 0; i < 6; i++) await login(guesser, server.url, 'makelaar', 'dit-is-niet-het-wachtwoord');
  assert.match(await guesser.locator('[role=alert]').textContent(), /Wacht \d+ seconden/);
  await expectAccessible(guesser, 'inloggen: even wachten');
  await guesser.context().close();

  const admin = await newPage(browser);
  await login(admin, server.url, 'beheerder');
  await admin.goto(`${server.url}/beheer/gebruikers`);
  await admin.getByRole('link', { name: 'makelaar', exact: true }).click();
  await admin.getByLabel('Tijdelijk wachtwoord', { exact: true }).fill('kort');
  await admin.getByRole('button', { name: 'Tijdelijk wachtwoord instellen' }).click();
  assert.match(await admin.locator('#tijdelijk-fout').textContent(), /minstens 12/);
  await expectAccessible(admin, 'tijdelijk wachtwoord met fout');
  await admin.getByLabel('Tijdelijk wachtwoord', { exact: true }).fill('tijdelijk-voor-de-makelaar');
  await admin.getByRole('button', { name: 'Tijdelijk wachtwoord instellen' }).click();
  assert.match(await admin.locator('[role=status]').textContent(), /tijdelijke wachtwoord is ingesteld/);
  await admin.context().close();

  const user = await newPage(browser, 390);
  await login(user, server.url, 'makelaar', 'tijdelijk-voor-de-makelaar');
  await user.waitForURL(/\/account\?tijdelijk=1$/);
  assert.match(await user.locator('[role=alert]').first().textContent(), /tijdelijk wachtwoord/);
  await expectAccessible(user, 'account met tijdelijk wachtwoord');
  await expectNoHorizontalScroll(user, 'account met tijdelijk wachtwoord @390');
  await screenshot(user, 'account-tijdelijk-390');
  await user.goto(`${server.url}/start`);
  await user.waitForURL(/\/account\?tijdelijk=1$/);
  await user.getByLabel('Huidig wachtwoord').fill('tijdelijk-voor-de-makelaar');
  await user.getByLabel('Nieuw wachtwoord').fill('mijn-eigen-wachtwoord-2026');
  await user.getByLabel('Herhaal het nieuwe wachtwoord').fill('mijn-eigen-wachtwoord-2026');
  await user.getByRole('button', { name: 'Wachtwoord opslaan' }).click();
  await user.waitForURL(/gewijzigd=1/);
  await user.goto(`${server.url}/start`);
  assert.match(await user.locator('h1').textContent(), /^Welkom, /);
  await user.context().close();
});

test('a beheerder renames a team, a district and a neighbourhood; bad input gets Dutch field errors', async () => {
  const page = await newPage(browser);
  await login(page, server.url, 'beheerder');
  await page.goto(`${server.url}/beheer/teams`);
  await page.getByRole('link', { name: 'Wijkteam Oost' }).click();
  await page.getByLabel('Naam van het team').fill('W');
  await page.getByRole('button', { name: 'Opslaan' }).click();
  assert.match(await page.locator('#naam-fout').textContent(), /3 tot 80 tekens/);
  await page.getByLabel('Team is actief').uncheck();
  await page.getByLabel('Naam van het team').fill('Wijkteam Oost en Haven');
  await page.getByRole('button', { name: 'Opslaan' }).click();
  assert.match(await page.locator('#actief-fout').textContent(), /actieve medewerkers/);
  await expectAccessible(page, 'team met fouten');
  await page.getByLabel('Team is actief').check();
  await page.getByRole('button', { name: 'Opslaan' }).click();
  await page.waitForURL(/opgeslagen=gewijzigd/);
  assert.ok((await page.locator('tbody').textContent()).includes('Wijkteam Oost en Haven'));

  await page.goto(`${server.url}/beheer/wijken`);
  await page.getByRole('link', { name: 'Naam wijzigen van Zuid' }).click();
  await page.getByLabel('Naam van de wijk').fill('');
  await page.getByRole('button', { name: 'Opslaan' }).click();
  assert.match(await page.locator('#naam-fout').textContent(), /Vul een naam in/);
  await expectAccessible(page, 'wijk met fout');
  await page.getByLabel('Naam van de wijk').fill('Zuid en Polder');
  await page.getByRole('button', { name: 'Opslaan' }).click();
  await page.waitForURL(/\/beheer\/wijken\?opgeslagen=wijk$/);
  assert.match(await page.locator('h2', { hasText: 'Zuid en Polder' }).textContent(), /WK999904/);

  // A neighbourhood, from the same list; its CBS code stays.
  const first = page.locator('section.district', { hasText: 'WK999904' }).locator('li a').first();
  const code = (await first.getAttribute('href')).split('/').pop();
  await first.click();
  assert.match(await page.locator('h1').textContent(), /^Buurt .* wijzigen$/);
  await page.getByLabel('Naam van de buurt').fill('Polderbuurt');
  await page.getByRole('button', { name: 'Opslaan' }).click();
  await page.waitForURL(/\/beheer\/wijken\?opgeslagen=buurt$/);
  assert.match(await page.locator('[role=status]').textContent(), /De naam van de buurt is opgeslagen/);
  assert.match(await page.locator('li', { hasText: 'Polderbuurt' }).textContent(), new RegExp(code));
  await page.context().close();
});

test('a beheerder adds a provider after Dutch field errors; the new provider can be chosen for an account', async () => {
  const page = await newPage(browser);
  await login(page, server.url, 'beheerder');
  await page.goto(`${server.url}/beheer/aanbieders`);
  await page.getByLabel('Naam van de organisatie').fill('x');
  await page.getByRole('button', { name: 'Aanbieder toevoegen' }).click();
  assert.match(await page.locator('#naam-fout').textContent(), /2 tot 120 tekens/);
  assert.match(await page.locator('#sector-fout').textContent(), /Kies een sector/);
  await expectAccessible(page, 'aanbieder met fouten');
  await page.getByLabel('Naam van de organisatie').fill('Repair Café Proefstad');
  await page.getByLabel('Sector').selectOption('vrijwilligers');
  await page.getByLabel('Website').fill('repaircafe-proefstad.nl');
  await page.getByRole('button', { name: 'Aanbieder toevoegen' }).click();
  await page.waitForURL(/opgeslagen=1$/);
  assert.match(await page.locator('[role=status]').textContent(), /De aanbieder is toegevoegd/);
  const row = page.locator('tbody tr', { hasText: 'Repair Café Proefstad' });
  assert.match(await row.textContent(), /Vrijwilligerswerk/);
  await row.getByRole('link').click();
  assert.equal(await page.getByLabel('Website').inputValue(), 'https://repaircafe-proefstad.nl', 'the website, made whole');
  await expectAccessible(page, 'aanbieder wijzigen');
  await page.goto(`${server.url}/beheer/gebruikers/nieuw`);
  assert.ok((await page.locator('select option').allTextContents()).some((o) => o.includes('Repair Café Proefstad')),
    'the new provider is offered for an aanbieder account');
  await page.context().close();
});
