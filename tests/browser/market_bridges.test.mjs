// The buurtmarktplaats's bridges in a real browser, at 390 and 1280 px with
// axe-core and the label check: a generalist points a household to an ask or
// offer (with consent) and the resident sees it on /mijn-plan; a makelaar turns
// an urgent ask too big for neighbours into a wijkteam signal (refused without
// consent); a participant reports a message and the makelaar's queue shows it.
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

test('a generalist points a household to an ask; the resident sees the tip on the own plan', async () => {
  for (const width of [390, 1280]) {
    const gen = await newPage(browser, width);
    await login(gen, server.url, 'generalist');
    await gen.goto(`${server.url}/dossier/1`);
    await gen.getByRole('link', { name: /Buurtmarktplaats: wijs het huishouden/ }).click();
    await gen.waitForURL(/\/dossier\/1\/buurtmarktplaats$/);
    await expectAccessible(gen, `buurtmarktplaats voor een huishouden @${width}`);
    await screenshot(gen, `market-household-${width}`);
    // Nothing chosen and no consent: every field named, nothing written.
    await gen.getByRole('button', { name: 'Wijzen op deze vraag of dit aanbod' }).click();
    assert.match(await gen.locator('#advertentie-fout').textContent(), /Kies een vraag of aanbod/);
    assert.match(await gen.locator('#toestemming-fout').textContent(), /toestemming/);
    await expectAccessible(gen, `buurtmarktplaats voor een huishouden, fouten @${width}`);
    if (width === 1280) {
      await gen.getByLabel('Woorden').fill('voorlezen');
      await gen.getByRole('button', { name: 'Zoeken' }).click();
      await gen.getByLabel(/Voorlezen in groep 3 en 4/).check();
      await gen.getByLabel('Waarom past dit bij het huishouden?').fill('Zij leest graag en wil iets voor kinderen doen.');
      await gen.getByLabel('Hoe gaf de inwoner toestemming?').selectOption({ label: 'In een gesprek' });
      await gen.getByRole('button', { name: 'Wijzen op deze vraag of dit aanbod' }).click();
      await gen.getByText('Opgeslagen.').waitFor();
      assert.match(await gen.locator('#gewezen + ul').textContent(), /Voorlezen in groep 3 en 4/);
      await expectAccessible(gen, `buurtmarktplaats voor een huishouden, gewezen @${width}`);
      await screenshot(gen, 'market-household-pointed-1280');
    }
    await gen.context().close();
  }
  for (const width of [390, 1280]) {
    const resident = await newPage(browser, width);
    await login(resident, server.url, 'inwoner');
    await resident.goto(`${server.url}/mijn-plan`);
    const tips = resident.locator('#buurtmarktplaats + ul');
    assert.match(await tips.textContent(), /Voorlezen in groep 3 en 4: Zij leest graag/);
    await expectAccessible(resident, `mijn plan met een tip van de buurtmarktplaats @${width}`);
    await screenshot(resident, `market-own-plan-tip-${width}`);
    await resident.context().close();
  }
});

test('an urgent ask too big for neighbours becomes a wijkteam signal, only with consent', async () => {
  for (const width of [390, 1280]) {
    const makelaar = await newPage(browser, width);
    await login(makelaar, server.url, 'makelaar');
    await makelaar.goto(`${server.url}/makelaar`);
    await makelaar.getByRole('link', { name: /Doorzetten naar het wijkteam/ }).first().click();
    await makelaar.waitForURL(/\/makelaar\/vragen\/\d+\/wijkteam$/);
    await expectAccessible(makelaar, `doorzetten naar het wijkteam @${width}`);
    await screenshot(makelaar, `market-escalate-${width}`);
    await makelaar.getByRole('button', { name: 'Doorzetten naar het wijkteam' }).click();
    assert.match(await makelaar.locator('#toestemming-fout').textContent(), /Zonder toestemming/);
    await expectAccessible(makelaar, `doorzetten zonder toestemming @${width}`);
    if (width === 1280) {
      await makelaar.getByLabel('Hoe gaf de deelnemer toestemming?').selectOption({ label: 'Telefonisch' });
      await makelaar.getByLabel('Waar gaat het over?').selectOption({ label: 'Eenzaamheid' });
      await makelaar.getByRole('button', { name: 'Doorzetten naar het wijkteam' }).click();
      await makelaar.getByText(/Doorgezet naar het wijkteam \(signaal \d+\)/).waitFor();
      await expectAccessible(makelaar, `doorgezet @${width}`);
      await screenshot(makelaar, 'market-escalated-1280');
    }
    await makelaar.context().close();
  }
});

test('a participant reports a message; the makelaar sees it in the moderation queue', async () => {
  // A volunteer answers a proxy's offer; the makelaar accepts and writes for the proxy.
  const helper = await newPage(browser, 390);
  await login(helper, server.url, 'vrijwilliger');
  await helper.goto(`${server.url}/buurtmarktplaats`);
  await helper.getByLabel('Naam die anderen zien').fill('Karel');
  await helper.getByLabel('Uw wijk').selectOption({ index: 1 });
  await helper.getByLabel('E-mailadres').fill('karel.melder@example.org');
  await helper.getByRole('button', { name: 'Meedoen' }).click();
  await helper.waitForURL(/\/buurtmarktplaats\/bevestigen/);
  await helper.goto(`${server.url}/buurtmarktplaats?soort=aanbod&woorden=tuinieren`);
  await helper.getByRole('link', { name: 'Tuinieren doe ik graag' }).first().click();
  await helper.getByRole('button', { name: /Graag, dit wil ik/ }).click();
  await helper.waitForURL(/\/buurtmarktplaats\/koppeling\/\d+$/);
  const matchPath = new URL(helper.url()).pathname;
  const matchId = matchPath.split('/').pop();
  const makelaar = await newPage(browser, 1280);
  await login(makelaar, server.url, 'makelaar');
  // The match as the proxy: through the proxy's page.
  const res = await makelaar.goto(`${server.url}/makelaar`);
  assert.ok(res.ok());
  const proxyLinks = await makelaar.locator('#deelnemers + ul a').evaluateAll((as) => as.map((a) => a.href));
  let found = false;
  for (const href of proxyLinks) {
    await makelaar.goto(href);
    const link = makelaar.locator(`#koppelingen + ul a[href^="/makelaar/koppeling/${matchId}?"]`);
    if (await link.count()) { await link.click(); found = true; break; }
  }
  assert.ok(found, 'the makelaar finds the match at its proxy');
  await makelaar.getByRole('button', { name: 'Accepteren' }).click();
  await makelaar.getByLabel(/Bericht aan/).fill('Geef mij eerst twintig euro, dan kom ik.');
  await makelaar.getByRole('button', { name: 'Versturen' }).click();

  await helper.goto(`${server.url}${matchPath}`);
  await helper.getByText('Meld dit bericht').click();
  await helper.getByRole('button', { name: 'Melden bij de makelaar' }).last().click();
  await helper.waitForURL(/\/melden$/);
  assert.match(await helper.locator('main').textContent(), /Schrijf waarom u dit bericht meldt/);
  await expectAccessible(helper, 'bericht melden zonder reden (390)');
  await helper.getByLabel('Waarom meldt u dit bericht?').fill('Vraagt om geld vooraf.');
  await helper.getByRole('button', { name: 'Melden bij de makelaar' }).last().click();
  await helper.getByText('De makelaar bekijkt uw melding').waitFor();
  await expectAccessible(helper, 'bericht gemeld (390)');
  await screenshot(helper, 'market-message-reported-390');

  await makelaar.goto(`${server.url}/makelaar#meldingen`);
  const report = makelaar.locator('.card', { hasText: 'Melding over een bericht: Geef mij eerst twintig euro' });
  assert.equal(await report.count(), 1);
  await expectAccessible(makelaar, 'makelaar met een gemeld bericht');
  await report.getByLabel('Wat doet u?').selectOption({ label: 'Verbergen' });
  await report.getByLabel('Reden').fill('Geld vragen past niet bij burenhulp.');
  await report.getByRole('button', { name: 'Afhandelen' }).click();
  await helper.goto(`${server.url}${matchPath}`);
  assert.ok(!(await helper.locator('main').textContent()).includes('twintig euro'), 'the message is hidden');
  await makelaar.context().close();
  await helper.context().close();
});
