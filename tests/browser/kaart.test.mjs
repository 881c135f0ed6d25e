// The sociale kaart and the Eigen Kracht Wijzer in a real browser, without an
// account: the two stories of PRODUCT.md, the public map, asking a professional
// with consent, print, phone width, keyboard, and axe-core on every page of the
// map and the wijzer (including their beheer pages).
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

/** The suggestion titles in page order, each with its ladder step. */
async function suggestions(page) {
  return page.$$eval('.wijzer-group', (groups) => groups.flatMap((g) => {
    const step = Number([...g.classList].find((c) => c.startsWith('trede-')).slice(6));
    return [...g.querySelectorAll('.suggestion__title')].map((t) => ({ step, title: t.textContent.trim() }));
  }));
}

async function giveTitles(page) {
  return page.$$eval('.give .suggestion__title', (ts) => ts.map((t) => t.textContent.trim()));
}

test('story 1: meals at home, eats alone, would like company → the neighbourhood meal before any individual provision', async () => {
  const page = await newPage(browser);
  await page.goto(`${server.url}/wijzer`);
  await expectAccessible(page, 'wijzer stap 1');
  await page.getByLabel('Wat is uw vraag?').fill('Ik wil maaltijden thuis');
  await page.getByLabel('Eten en koken').check();
  await page.getByRole('button', { name: 'Volgende stap' }).click();
  await page.waitForURL(/\/wijzer\/situatie$/);
  assert.equal(await page.locator('h1').textContent(), 'Uw situatie');
  await expectAccessible(page, 'wijzer stap 2');
  await page.getByRole('group', { name: 'Eet u vaak alleen?' }).getByLabel('Ja, vaak').check();
  await page.getByRole('group', { name: 'Zou u vaker mensen willen zien?' }).getByLabel('Ja, graag').check();
  await page.getByLabel('Onder de mensen zijn').check();
  await page.getByLabel('In welke wijk woont u?').selectOption({ label: 'Noord' });
  await page.getByRole('button', { name: 'Laat zien wat past' }).click();
  await page.waitForURL(/\/wijzer\/resultaat$/);
  await expectAccessible(page, 'wijzer resultaat (maaltijd)');
  await screenshot(page, 'wijzer-maaltijd-1280');

  const list = await suggestions(page);
  const steps = list.map((s) => s.step);
  assert.deepEqual(steps, [...steps].sort((a, b) => a - b), 'lightest first');
  const meal = list.findIndex((s) => /^Buurtmaaltijd /.test(s.title));
  assert.ok(meal >= 0, `the neighbourhood meal is suggested: ${JSON.stringify(list)}`);
  assert.equal(list.find((s) => s.step === 3)?.title.startsWith('Buurtmaaltijd'), true, 'the meal is the first service');
  const firstIndividual = list.findIndex((s) => s.step >= 4);
  assert.ok(firstIndividual === -1 || meal < firstIndividual, 'above any individual provision');
  const why = await page.locator('.suggestion', { hasText: list[meal].title }).locator('.why').textContent();
  assert.match(why, /Eet u vaak alleen\?/, 'why it fits names the answer');
  await page.context().close();
});

test('story 2: a bad hip and a scooter → collective activities first, reading at school to give, the scooter last via the wijkteam', async () => {
  const page = await newPage(browser, 390);
  await page.goto(`${server.url}/wijzer`);
  await page.getByLabel('Wat is uw vraag?').fill('Ik wil een scootmobiel, mijn heup is slecht');
  await page.getByRole('button', { name: 'Volgende stap' }).click();
  await page.waitForURL(/\/wijzer\/situatie$/);
  await expectNoHorizontalScroll(page, 'wijzer stap 2 op een telefoon');
  await page.getByRole('group', { name: 'Kunt u lopen en buiten komen?' }).getByLabel('Dat lukt niet (meer)').check();
  await page.getByLabel('Lezen').check();
  await page.getByLabel('Onder de mensen zijn').check();
  await page.getByLabel('In welke wijk woont u?').selectOption({ label: 'Noord' });
  await page.getByRole('button', { name: 'Laat zien wat past' }).click();
  await page.waitForURL(/\/wijzer\/resultaat$/);
  await expectNoHorizontalScroll(page, 'wijzer resultaat op een telefoon');
  await expectAccessible(page, 'wijzer resultaat (scootmobiel)');
  await screenshot(page, 'wijzer-scootmobiel-390');

  const list = await suggestions(page);
  const services = list.filter((s) => s.step >= 3);
  assert.equal(services[0].step, 3, `collective activities come first: ${JSON.stringify(services)}`);
  const last = list[list.length - 1];
  assert.equal(last.title, 'Scootmobiel', 'the scooter is last');
  assert.equal(last.step, 5);
  const wijkteam = page.locator('.wijzer-group.trede-5');
  assert.equal(await wijkteam.locator('h2').textContent(), 'Vraag het wijkteam');
  assert.match(await wijkteam.textContent(), /Scootmobiel/);
  const give = await giveTitles(page);
  assert.ok(give.some((t) => t.startsWith('Voorlezen op de basisschool')), `reading aloud is a way to give: ${give}`);
  await page.context().close();
});

test('asking a professional: refused without consent, sent with it', async () => {
  const page = await newPage(browser);
  await page.goto(`${server.url}/wijzer`);
  await page.getByLabel('Wat is uw vraag?').fill('Ik ben veel alleen');
  await page.getByLabel('Contact met anderen').check();
  await page.getByRole('button', { name: 'Volgende stap' }).click();
  await page.getByRole('button', { name: 'Laat zien wat past' }).click();
  await page.waitForURL(/\/wijzer\/resultaat$/);
  await page.getByLabel('Uw telefoonnummer of e-mailadres').fill('06-12345678');
  await page.getByRole('button', { name: 'Vraag het wijkteam om mee te denken' }).click();
  assert.match(await page.locator('[role=alert]').first().textContent(), /nog niet verstuurd/);
  assert.equal(await page.getByLabel('Uw telefoonnummer of e-mailadres').inputValue(), '06-12345678', 'the form keeps what was typed');
  await expectAccessible(page, 'meedenken zonder toestemming');
  await page.getByLabel(/Ik geef toestemming/).check();
  await page.getByLabel('Postcode', { exact: true }).fill('1011 aa');
  await page.getByLabel('Huisnummer', { exact: true }).fill('1');
  await page.getByRole('button', { name: 'Vraag het wijkteam om mee te denken' }).click();
  assert.equal(await page.locator('h1').textContent(), 'Uw vraag is verstuurd');
  await expectAccessible(page, 'meedenken verstuurd');
  await page.context().close();

  const team = await newPage(browser);
  await login(team, server.url, 'generalist');
  await team.waitForURL(/\/start$/);
  await team.goto(`${server.url}/hulpvragen`);
  assert.match(await team.locator('table').textContent(), /06-12345678/);
  await expectAccessible(team, 'hulpvragen');
  await team.context().close();
});

test('the result prints without the forms', async () => {
  const page = await newPage(browser);
  await page.goto(`${server.url}/wijzer`);
  await page.getByLabel('Wat is uw vraag?').fill('maaltijd');
  await page.getByRole('button', { name: 'Volgende stap' }).click();
  await page.getByRole('button', { name: 'Laat zien wat past' }).click();
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('.meedenken').isVisible(), false, 'the consent form is not printed');
  assert.equal(await page.locator('.wijzer-groups').isVisible(), true, 'the suggestions are printed');
  await page.context().close();
});

test('the public map: search, filters, detail page, keyboard, phone — no account needed', async () => {
  const page = await newPage(browser);
  await page.goto(`${server.url}/inloggen`);
  await page.locator('main').getByRole('link', { name: 'sociale kaart' }).click();
  await page.waitForURL(/\/kaart$/);
  await expectAccessible(page, 'kaart');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Direct naar de inhoud', 'the first Tab reaches the skip link');
  await page.getByLabel('Zoek op woord').fill('maaltijd');
  await page.getByLabel('Wijk').selectOption({ label: 'Noord' });
  await page.getByLabel('Zoek op woord').press('Enter');
  await page.waitForURL(/q=maaltijd/);
  assert.match(await page.locator('#resultaten').textContent(), /gevonden/);
  await expectAccessible(page, 'kaart met zoekresultaat');
  await page.getByRole('link', { name: 'Buurtmaaltijd Vlietland' }).click();
  assert.equal(await page.locator('h1').textContent(), 'Buurtmaaltijd Vlietland');
  assert.match(await page.locator('.facts').textContent(), /Trede|Elke woensdag/);
  await expectAccessible(page, 'voorziening');
  await page.context().close();

  const phone = await newPage(browser, 390);
  for (const path of ['/kaart', '/kaart?soort=geven', '/wijzer']) {
    await phone.goto(`${server.url}${path}`);
    await expectNoHorizontalScroll(phone, path);
    await expectAccessible(phone, `${path} op een telefoon`);
  }
  await screenshot(phone, 'kaart-390');
  await phone.context().close();
});

test('beheer of the map and the wijzer pass axe-core', async () => {
  const admin = await newPage(browser);
  await login(admin, server.url, 'beheerder');
  await admin.waitForURL(/\/start$/);
  for (const path of ['/beheer/kaart', '/beheer/kaart/nieuw', '/beheer/kaart/1', '/beheer/wijzer', '/beheer/wijzer/rule/samen_eten', '/beheer/wijzer/question/alleen_eten', '/beheer/wijzer/topic/eten', '/beheer/wijzer/story/nieuw']) {
    const res = await admin.goto(`${server.url}${path}`);
    assert.equal(res.status(), 200, path);
    await expectAccessible(admin, path);
  }
  await admin.goto(`${server.url}/beheer/kaart/nieuw`);
  await admin.getByRole('button', { name: 'Opslaan' }).click();
  assert.match(await admin.locator('[role=alert]').first().textContent(), /niets opgeslagen/);
  await expectAccessible(admin, 'nieuwe voorziening met fouten');
  await admin.context().close();

  const provider = await newPage(browser);
  await login(provider, server.url, 'aanbieder');
  await provider.waitForURL(/\/start$/);
  await provider.goto(`${server.url}/beheer/kaart`);
  await expectAccessible(provider, 'aanbieder voorzieningen');
  await provider.context().close();
});
