// The sociale kaart and the Eigen Kracht Wijzer in a real browser, without an
// account: the two stories of PRODUCT.md, the public map, asking a professional
// with consent, keeping the result as a file, print, phone width, keyboard,
// axe-core on every page of the map and the wijzer (including their beheer
// pages, error states and the 429 page), and an independent check of the HSDS
// export and API with ajv against the official schemas.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startServer, launchBrowser, newPage, login, expectAccessible, expectNoHorizontalScroll, screenshot, bakenBinary } from './lib.mjs';
import { hsdsValidator, problemsOf, problemsOfDocument } from './hsds.mjs';

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

test('story 2: a bad hip and a scooter → collective activities first, reading at school to give, the scooter via the wijkteam last', async () => {
  const page = await newPage(browser, 390);
  await page.goto(`${server.url}/wijzer`);
  await page.getByLabel('Wat is uw vraag?').fill('Ik wil een scootmobiel, mijn heup is slecht');
  await page.getByRole('button', { name: 'Volgende stap' }).click();
  await page.waitForURL(/\/wijzer\/situatie$/);
  await expectNoHorizontalScroll(page, 'wijzer stap 2 op een telefoon');
  await expectAccessible(page, 'wijzer stap 2 op een telefoon');
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
  // Individual provisions come last, and of those the scooter she asked for
  // first (a wheelchair may follow it: she cannot walk any more).
  const last = list[list.length - 1];
  assert.equal(last.step, 5, 'a step-5 provision is last');
  const firstFive = list.findIndex((s) => s.step === 5);
  assert.ok(list.slice(firstFive).every((s) => s.step === 5), `nothing lighter after step 5: ${JSON.stringify(list)}`);
  assert.equal(list[firstFive].title, 'Scootmobiel', 'the scooter she asked for leads the wijkteam group');
  const wijkteam = page.locator('.wijzer-group.trede-5');
  assert.equal(await wijkteam.locator('h2').textContent(), 'Vraag het wijkteam');
  assert.match(await wijkteam.textContent(), /Scootmobiel/);
  const give = await giveTitles(page);
  assert.ok(give.some((t) => t.startsWith('Voorlezen op de basisschool')), `reading aloud is a way to give: ${give}`);
  await page.context().close();
});

test('asking a professional: refused without consent, sent with it', async () => {
  // The beheerder gives every team a phone number for residents first: the
  // thank-you page promises the team's norm and gives that number.
  const admin = await newPage(browser);
  await login(admin, server.url, 'beheerder');
  await admin.waitForURL(/\/start$/);
  await admin.goto(`${server.url}/beheer/teams`);
  const teams = [...new Set(await admin.$$eval('main a[href^="/beheer/teams/"]', (as) => as.map((a) => a.getAttribute('href'))))];
  assert.ok(teams.length > 0, 'the demo has teams');
  for (const href of teams) {
    await admin.goto(`${server.url}${href}`);
    await admin.getByLabel('Telefoonnummer voor bewoners').fill('14 020');
    await admin.getByRole('button', { name: 'Opslaan' }).click();
    await admin.waitForURL(/\/beheer\/teams/);
  }
  await admin.context().close();

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
  // The promise is the team's response norm for this signal, with its phone.
  assert.match(await page.getByRole('status').textContent(), /neemt uiterlijk .+ contact met u op \((vandaag nog|binnen \d+ werkdagen?)\)/);
  assert.match(await page.locator('main a[href^="tel:"]').first().textContent(), /\d/, 'the team\u2019s phone number, to call');
  await expectAccessible(page, 'meedenken verstuurd');
  await page.context().close();

  const team = await newPage(browser);
  await login(team, server.url, 'generalist');
  await team.waitForURL(/\/start$/);
  await team.goto(`${server.url}/hulpvragen`);
  assert.match(await team.locator('table').textContent(), /06-12345678/);
  assert.match(await team.locator('table').textContent(), /Contact met anderen/, 'topics in words');
  await expectAccessible(team, 'hulpvragen');
  await team.getByRole('link', { name: /Alle antwoorden/ }).first().click();
  await team.waitForURL(/\/hulpvragen\/\d+$/);
  assert.match(await team.locator('h1').textContent(), /^Hulpvraag \d+$/);
  assert.match(await team.locator('main').textContent(), /Ik ben veel alleen/);
  await expectAccessible(team, 'hulpvraag met alle antwoorden');
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
  // The meal in every neighbourhood is one card; its places open under it.
  assert.equal(await page.locator('.kaart-item__title', { hasText: /^Buurtmaaltijd$/ }).count(), 1, 'one card for the same offer');
  await page.locator('.kaart-item__places summary').first().click();
  await expectAccessible(page, 'kaart met de plekken van een aanbod');
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

test('residents filter the map in plain words without JavaScript; a professional keeps the taxonomy (390 and 1280 px)', async () => {
  const jargon = ['Basale ADL', 'Instrumentele ADL', 'Justitie', 'Met beschikking', 'Levensgebied', 'maatwerkvoorziening'];
  for (const width of [390, 1280]) {
    // JavaScript off: the filters are a plain GET form.
    const context = await browser.newContext({ viewport: { width, height: 900 }, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${server.url}/kaart`);
    const text = await page.locator('main').innerText();
    const options = (await page.locator('select option').allTextContents()).join('\n');
    for (const word of jargon) {
      assert.ok(!text.includes(word) && !options.includes(word), `a resident reads '${word}' at ${width}px`);
    }
    await page.getByLabel('Waarbij zoekt u hulp?').selectOption({ label: 'Het huishouden: boodschappen, schoonmaken, koken' });
    await page.getByLabel('Aanvragen nodig?').selectOption({ label: 'Na een aanvraag bij de gemeente (via het wijkteam)' });
    await page.getByRole('button', { name: 'Zoeken' }).click();
    await page.waitForURL(/domein=instrumentele_adl/);
    assert.match(await page.locator('#resultaten').textContent(), /[1-9]\d* voorzieningen? gevonden/);
    assert.match(await page.locator('.kaart-list').innerText(), /Huishoudelijke hulp/);
    assert.match(await page.locator('.kaart-list').innerText(), /Na een aanvraag bij de gemeente/);
    const filtered = page.url();
    await context.close();
    // axe-core runs in the page, so the check itself needs JavaScript.
    const checked = await newPage(browser, width);
    await checked.goto(filtered);
    await expectAccessible(checked, `kaart in gewone woorden op ${width}px`);
    await expectNoHorizontalScroll(checked, `kaart in gewone woorden op ${width}px`);
    await screenshot(checked, `kaart-gewone-woorden-${width}`);
    await checked.context().close();
  }
  const professional = await newPage(browser, 1280);
  await login(professional, server.url, 'generalist');
  await professional.goto(`${server.url}/kaart?domein=instrumentele_adl`);
  assert.equal(await professional.locator('#domein option:checked').textContent(), 'Instrumentele ADL');
  assert.ok((await professional.locator('#toegang').innerText()).includes('Met beschikking'));
  await expectAccessible(professional, 'kaart voor een professional');
  await professional.context().close();
});

test('the front door: residents search the map and start the wijzer without an account; developers find the API', async () => {
  for (const width of [1280, 390]) {
    const page = await newPage(browser, width);
    await page.goto(`${server.url}/`);
    assert.equal(await page.locator('h1').textContent(), 'Hulp en ontmoeting in uw buurt');
    assert.equal(await page.locator('input[type=password]').count(), 0, 'no login form for residents');
    await expectAccessible(page, `startpagina ${width}`);
    await expectNoHorizontalScroll(page, `startpagina ${width}`);
    await screenshot(page, `startpagina-${width}`);
    await page.getByLabel('Waar zoekt u iets voor?').fill('eenzaam');
    await page.getByRole('button', { name: 'Zoeken' }).click();
    await page.waitForURL(/\/kaart\?q=eenzaam/);
    // "eenzaam" finds the meal and the maatje through the beheerder's synonyms.
    const titles = await page.locator('.kaart-item__title').allTextContents();
    assert.ok(titles.some((t) => t.includes('Buurtmaaltijd')), `the meal for "eenzaam": ${titles}`);
    assert.ok(titles.some((t) => t.includes('Maatje')), `a maatje for "eenzaam": ${titles}`);
    await page.goto(`${server.url}/`);
    await page.getByRole('link', { name: 'Eigen Kracht Wijzer' }).first().click();
    await page.waitForURL(/\/wijzer$/);
    await page.goto(`${server.url}/`);
    await page.getByRole('link', { name: 'Voor ontwikkelaars' }).click();
    await page.waitForURL(/\/ontwikkelaars$/);
    assert.equal(await page.locator('h1').textContent(), 'Voor ontwikkelaars');
    await expectAccessible(page, `ontwikkelaars ${width}`);
    await expectNoHorizontalScroll(page, `ontwikkelaars ${width}`);
    await screenshot(page, `ontwikkelaars-${width}`);
    const openapi = await page.request.get(`${server.url}${await page.getByRole('link', { name: 'OpenAPI-document van Baken' }).getAttribute('href')}`);
    assert.equal(openapi.status(), 200);
    assert.ok((await openapi.json()).openapi.startsWith('3.'));
    await page.context().close();
  }
  // Someone logged in who opens / goes on to their own start page.
  const page = await newPage(browser);
  await login(page, server.url, 'generalist.noord');
  await page.goto(`${server.url}/`);
  await page.waitForURL(/\/start$/);
  await page.context().close();
});

test('the result can be kept as a file: by keyboard, described for screen readers, self-contained', async () => {
  const page = await newPage(browser);
  await page.goto(`${server.url}/wijzer`);
  await page.getByLabel('Wat is uw vraag?').fill('Ik wil maaltijden thuis');
  await page.getByLabel('Eten en koken').check();
  await page.getByRole('button', { name: 'Volgende stap' }).click();
  await page.waitForURL(/\/wijzer\/situatie$/);
  await page.getByRole('group', { name: 'Eet u vaak alleen?' }).getByLabel('Ja, vaak').check();
  await page.getByLabel('Lezen').check();
  await page.getByLabel('In welke wijk woont u?').selectOption({ label: 'Noord' });
  await page.getByRole('button', { name: 'Laat zien wat past' }).click();
  await page.waitForURL(/\/wijzer\/resultaat$/);
  const button = page.getByRole('button', { name: 'Download als bestand' });
  const described = await button.evaluate((b) => document.getElementById(b.getAttribute('aria-describedby'))?.textContent ?? '');
  assert.match(described, /wij bewaren niets/, 'the button is described for screen readers');
  const shown = await suggestionsOn(page);
  // Reach the button with the keyboard and press Enter.
  await button.focus();
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Download als bestand');
  const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
  assert.equal(download.suggestedFilename(), 'eigen-kracht-wijzer.html');
  const dir = mkdtempSync(join(tmpdir(), 'baken-download-'));
  const file = join(dir, download.suggestedFilename());
  await download.saveAs(file);
  const html = readFileSync(file, 'utf8');
  assert.match(html, /Buurtmaaltijd Vlietland/);
  assert.doesNotMatch(html, /<script|<link|\ssrc=/, 'nothing to load: the file works offline');
  await page.context().close();

  // Opened from disk, without the server: the same suggestions, accessible.
  const offline = await newPage(browser, 390);
  const requests = [];
  offline.on('request', (r) => { if (!r.url().startsWith('file:')) requests.push(r.url()); });
  await offline.goto(pathToFileURL(file).href);
  assert.equal(await offline.locator('h1').textContent(), 'Wat past bij u');
  const inFile = await offline.$$eval('article h3', (hs) => hs.map((h) => h.textContent.replace(/\s*\(verhaal\)$/, '').trim()));
  for (const t of shown) assert.ok(inFile.includes(t), `${t} is in the file: ${JSON.stringify(inFile)}`);
  assert.match(await offline.locator('body').textContent(), /Buurthuis [^,]+, Buurtweg/, 'with the address');
  await expectNoHorizontalScroll(offline, 'het bestand op een telefoon');
  await expectAccessible(offline, 'het gedownloade bestand');
  assert.deepEqual(requests, [], 'the file loads nothing from elsewhere');
  await offline.context().close();
  rmSync(dir, { recursive: true, force: true });
});

/** The titles of the suggestions and ways to give on a result page. */
async function suggestionsOn(page) {
  return page.$$eval('.suggestion__title', (ts) => ts.map((t) => t.firstChild.textContent.trim()));
}

test('an empty wijzer result still helps, and passes axe-core', async () => {
  const page = await newPage(browser, 390);
  await page.goto(`${server.url}/wijzer`);
  await page.getByRole('button', { name: 'Volgende stap' }).click();
  await page.waitForURL(/\/wijzer\/situatie$/);
  await page.getByRole('button', { name: 'Laat zien wat past' }).click();
  await page.waitForURL(/\/wijzer\/resultaat$/);
  assert.match(await page.locator('main').textContent(), /Wij vonden nog niets dat past/);
  assert.equal(await page.locator('.wijzer-group').count(), 0);
  await expectNoHorizontalScroll(page, 'lege uitkomst op een telefoon');
  await expectAccessible(page, 'lege uitkomst van de wijzer');
  await page.context().close();
});

/** The id of a service, found through beheer (which lists ended services too). */
async function serviceId(name) {
  const admin = await newPage(browser);
  await login(admin, server.url, 'beheerder');
  await admin.waitForURL(/\/start$/);
  await admin.goto(`${server.url}/beheer/kaart?q=${encodeURIComponent(name)}`);
  const href = await admin.getByRole('link', { name, exact: true }).first().getAttribute('href');
  await admin.context().close();
  return href.split('/').pop();
}

test('map pages at the edges: step 5, closed and ended services, nothing found, page 2; print', async () => {
  const page = await newPage(browser);
  await page.goto(`${server.url}/kaart?q=scootmobiel&trede=5`);
  await page.getByRole('link', { name: 'Scootmobiel', exact: true }).click();
  assert.equal(await page.locator('h1').textContent(), 'Scootmobiel');
  // A resident reads plain words: no "beschikking", no "Ondersteunen".
  assert.match(await page.locator('main').textContent(), /alleen als de gemeente uw aanvraag goedkeurt/);
  assert.match(await page.locator('.facts').textContent(), /Wat voor hulp\s*Iemand helpt u een tijdje/);
  await expectAccessible(page, 'voorziening op trede 5');
  await page.setViewportSize({ width: 390, height: 900 });
  await expectNoHorizontalScroll(page, 'voorziening op een telefoon');
  await page.setViewportSize({ width: 1280, height: 900 });

  await page.goto(`${server.url}/kaart?q=${encodeURIComponent('Buurtmaaltijd Vennen')}`);
  await page.getByRole('link', { name: 'Buurtmaaltijd Vennen' }).click();
  assert.match(await page.locator('main .alert[role=note]').first().textContent(), /tijdelijk gesloten/);
  await expectAccessible(page, 'tijdelijk gesloten voorziening');

  await page.goto(`${server.url}/kaart?q=Ouderensoos`);
  assert.match(await page.locator('#resultaten').textContent(), /^0 voorzieningen gevonden/, 'the search hides an ended service');
  await page.goto(`${server.url}/kaart/voorzieningen/${await serviceId('Ouderensoos De Linde')}`);
  assert.match(await page.locator('main .alert[role=note]').first().textContent(), /beëindigd/);
  await expectAccessible(page, 'beëindigde voorziening');

  await page.goto(`${server.url}/kaart?q=xyzzy`);
  assert.match(await page.locator('#resultaten').textContent(), /^0 voorzieningen gevonden/);
  assert.match(await page.locator('main').textContent(), /Er is niets gevonden/);
  await expectAccessible(page, 'kaart zonder resultaat');

  await page.goto(`${server.url}/kaart?trede=3`);
  await page.getByRole('link', { name: 'Volgende' }).click();
  await page.waitForURL(/pagina=2/);
  assert.match(await page.locator('.pager').textContent(), /Pagina 2 van/);
  assert.equal(await page.locator('#trede').inputValue(), '3', 'the filter is kept on page 2');
  await expectAccessible(page, 'kaart pagina 2');

  // Print: the list without the filters, header and pager.
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('.kaart-list').isVisible(), true, 'the services are printed');
  for (const hidden of ['.kaart-filter', '.pager', '.site-header', '.site-footer']) {
    assert.equal(await page.locator(hidden).first().isVisible(), false, `${hidden} is not printed`);
  }
  await page.goto(`${server.url}/kaart?q=${encodeURIComponent('Buurtmaaltijd Vlietland')}`);
  await page.getByRole('link', { name: 'Buurtmaaltijd Vlietland' }).click();
  for (const shown of ['h1', '.facts', 'main ul']) {
    assert.equal(await page.locator(shown).first().isVisible(), true, `${shown} is printed`);
  }
  assert.match(await page.locator('main').textContent(), /Buurthuis Vlietland/);
  for (const hidden of ['p.no-print', '.site-header']) {
    assert.equal(await page.locator(hidden).first().isVisible(), false, `${hidden} is not printed`);
  }
  await page.emulateMedia({ media: 'screen' });
  const website = page.getByRole('link', { name: /proefstad\.example\/aanbod/ });
  assert.equal(await website.getAttribute('href'), 'https://buurtwerkdebrug.proefstad.example/aanbod', 'the website is a link');
  await page.context().close();
});

test('beheer of the map and the wijzer pass axe-core', async () => {
  const admin = await newPage(browser);
  await login(admin, server.url, 'beheerder');
  await admin.waitForURL(/\/start$/);
  for (const path of ['/beheer/kaart', '/beheer/kaart/nieuw', '/beheer/kaart/1', '/beheer/wijzer', '/beheer/wijzer/rule/samen_eten',
    '/beheer/wijzer/question/alleen_eten', '/beheer/wijzer/topic/eten', '/beheer/wijzer/story/nieuw',
    '/beheer/wijzer/interest/lezen', '/beheer/wijzer/network/buren']) {
    const res = await admin.goto(`${server.url}${path}`);
    assert.equal(res.status(), 200, path);
    await expectAccessible(admin, path);
  }
  await admin.goto(`${server.url}/beheer/kaart/nieuw`);
  await admin.getByRole('button', { name: 'Opslaan' }).click();
  assert.match(await admin.locator('[role=alert]').first().textContent(), /niets opgeslagen/);
  await expectAccessible(admin, 'nieuwe voorziening met fouten');

  // A new service at a new address: a wrong postcode and a wrong website are
  // named next to their fields, then saved.
  await admin.getByLabel('Aanbieder').selectOption({ label: 'Buurtwerk De Brug' });
  await admin.getByLabel('Naam', { exact: true }).fill('Kookclub De Akkers');
  await admin.getByLabel('Omschrijving in eenvoudige woorden').fill('Samen koken en eten met buren, elke donderdag.');
  await admin.getByLabel('Sociaal netwerk').check();
  await admin.getByLabel('Website').fill('https://café.example');
  await admin.getByLabel('E-mail').fill('kook@debrug.proefstad.example');
  await admin.getByLabel('Naam van de plek').fill('Speeltuingebouw De Akkers');
  await admin.getByLabel('Straat en huisnummer').fill('Akkerweg 3');
  await admin.getByLabel('Postcode', { exact: true }).fill('12345');
  await admin.getByLabel('Plaats', { exact: true }).fill('Proefstad');
  await admin.getByLabel('Wijk', { exact: true }).selectOption({ label: 'Noord' });
  await admin.getByRole('button', { name: 'Opslaan' }).click();
  assert.match(await admin.locator('#nieuw_postcode-fout').textContent(), /postcode in zoals 1234 AB/);
  assert.match(await admin.locator('#website-fout').textContent(), /webadres/);
  assert.equal(await admin.getByLabel('Straat en huisnummer').inputValue(), 'Akkerweg 3', 'the form keeps what was typed');
  await expectAccessible(admin, 'nieuwe voorziening met een fout in het nieuwe adres');
  await admin.getByLabel('Website').fill('www.debrug.proefstad.example/koken');
  await admin.getByLabel('Postcode', { exact: true }).fill('1015 BC');
  await admin.getByRole('button', { name: 'Opslaan' }).click();
  await admin.waitForURL(/opgeslagen=nieuw/);
  await admin.getByLabel('Zoek op woord').fill('Kookclub De Akkers');
  await admin.getByRole('button', { name: 'Zoeken' }).click();
  await admin.getByRole('link', { name: 'Kookclub De Akkers' }).click();
  const place = admin.getByLabel(/Speeltuingebouw De Akkers, Akkerweg 3, 1015 BC Proefstad/);
  assert.equal(await place.isChecked(), true, 'the new address is linked');
  // The edit form with an error (step 5 needs a decision) still shows the places.
  await admin.getByLabel('Trede op de verantwoordelijkheidsladder').selectOption('5');
  await admin.getByRole('button', { name: 'Opslaan' }).click();
  assert.match(await admin.locator('[role=alert]').first().textContent(), /niets opgeslagen/);
  assert.equal(await place.isChecked(), true);
  await expectAccessible(admin, 'voorziening wijzigen met fouten');

  // A wijzer rule that refers to a topic that does not exist.
  await admin.goto(`${server.url}/beheer/wijzer/rule/nieuw`);
  await admin.getByLabel('Sleutel').fill('tuin_tip');
  await admin.locator('#als_onderwerpen').fill('bestaat_niet');
  await admin.locator('#dan_titel').fill('Zaai iets');
  await admin.locator('#dan_tekst').fill('Een pot kruiden op de vensterbank.');
  await admin.getByRole('button', { name: 'Opslaan' }).click();
  assert.match(await admin.locator('main').textContent(), /Er is geen onderwerp met de sleutel 'bestaat_niet'/);
  await expectAccessible(admin, 'wijzerregel met fouten');
  await admin.context().close();

  const provider = await newPage(browser);
  await login(provider, server.url, 'aanbieder');
  await provider.waitForURL(/\/start$/);
  await provider.goto(`${server.url}/beheer/kaart`);
  await expectAccessible(provider, 'aanbieder voorzieningen');
  await provider.context().close();
});

test('the HSDS export and API validate against the official schemas, checked by ajv', async () => {
  const ajv = hsdsValidator();
  // `baken kaart export --format hsds` on the server's database, after the
  // tests above added a service at a new address.
  const text = execFileSync(bakenBinary(), ['kaart', 'export', '--format', 'hsds', '--db', `sqlite://${join(server.dir, 'baken.db')}`],
    { encoding: 'utf8', env: { ...process.env, BAKEN_LOG: 'warn' }, maxBuffer: 64 * 1024 * 1024 });
  const doc = JSON.parse(text);
  assert.ok(doc.services.length > 300, `${doc.services.length} services`);
  assert.ok(doc.services.some((s) => s.name === 'Kookclub De Akkers' && s.url === 'https://www.debrug.proefstad.example/koken'));
  assert.deepEqual(problemsOfDocument(ajv, doc).slice(0, 20), [], 'the export is valid HSDS 3.0');

  const api = async (path) => {
    const res = await fetch(`${server.url}/api/v1/hsds/${path}`);
    assert.equal(res.status, 200, path);
    return res.json();
  };
  const problems = [];
  const services = await api('services?per_page=100&collective=true');
  services.contents.forEach((s, i) => problems.push(...problemsOf(ajv, 'service.json', s, `services[${i}]`)));
  const one = await api(`services/${services.contents[0].id}`);
  problems.push(...problemsOf(ajv, 'service.json', one, 'service'));
  const orgs = await api('organizations');
  orgs.contents.forEach((o, i) => problems.push(...problemsOf(ajv, 'organization.json', o, `organizations[${i}]`)));
  const org = await api(`organizations/${orgs.contents[0].id}`);
  problems.push(...problemsOf(ajv, 'organization.json', org, 'organization'));
  const sals = await api('service-at-locations?districtCode=WK999902&volunteering=true');
  sals.contents.forEach((s, i) => problems.push(...problemsOf(ajv, 'service_at_location.json', s, `sal[${i}]`)));
  const sal = await api(`service-at-locations/${sals.contents[0].id}`);
  problems.push(...problemsOf(ajv, 'service_at_location.json', sal, 'sal'));
  assert.deepEqual(problems.slice(0, 20), [], 'what the API serves is valid HSDS 3.0');

  // The check can fail: a service without a name and with a malformed id is caught.
  const broken = { ...doc.services[0], id: 'niet-een-uuid' };
  delete broken.name;
  const found = problemsOf(ajv, 'service.json', broken, '$.services[0]');
  assert.ok(found.some((p) => p.includes("'name'")) && found.some((p) => p.startsWith('$.services[0].id')), found.join('\n'));
});

// Last in this file: it uses up this address's requests for help.
test('too many requests for help: the "Even geduld" page passes axe-core', async () => {
  const page = await newPage(browser);
  await page.goto(`${server.url}/wijzer`);
  await page.getByLabel('Wat is uw vraag?').fill('Ik ben veel alleen');
  await page.getByRole('button', { name: 'Volgende stap' }).click();
  await page.getByRole('button', { name: 'Laat zien wat past' }).click();
  await page.waitForURL(/\/wijzer\/resultaat$/);
  const csrf = await page.locator('.meedenken input[name=csrf]').inputValue();
  const form = { csrf, vraag: 'Ik ben veel alleen', contact: '06-12345678', postcode: '1011 aa', huisnummer: '1', toestemming: 'ja' };
  let status = 200;
  for (let i = 0; i < 6 && status !== 429; i++) {
    status = (await page.request.post(`${server.url}/wijzer/meedenken`, { form })).status();
  }
  assert.equal(status, 429, 'at most five requests for help per ten minutes');
  await page.getByLabel('Uw telefoonnummer of e-mailadres').fill('06-12345678');
  await page.getByLabel('Postcode', { exact: true }).fill('1011 aa');
  await page.getByLabel('Huisnummer', { exact: true }).fill('1');
  await page.getByLabel(/Ik geef toestemming/).check();
  await page.getByRole('button', { name: 'Vraag het wijkteam om mee te denken' }).click();
  assert.equal(await page.locator('h1').textContent(), 'Even geduld');
  await expectAccessible(page, 'te veel verzoeken (429)');
  await page.context().close();
});

test('an imported official HSDS service waits in the beheer queue, passes axe-core, and is on the map once classified', async () => {
  const example = new URL('../../crates/hsds/hsds-3.0/examples/service_full.json', import.meta.url).pathname;
  execFileSync(bakenBinary(), ['kaart', 'import', '--db', `sqlite://${join(server.dir, 'baken.db')}`, example], { stdio: 'pipe' });
  const anonymous = await newPage(browser);
  await anonymous.goto(`${server.url}/kaart?q=Counselling`);
  assert.doesNotMatch(await anonymous.locator('main').textContent(), /Community Counselling/, 'not on the public map while it waits');
  await anonymous.context().close();

  for (const width of [390, 1280]) {
    const admin = await newPage(browser, width);
    await login(admin, server.url, 'beheerder');
    await admin.waitForURL(/\/start$/);
    await admin.goto(`${server.url}/beheer/kaart/in-te-delen`);
    assert.match(await admin.locator('main').textContent(), /Levensgebied 'Geestelijke gezondheid'/, 'the reason is shown');
    await expectAccessible(admin, `in-te-delen ${width}`);
    await expectNoHorizontalScroll(admin, `in-te-delen ${width}`);
    await screenshot(admin, `beheer-in-te-delen-${width}`);
    await admin.getByRole('link', { name: 'Community Counselling' }).click();
    assert.match(await admin.locator('main').textContent(), /Nog in te delen\./);
    await expectAccessible(admin, `in te delen: formulier ${width}`);
    await screenshot(admin, `beheer-in-te-delen-formulier-${width}`);
    if (width === 1280) {
      await admin.getByRole('button', { name: 'Opslaan' }).click();
      await admin.waitForURL(/in-te-delen\?opgeslagen=ingedeeld/);
      assert.match(await admin.locator('[role=status]').first().textContent(), /staat nu op de openbare sociale kaart/);
      await expectAccessible(admin, 'in-te-delen na indelen');
    }
    await admin.context().close();
  }
  const resident = await newPage(browser, 390);
  await resident.goto(`${server.url}/kaart?q=Counselling`);
  assert.match(await resident.locator('main').textContent(), /Community Counselling/, 'on the map once classified');
  await expectAccessible(resident, 'kaart met de geïmporteerde voorziening');
  await resident.context().close();
});
