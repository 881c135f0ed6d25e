// Commissioning in a real browser: an approved step-5 referral for begeleiding
// shows the three licensed providers with their waiting times (not the one
// without a licence, and not the one that did not accept the new tariff from
// its start date); the resident picks one; `baken iwmo export` writes a WMO301
// that `xmllint --schema` accepts; importing the provider's WMO305 shows
// "gestart" in the dossier; a WMO315 becomes a task answered by a WMO319 that
// validates. axe-core at 390 and 1280 px on every new page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startServer, launchBrowser, newPage, login, expectAccessible, expectNoHorizontalScroll, screenshot, bakenBinary } from './lib.mjs';

const XSD = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'crates', 'iwmo', 'xsd');
let server;
let browser;

before(async () => {
  // Enough households for the commissioning history behind the results at the choice.
  server = await startServer({ households: 2000 });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const amsterdamDay = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam' });
const today = new Date(`${amsterdamDay.format(new Date())}T12:00:00Z`);
const inDays = (n) => new Date(today.getTime() + n * 86400000).toISOString().slice(0, 10);

const db = () => `sqlite://${join(server.dir, 'baken.db')}`;
const baken = (...args) => execFileSync(bakenBinary(), args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, BAKEN_LOG: 'warn' } });
const xmllint = (xsd, file) => execFileSync('xmllint', ['--noout', '--schema', join(XSD, xsd), file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** axe-core and the phone-width check at 390 and 1280 px. */
async function checkBothWidths(username, path, label) {
  for (const width of [390, 1280]) {
    const page = await newPage(browser, width);
    await login(page, server.url, username);
    await page.goto(`${server.url}${path}`);
    await page.$$eval('details', (ds) => ds.forEach((d) => { d.open = true; }));
    await expectAccessible(page, `${label} at ${width}px`);
    await expectNoHorizontalScroll(page, label);
    await screenshot(page, `contracting-${label.replace(/\W+/g, '-')}-${width}`);
    await page.context().close();
  }
}

const header = (prefix, code, id, sender) => `<?xml version="1.0" encoding="UTF-8"?>
<${prefix}:Bericht xmlns:iwmo="http://www.istandaarden.nl/iwmo/3_2/basisschema/schema" xmlns:${prefix}="http://www.istandaarden.nl/iwmo/3_2/${prefix}/schema">
  <${prefix}:Header>
    <${prefix}:BerichtCode>${code}</${prefix}:BerichtCode><${prefix}:BerichtVersie>3</${prefix}:BerichtVersie><${prefix}:BerichtSubversie>2</${prefix}:BerichtSubversie>
    <${prefix}:Afzender>${sender}</${prefix}:Afzender><${prefix}:Ontvanger>9999</${prefix}:Ontvanger>
    <${prefix}:BerichtIdentificatie><iwmo:Identificatie>${id}</iwmo:Identificatie><iwmo:Dagtekening>${inDays(0)}</iwmo:Dagtekening></${prefix}:BerichtIdentificatie>
    <${prefix}:XsdVersie><iwmo:BasisschemaXsdVersie>1.0.0</iwmo:BasisschemaXsdVersie><iwmo:BerichtXsdVersie>1.0.0</iwmo:BerichtXsdVersie></${prefix}:XsdVersie>
  </${prefix}:Header>`;
const client = (prefix, bsn) => `<${prefix}:Bsn>${bsn}</${prefix}:Bsn><${prefix}:Geboortedatum><iwmo:Datum>1950-01-01</iwmo:Datum></${prefix}:Geboortedatum><${prefix}:Geslacht>0</${prefix}:Geslacht><${prefix}:Naam><iwmo:Geslachtsnaam><iwmo:Achternaam>Proef</iwmo:Achternaam></iwmo:Geslachtsnaam></${prefix}:Naam>`;

test('a step-5 referral for begeleiding: choice among licensed providers, toewijzing, WMO301, WMO305, verzoek and WMO319', async () => {
  const gen = await newPage(browser);
  await login(gen, server.url, 'generalist');
  // A household of the team with an open plan.
  let household;
  for (let id = 1; id < 200 && !household; id++) {
    const res = await gen.goto(`${server.url}/dossier/${id}`);
    if (res.status() === 200 && await gen.locator('summary', { hasText: 'Verwijzing aanvragen' }).count() > 0) household = id;
  }
  assert.ok(household, 'a household with an open plan');
  const dossier = `${server.url}/dossier/${household}`;

  // A referral for maatwerk without a product is refused, next to the field.
  const reasons = { 1: 'Lukt niet alleen', 2: 'Netwerk is overbelast', 3: 'Geen algemene voorziening passend', 4: 'Lichte ondersteuning onvoldoende' };
  const referralForm = async (care, product) => {
    await gen.goto(dossier);
    await gen.locator('summary', { hasText: 'Verwijzing aanvragen' }).click();
    const r = gen.locator('form[action*="/verwijzingen"]');
    assert.ok(await r.getByLabel('Maatwerk: een product dat de gemeente inkoopt').isChecked(), 'maatwerk is the default');
    if (product) await r.getByLabel('Product (ingekocht, verplicht bij maatwerk)').selectOption({ label: product });
    await r.getByLabel('Welke zorg, van wie').fill(care);
    for (const [k, v] of Object.entries(reasons)) await r.locator(`textarea[name="reden${k}"]`).fill(v);
    await r.getByRole('button', { name: 'Verwijzing aanvragen' }).click();
  };
  await referralForm('Begeleiding zonder product', null);
  await gen.getByText('Kies een product: bij maatwerk is het product verplicht.').first().waitFor();
  assert.equal(await gen.locator('#v-product').getAttribute('aria-invalid'), 'true');
  assert.equal(await gen.locator('form[action*="/verwijzingen"] input[name="zorg"]').inputValue(), 'Begeleiding zonder product', 'the form keeps what was typed');
  await expectAccessible(gen, 'verwijzing zonder product');
  await screenshot(gen, 'contracting-verwijzing-zonder-product-1280');
  assert.equal(await gen.getByRole('cell', { name: 'Begeleiding zonder product' }).count(), 0, 'nothing written');

  // Within the team's mandate (step 4, up to € 500): approved at once, no team lead.
  await referralForm('Hulp bij het schoonhouden van het huis', 'Huishoudelijke ondersteuning: schoon en leefbaar huis (01/01A01, trede 4)');
  const within = gen.getByRole('row', { name: /Hulp bij het schoonhouden van het huis/ });
  await within.getByRole('cell', { name: 'goedgekeurd' }).waitFor();
  await within.getByRole('cell', { name: 'Binnen het mandaat van het team: geen besluit van de teamleider nodig.' }).waitFor();
  await gen.locator('p', { hasText: 'Verwijzing voor Huishoudelijke ondersteuning' }).getByRole('link', { name: 'Aanbieder kiezen met de inwoner' }).waitFor();
  await screenshot(gen, 'contracting-binnen-mandaat-1280');

  // The referral names the product: step 5 is above the mandate.
  await referralForm('Begeleiding individueel bij de administratie', 'Begeleiding individueel (02/02A01, trede 5)');
  await gen.getByRole('cell', { name: 'wacht op de teamleider' }).first().waitFor();
  // Step 5 lies above the team's mandate (step 4): the reason is recorded.
  await gen.getByText('Trede 5 ligt boven het mandaat van het team').first().waitFor();

  const lead = await newPage(browser);
  await login(lead, server.url, 'teamleider');
  await lead.goto(`${server.url}/teamoverzicht`);
  assert.equal(await lead.locator('section.signal', { hasText: 'Hulp bij het schoonhouden van het huis' }).count(), 0, 'within the mandate: nothing for the team lead to decide');
  await lead.getByRole('row', { name: /Hulp bij het schoonhouden van het huis.*Binnen het mandaat van het team/ }).waitFor();
  const card = lead.locator('section.signal', { hasText: 'Begeleiding individueel bij de administratie' });
  await card.getByLabel('Goedkeuren').check();
  await card.getByLabel('Toelichting').fill('Akkoord');
  await card.getByRole('button', { name: 'Besluit opslaan' }).click();
  await lead.getByRole('cell', { name: 'Akkoord' }).first().waitFor();

  // The choice: three licensed providers with their waiting times.
  await gen.goto(dossier);
  await gen.locator('p', { hasText: 'Verwijzing voor Begeleiding individueel' }).getByRole('link', { name: 'Aanbieder kiezen met de inwoner' }).click();
  await gen.getByRole('heading', { name: 'Aanbieder kiezen' }).waitFor();
  const offered = await gen.locator('input[name="aanbieder"] + label').allInnerTexts();
  const names = offered.filter((t) => !t.startsWith('Geen voorkeur')).map((t) => t.split(' — ')[0]);
  assert.deepEqual(names, ['Stichting Op Eigen Kracht', 'Begeleiding Dichtbij', 'Zorggroep De Linde']);
  assert.ok(offered.every((t) => t.startsWith('Geen voorkeur') || /wachttijd: .*gemeld op \d\d-\d\d-\d{4}/.test(t)), offered.join('\n'));
  // Each provider's results with this product, in plain words: the
  // scorecard the resident sees when choosing (issue 13).
  const results = await gen.locator('p[id^="resultaat-"]').allInnerTexts();
  assert.equal(results.length, 3, results.join('\n'));
  assert.ok(results.every((t) => t.startsWith('Resultaat:')), results.join('\n'));
  assert.ok(results.some((t) => /gemiddeld [\d,]+ punt (vooruit|achteruit)\..*verwacht.*Gemeten bij \d+ huishoudens\./.test(t)), results.join('\n'));
  await gen.locator('summary', { hasText: 'Wat betekent het resultaat?' }).click();
  await gen.getByText('Zo vergelijken we eerlijk').waitFor();
  const choiceUrl = gen.url();
  await checkBothWidths('generalist', new URL(choiceUrl).pathname, 'aanbieder kiezen');
  // The day before the new tariff, the provider that accepted only the old one
  // is offered; from its start date it is not. The unlicensed one never is.
  await gen.goto(`${choiceUrl}?ingang=2026-10-31`);
  const before = await gen.locator('input[name="aanbieder"] + label').allInnerTexts();
  assert.ok(before.some((t) => t.startsWith('Zorg op Maat Proefland')), before.join('\n'));
  assert.ok(!before.some((t) => t.startsWith('Thuiszorg Noorderlicht')));
  await gen.goto(`${choiceUrl}?ingang=2026-11-01`);
  assert.ok(!(await gen.locator('input[name="aanbieder"] + label').allInnerTexts()).some((t) => t.startsWith('Zorg op Maat')));

  // The resident picks one.
  await gen.goto(choiceUrl);
  await gen.getByLabel(/^Stichting Op Eigen Kracht/).check();
  await gen.getByLabel('Voor wie').selectOption({ index: 1 });
  await gen.getByLabel('Einddatum').fill(inDays(180));
  await gen.getByLabel('Omvang in uur per week').fill('3');
  await gen.getByRole('button', { name: 'Toewijzing maken' }).click();
  const made = await gen.getByText(/Toewijzing \d+ is gemaakt: Stichting Op Eigen Kracht/).innerText();
  const number = made.match(/Toewijzing (\d+)/)[1];

  // The export writes a WMO301 that xmllint accepts.
  const out = mkdtempSync(join(tmpdir(), 'baken-iwmo-'));
  baken('iwmo', 'export', '--out', out, '--db', db());
  // The demo's earlier toewijzingen (the results behind the choice) are in
  // the export too; the new one is in exactly one file of its provider.
  const files = readdirSync(out)
    .filter((f) => f.startsWith('WMO301_42420003_'))
    .filter((f) => readFileSync(join(out, f), 'utf8').includes(`<wmo301:ToewijzingNummer>${number}</wmo301:ToewijzingNummer>`));
  assert.equal(files.length, 1, readdirSync(out).join(', '));
  xmllint('WMO301.xsd', join(out, files[0]));
  const wmo301 = readFileSync(join(out, files[0]), 'utf8');
  assert.match(wmo301, new RegExp(`<wmo301:ToewijzingNummer>${number}</wmo301:ToewijzingNummer>`));
  const bsn = wmo301.match(/<wmo301:Bsn>(\d{9})<\/wmo301:Bsn>/)[1];

  // The provider's start (WMO305) shows in the dossier.
  const start = `${header('wmo305', '418', 'S1', '42420003')}
  <wmo305:Client>${client('wmo305', bsn)}<wmo305:StartProducten><wmo305:StartProduct><wmo305:ToewijzingNummer>${number}</wmo305:ToewijzingNummer><wmo305:ToewijzingIngangsdatum>${inDays(0)}</wmo305:ToewijzingIngangsdatum><wmo305:Begindatum>${inDays(0)}</wmo305:Begindatum><wmo305:StatusAanlevering>1</wmo305:StatusAanlevering></wmo305:StartProduct></wmo305:StartProducten></wmo305:Client>
</wmo305:Bericht>`;
  writeFileSync(join(out, 'start.xml'), start);
  baken('iwmo', 'import', join(out, 'start.xml'), '--db', db());
  await gen.goto(dossier);
  await gen.getByText(new RegExp(`Toewijzing ${number}: Begeleiding individueel bij Stichting Op Eigen Kracht.*gestart op`)).waitFor();

  // A verzoek om toewijzing (WMO315) becomes a task with a deadline, refused with a WMO319.
  const verzoek = `${header('wmo315', '444', 'V1', '42420001')}
  <wmo315:Client>${client('wmo315', bsn)}<wmo315:AangevraagdeProducten><wmo315:AangevraagdProduct><wmo315:ReferentieAanbieder>BD-2026-17</wmo315:ReferentieAanbieder><wmo315:Product><iwmo:Categorie>07</iwmo:Categorie><iwmo:Code>07A01</iwmo:Code></wmo315:Product><wmo315:ToewijzingIngangsdatum>${inDays(14)}</wmo315:ToewijzingIngangsdatum><wmo315:ToewijzingEinddatum>${inDays(200)}</wmo315:ToewijzingEinddatum><wmo315:Omvang><iwmo:Volume>2</iwmo:Volume><iwmo:Eenheid>16</iwmo:Eenheid><iwmo:Frequentie>2</iwmo:Frequentie></wmo315:Omvang><wmo315:Verwijzer><iwmo:Type>04</iwmo:Type><iwmo:Naam>Huisarts</iwmo:Naam></wmo315:Verwijzer></wmo315:AangevraagdProduct></wmo315:AangevraagdeProducten></wmo315:Client>
</wmo315:Bericht>`;
  writeFileSync(join(out, 'verzoek.xml'), verzoek);
  baken('iwmo', 'import', join(out, 'verzoek.xml'), '--db', db());
  await lead.goto(`${server.url}/verzoeken`);
  const task = lead.locator('section.card', { hasText: 'Dagbesteding — Begeleiding Dichtbij' });
  await task.getByText('Uiterlijk beantwoorden').waitFor();
  await checkBothWidths('teamleider', '/verzoeken', 'verzoeken');
  await task.getByLabel('Afwijzen').check();
  await task.getByLabel('Reden van afwijzing').selectOption({ label: 'Past niet binnen budget' });
  await task.getByRole('button', { name: 'Antwoord versturen' }).click();
  await lead.getByText('Het antwoord is vastgelegd.').waitFor();
  await lead.locator('summary', { hasText: 'Verstuurd bericht (WMO319)' }).click();
  const wmo319 = await lead.locator('pre.wmo319').innerText();
  writeFileSync(join(out, 'wmo319.xml'), wmo319);
  xmllint('WMO319.xsd', join(out, 'wmo319.xml'));
  assert.match(wmo319, /<wmo319:RedenAfwijzingVerzoek>2<\/wmo319:RedenAfwijzingVerzoek>/);

  // A granted verzoek is answered by the toewijzing itself: a WMO301 with the provider's reference.
  writeFileSync(join(out, 'verzoek2.xml'), verzoek.replace('<iwmo:Identificatie>V1<', '<iwmo:Identificatie>V2<').replaceAll('BD-2026-17', 'BD-2026-18'));
  baken('iwmo', 'import', join(out, 'verzoek2.xml'), '--db', db());
  await lead.goto(`${server.url}/verzoeken`);
  const second = lead.locator('section.card', { hasText: 'BD-2026-18' });
  await second.getByLabel('Toewijzen').check();
  await second.getByRole('button', { name: 'Antwoord versturen' }).click();
  await lead.getByText('Het antwoord is vastgelegd.').waitFor();
  await lead.getByText('(BD-2026-18): Toegewezen (toewijzing verstuurd met WMO301).').waitFor();
  await lead.locator('summary', { hasText: 'Verstuurd bericht (WMO301)' }).click();
  const answer301 = await lead.locator('pre.wmo301').innerText();
  writeFileSync(join(out, 'wmo301-antwoord.xml'), answer301);
  xmllint('WMO301.xsd', join(out, 'wmo301-antwoord.xml'));
  assert.match(answer301, /<wmo301:ReferentieAanbieder>BD-2026-18<\/wmo301:ReferentieAanbieder>/);
  await expectAccessible(lead, 'verzoeken beantwoord');
});

test('beheer of commissioning and the provider’s contracts pass axe-core at both widths', async () => {
  await checkBothWidths('beheerder', '/beheer/inkoop', 'inkoop');
  await checkBothWidths('beheerder', '/beheer/inkoop/producten/nieuw', 'nieuw product');
  await checkBothWidths('beheerder', '/beheer/inkoop/producten/1', 'product wijzigen');
  await checkBothWidths('aanbieder', '/aanbod/contracten', 'contracten');
  // The beheerder rejects an application with a reason; the provider sees it.
  const admin = await newPage(browser);
  await login(admin, server.url, 'beheerder');
  await admin.goto(`${server.url}/beheer/inkoop`);
  const application = admin.locator('section.card', { hasText: 'Thuiszorg Noorderlicht — aangevraagd' });
  await application.getByLabel('Afwijzen', { exact: true }).check();
  await application.getByRole('button', { name: 'Besluit opslaan' }).click();
  await admin.getByText('Schrijf de reden van de afwijzing op').first().waitFor();
  const again = admin.locator('section.card', { hasText: 'Thuiszorg Noorderlicht — aangevraagd' });
  await again.getByLabel('Afwijzen', { exact: true }).check();
  await again.getByLabel('Reden (verplicht bij afwijzen)').fill('Geen VOG voor het personeel aangeleverd');
  await again.getByRole('button', { name: 'Besluit opslaan' }).click();
  await admin.getByText('Reden: Geen VOG voor het personeel aangeleverd').waitFor();

  // A new product: refused next to the field first, then saved and changed.
  await admin.goto(`${server.url}/beheer/inkoop`);
  await admin.getByRole('link', { name: 'Nieuw product' }).click();
  await admin.getByLabel('Productcategorie (WMO020)').selectOption('02');
  await admin.getByLabel('Productcode (vijf letters of cijfers)').fill('02B09');
  await admin.getByLabel('Naam in gewone taal').fill('Begeleiding met een maatje');
  await admin.getByLabel('Inspanningsgericht: tijd of inzet (eenheid en frequentie hieronder)').check();
  await admin.getByRole('button', { name: 'Product opslaan' }).click();
  await admin.getByText('Kies bij inspanningsgericht de eenheid').first().waitFor();
  assert.equal(await admin.getByLabel('Naam in gewone taal').inputValue(), 'Begeleiding met een maatje');
  await expectAccessible(admin, 'product geweigerd');
  await screenshot(admin, 'contracting-product-geweigerd-1280');
  await admin.getByLabel('Eenheid (alleen bij inspanningsgericht)').selectOption({ label: 'uur' });
  await admin.getByLabel('Frequentie (alleen bij inspanningsgericht)').selectOption({ label: 'per week' });
  await admin.getByRole('button', { name: 'Product opslaan' }).click();
  await admin.getByText('De wijziging is opgeslagen.').waitFor();
  await admin.getByRole('link', { name: 'Wijzig Begeleiding met een maatje' }).click();
  await admin.getByLabel('Naam in gewone taal').fill('Begeleiding door een maatje');
  await admin.getByRole('button', { name: 'Product opslaan' }).click();
  await admin.getByRole('cell', { name: 'Begeleiding door een maatje', exact: true }).waitFor();
});

test('evidence as a document: a program named .pdf is refused in Dutch next to the form, a PDF is stored and downloaded by the provider and the beheerder (390 and 1280 px)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bewijs-'));
  const pdf = join(dir, 'HKZ-certificaat.pdf');
  writeFileSync(pdf, '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
  const program = join(dir, 'certificaat.pdf');
  writeFileSync(program, 'MZ\u0090 this is a program, not a PDF');
  for (const width of [390, 1280]) {
    const page = await newPage(browser, width);
    await login(page, server.url, 'aanbieder');
    await page.goto(`${server.url}/aanbod/contracten`);
    const form = page.locator('form', { has: page.getByRole('button', { name: 'Licentie aanvragen' }) }).first();
    const files = form.locator('input[type=file]');
    assert.ok(await files.count() >= 1, 'a document field per requirement');
    await files.first().setInputFiles(width === 390 ? program : pdf);
    const statements = form.locator('textarea');
    for (let i = 1; i < await statements.count(); i += 1) await statements.nth(i).fill('Verklaring: geregeld sinds 2020');
    for (const box of await form.locator('input[type=checkbox]').all()) await box.check();
    await form.getByRole('button', { name: 'Licentie aanvragen' }).click();
    if (width === 390) {
      await page.getByText('is geen PDF, PNG of JPEG').first().waitFor();
      await expectAccessible(page, 'bewijsdocument geweigerd');
      await expectNoHorizontalScroll(page, 'bewijsdocument geweigerd');
      await screenshot(page, 'contracting-bewijs-geweigerd-390');
    } else {
      await page.getByText('Opgeslagen.').first().waitFor();
      const link = page.getByRole('link', { name: /HKZ-certificaat\.pdf/ });
      const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
      assert.equal(download.suggestedFilename(), 'HKZ-certificaat.pdf');
      await expectAccessible(page, 'bewijsdocument opgeslagen');
      await screenshot(page, 'contracting-bewijs-opgeslagen-1280');
    }
    await page.context().close();
  }
  const admin = await newPage(browser, 390);
  await login(admin, server.url, 'beheerder');
  await admin.goto(`${server.url}/beheer/inkoop`);
  const link = admin.getByRole('link', { name: /HKZ-certificaat\.pdf/ });
  const [download] = await Promise.all([admin.waitForEvent('download'), link.click()]);
  assert.equal(readFileSync(await download.path(), 'latin1').slice(0, 5), '%PDF-');
  await expectAccessible(admin, 'inkoop met bewijsdocument');
  await expectNoHorizontalScroll(admin, 'inkoop met bewijsdocument');
  await screenshot(admin, 'contracting-inkoop-bewijs-390');
  await admin.context().close();
});
