// Casework in a real browser: Karel's story from PRODUCT.md (a housing
// corporation's signal about nuisance → triage → home visit → kitchen-table
// conversation with scores and his network → a plan with an Eigen
// Kracht-conferentie (step 2) and day activities (step 3) → evaluation three
// months later with better scores → the bakens figures change), the step-5 path
// (blocked without justification, referral rejected with a reason, then
// approved), and axe-core on every casework page.
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

// The app's calendar is Dutch (CET/CEST): between 23:00 and 01:00 UTC its "today"
// is already tomorrow's UTC date, so dates here are Amsterdam dates too.
const amsterdamDay = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam' });
const today = new Date(`${amsterdamDay.format(new Date())}T12:00:00Z`);
const inDays = (n) => new Date(today.getTime() + n * 86400000).toISOString().slice(0, 10);

/** Opens every <details> so axe-core also checks the forms inside. */
async function openAllDetails(page) {
  await page.$$eval('details', (ds) => ds.forEach((d) => { d.open = true; }));
}

async function bakensTable(page) {
  await page.goto(`${server.url}/bakens`);
  return page.locator('table').innerText();
}

let karel; // { id, street, postcode, number }

test("Karel's story: signal, triage, home visit, conversation, plan on steps 2 and 3, evaluation, bakens change", async () => {
  const lead = await newPage(browser);
  await login(lead, server.url, 'teamleider');
  const before = await bakensTable(lead);
  await expectAccessible(lead, 'bakens');

  // A household of the team without casework yet.
  const gen = await newPage(browser);
  await login(gen, server.url, 'generalist');
  for (let id = 2; id < 200 && !karel; id++) {
    const res = await gen.goto(`${server.url}/dossier/${id}`);
    if (res.status() !== 200) continue;
    const coordinator = await gen.locator('dt:text-is("Contactpersoon") + dd').innerText();
    if (coordinator.trim() !== 'nog geen') continue;
    const adres = await gen.locator('dt:text-is("Adres") + dd').innerText();
    const [street, rest] = adres.split(', ');
    karel = { id, street, postcode: rest.split(' ')[0], number: street.split(' ').pop().match(/^\d+/)[0] };
  }
  assert.ok(karel, 'a household without casework');

  // The housing corporation (a partner) reports nuisance.
  const corp = await newPage(browser);
  await login(corp, server.url, 'aanbieder');
  await corp.goto(`${server.url}/signalen/nieuw`);
  await expectAccessible(corp, 'zorg melden');
  await corp.getByLabel('Postcode').fill(karel.postcode);
  await corp.getByLabel('Huisnummer').fill(karel.number);
  await corp.getByLabel('Waar maakt u zich zorgen over?').selectOption('overlast');
  await corp.getByLabel('Hoe dringend is het?').selectOption('urgent');
  await corp.getByLabel('Wat ziet of hoort u?').fill('Buren klagen over lawaai, afval en drank bij Karel. Wij overwegen ontruiming.');
  await corp.getByLabel('Namens wie meldt u?').fill('Woningcorporatie Proefstad Wonen');
  await corp.getByRole('button', { name: 'Melding versturen' }).click();
  await corp.getByText('Uw melding is ontvangen').waitFor();
  assert.equal(await corp.getByText('Buren klagen').count(), 0, 'nothing reported is shown back');

  // Triage: assign to the generalist, who becomes Karel's coordinator.
  await gen.goto(`${server.url}/signalen`);
  await expectAccessible(gen, 'signalen');
  const signal = gen.locator('section.signal', { hasText: 'Buren klagen over lawaai' });
  await signal.getByLabel('Huishouden op dit adres').selectOption(String(karel.id));
  await signal.getByRole('button', { name: 'Toewijzen' }).click();
  // The home visit.
  const assigned = gen.locator('section.signal', { hasText: 'Buren klagen over lawaai' });
  await assigned.getByLabel('Hoe').selectOption('huisbezoek');
  await assigned.getByLabel('Uitkomst').fill('Karel thuis getroffen; wil praten');
  await assigned.getByRole('button', { name: 'Eerste contact vastleggen' }).click();
  await gen.getByRole('heading', { name: 'Signalen met contact' }).waitFor();

  // The kitchen-table conversation.
  await gen.goto(`${server.url}/dossier/${karel.id}`);
  assert.match(await gen.locator('dt:text-is("Contactpersoon") + dd').innerText(), /Generalist/);
  await gen.locator('summary', { hasText: 'Nieuw keukentafelgesprek vastleggen' }).click();
  const conv = gen.locator('form[action$="/gesprek"]');
  await conv.getByLabel('Gestelde vraag').fill('De corporatie wil mij eruit zetten');
  await conv.getByLabel('Leefgebied van de vraag achter de vraag').selectOption('tijdsbesteding');
  await conv.getByLabel('Vraag achter de vraag', { exact: true }).fill('Karel heeft niets om handen sinds hij zijn werk kwijt is, en drinkt uit verveling');
  for (const d of ['Financiën', 'Tijdsbesteding', 'Sociaal netwerk', 'Huisvesting', 'Middelengebruik']) {
    await conv.getByLabel(d, { exact: true }).selectOption('2');
  }
  await conv.getByLabel('Justitie', { exact: true }).selectOption('nvt');
  await conv.getByLabel('Participatieladder').selectOption('1');
  await conv.getByLabel('Naam 1').fill('Zus Ans');
  await conv.locator('#n1-relatie').fill('familie');
  await conv.locator('#n1-wil').fill('Eens per week langskomen');
  await conv.getByLabel('Naam 2').fill('Oude vriend Henk');
  await conv.locator('#n2-relatie').fill('vriend');
  await conv.getByLabel('Eigen kracht').fill('Handig met hout');
  await conv.getByRole('button', { name: 'Gesprek opslaan' }).click();
  await gen.getByText('Oude vriend Henk').first().waitFor();

  // The plan: a goal, an Eigen Kracht-conferentie (step 2), day activities (step 3).
  await gen.getByRole('button', { name: 'Plan openen' }).click();
  await gen.locator('summary', { hasText: 'Doel toevoegen' }).click();
  const goal = gen.locator('form[action$="/doelen"]');
  await goal.getByLabel('Leefgebied').selectOption('tijdsbesteding');
  await goal.getByLabel('Doel (concreet)').fill('Karel heeft een zinvolle dag');
  await goal.getByLabel('Hoe meten we het?').fill('Drie dagdelen per week bij de dagactiviteit');
  await goal.getByLabel('Streefdatum').fill(inDays(90));
  await goal.getByRole('button', { name: 'Doel toevoegen' }).click();
  await gen.getByRole('cell', { name: /Karel heeft een zinvolle dag/ }).first().waitFor();

  const addAgreement = async (fields) => {
    await gen.locator('summary', { hasText: 'Afspraak toevoegen' }).click();
    const f = gen.locator('form[action$="/afspraken"]');
    await f.getByLabel('Wie doet het').selectOption(fields.actor);
    await f.getByLabel('Naam', { exact: true }).fill(fields.who);
    await f.getByLabel('Wat', { exact: true }).fill(fields.what);
    await f.getByLabel('Trede', { exact: true }).selectOption(fields.step);
    await f.getByLabel('Vorm').selectOption(fields.form);
    if (fields.end) await f.getByLabel('Einddatum of evaluatiedatum').fill(fields.end);
    for (const [k, v] of Object.entries(fields.reasons || {})) await f.locator(`textarea[name="reden${k}"]`).fill(v);
    if (fields.referral) await f.getByLabel('Goedgekeurde verwijzing (trede 5)').selectOption({ label: fields.referral });
    await f.getByRole('button', { name: 'Afspraak toevoegen' }).click();
  };
  await addAgreement({ actor: 'netwerk', who: 'Familie, oude vrienden en buren', what: 'Eigen Kracht-conferentie', step: '2', form: 'faciliteren' });
  await gen.getByRole('cell', { name: /Eigen Kracht-conferentie/ }).first().waitFor();
  await addAgreement({ actor: 'voorziening', who: 'Dagactiviteit De Kroon', what: 'Dagbesteding drie dagdelen per week', step: '3', form: 'ondersteunen', end: inDays(90) });
  await gen.getByRole('cell', { name: /Dagbesteding drie dagdelen/ }).first().waitFor();
  await openAllDetails(gen);
  await expectAccessible(gen, 'dossier met plan');
  await screenshot(gen, 'casework-dossier-1280');

  // Three months later: the evaluation, with better scores.
  await openAllDetails(gen); // (already open after the accessibility check)
  const ev = gen.locator('form[action$="/evaluatie"]');
  await ev.getByLabel('Datum').fill(inDays(90));
  await ev.getByLabel('Resultaat').selectOption('behaald');
  await ev.getByLabel('Toelichting').fill('Gaat drie dagdelen per week; de overlast is gestopt');
  for (const d of ['Financiën', 'Tijdsbesteding', 'Sociaal netwerk', 'Huisvesting', 'Middelengebruik']) {
    await ev.getByLabel(d, { exact: true }).selectOption('4');
  }
  await ev.getByLabel('Participatieladder').selectOption('3');
  await ev.getByRole('button', { name: 'Evaluatie opslaan' }).click();
  await gen.getByText(/Behaald op/).waitFor();
  assert.equal(await gen.locator('.chart__dot').count(), 2, 'two measurements in the chart');
  assert.match(await gen.locator('table', { hasText: 'Metingen' }).innerText(), /2,0[\s\S]*4,0/);

  // The bakens figures changed.
  const after = await bakensTable(lead);
  assert.notEqual(after, before, 'the bakens figures change with Karel');
});

test('step 5: blocked without justification, referral rejected with a reason, then approved', async () => {
  assert.ok(karel, "Karel's story ran first");
  const gen = await newPage(browser);
  await login(gen, server.url, 'generalist');
  const lead = await newPage(browser);
  await login(lead, server.url, 'teamleider');
  const dossier = `${server.url}/dossier/${karel.id}`;
  await gen.goto(dossier);
  await gen.locator('summary', { hasText: 'Afspraak toevoegen' }).click();
  let f = gen.locator('form[action$="/afspraken"]');
  await f.getByLabel('Wie doet het').selectOption('specialist');
  await f.getByLabel('Naam', { exact: true }).fill('Zorgaanbieder Beschermd Wonen');
  await f.getByLabel('Wat', { exact: true }).fill('Beschermd wonen');
  await f.getByLabel('Trede', { exact: true }).selectOption('5');
  await f.getByLabel('Einddatum of evaluatiedatum').fill(inDays(180));
  await f.getByRole('button', { name: 'Afspraak toevoegen' }).click();
  await gen.getByText('waarom trede 1 (eigen kracht) niet genoeg is').first().waitFor();
  assert.equal(await gen.locator('form[action$="/afspraken"] input[name="wie"]').inputValue(), 'Zorgaanbieder Beschermd Wonen', 'the form keeps what was typed');

  const reasons = { 1: 'Karel redt het niet alleen', 2: 'Familie kan dit niet dragen', 3: 'Geen passende algemene voorziening', 4: 'Lichte begeleiding is niet genoeg' };
  const requestReferral = async () => {
    await gen.goto(dossier);
    await gen.locator('summary', { hasText: 'Verwijzing aanvragen' }).click();
    const r = gen.locator('form[action$="/verwijzingen"]');
    await r.getByLabel('Welke zorg, van wie').fill('Ambulante woonbegeleiding');
    for (const [k, v] of Object.entries(reasons)) await r.locator(`textarea[name="reden${k}"]`).fill(v);
    await r.getByRole('button', { name: 'Verwijzing aanvragen' }).click();
    await gen.getByRole('cell', { name: 'wacht op de teamleider' }).first().waitFor();
  };
  await requestReferral();

  // The team lead rejects: first without a reason (refused), then with one.
  await lead.goto(`${server.url}/teamoverzicht`);
  await expectAccessible(lead, 'teamoverzicht');
  let card = lead.locator('section.signal', { hasText: 'Ambulante woonbegeleiding' });
  await card.getByLabel('Afwijzen').check();
  await card.getByRole('button', { name: 'Besluit opslaan' }).click();
  await lead.getByText('Schrijf op waarom u de verwijzing afwijst').waitFor();
  card = lead.locator('section.signal', { hasText: 'Ambulante woonbegeleiding' });
  await card.getByLabel('Afwijzen').check();
  await card.getByLabel('Toelichting').fill('Eerst de dagbesteding drie maanden laten lopen');
  await card.getByRole('button', { name: 'Besluit opslaan' }).click();
  await lead.getByRole('cell', { name: 'Eerst de dagbesteding drie maanden laten lopen' }).first().waitFor();
  await gen.goto(dossier);
  await gen.getByRole('cell', { name: 'Eerst de dagbesteding drie maanden laten lopen' }).first().waitFor();

  // Asked again, approved; now step 5 goes through.
  await requestReferral();
  await lead.goto(`${server.url}/teamoverzicht`);
  card = lead.locator('section.signal', { hasText: 'Ambulante woonbegeleiding' });
  await card.getByLabel('Goedkeuren').check();
  await card.getByLabel('Toelichting').fill('Akkoord, evalueren na drie maanden');
  await card.getByRole('button', { name: 'Besluit opslaan' }).click();
  await lead.getByRole('cell', { name: 'Akkoord, evalueren na drie maanden' }).first().waitFor();

  await gen.goto(dossier);
  await gen.locator('summary', { hasText: 'Afspraak toevoegen' }).click();
  f = gen.locator('form[action$="/afspraken"]');
  await f.getByLabel('Wie doet het').selectOption('specialist');
  await f.getByLabel('Naam', { exact: true }).fill('Zorgaanbieder Beschermd Wonen');
  await f.getByLabel('Wat', { exact: true }).fill('Ambulante woonbegeleiding');
  await f.getByLabel('Trede', { exact: true }).selectOption('5');
  await f.getByLabel('Vorm').selectOption('interveniëren');
  await f.getByLabel('Einddatum of evaluatiedatum').fill(inDays(180));
  for (const [k, v] of Object.entries(reasons)) await f.locator(`textarea[name="reden${k}"]`).fill(v);
  await f.getByLabel('Goedgekeurde verwijzing (trede 5)').selectOption({ label: 'Ambulante woonbegeleiding' });
  await f.getByRole('button', { name: 'Afspraak toevoegen' }).click();
  await gen.getByRole('cell', { name: /5 – maatwerkvoorziening/ }).first().waitFor();
});

test('every casework page passes axe-core, also at phone width', async () => {
  const pages = [
    ['generalist', ['/signalen', '/mijn-caseload', '/zoeken', '/zoeken?bsn=123456789', '/dossier/1', '/signalen/nieuw']],
    ['teamleider', ['/teamoverzicht', '/bakens']],
    ['beleid', ['/bakens']],
    ['inwoner', ['/mijn-plan']],
    ['aanbieder', ['/aanbieder/huishoudens', '/aanbieder/huishoudens/1']],
  ];
  for (const width of [1280, 390]) {
    for (const [user, paths] of pages) {
      const page = await newPage(browser, width);
      await login(page, server.url, user);
      for (const p of paths) {
        await page.goto(`${server.url}${p}`);
        await openAllDetails(page);
        await expectAccessible(page, `${user} ${p} @${width}`);
        if (width === 390 && !p.startsWith('/dossier') && !p.startsWith('/signalen') && !p.startsWith('/teamoverzicht') && !p.startsWith('/mijn-caseload') && !p.startsWith('/bakens')) {
          await expectNoHorizontalScroll(page, `${user} ${p}`);
        }
      }
      await page.context().close();
    }
    const anon = await newPage(browser, width);
    await anon.goto(`${server.url}/zorgmelding`);
    await expectAccessible(anon, `zorgmelding @${width}`);
    await anon.getByRole('button', { name: 'Melding versturen' }).click();
    await anon.getByText('Uw melding is nog niet verstuurd').waitFor();
    await expectAccessible(anon, `zorgmelding met fouten @${width}`);
    await anon.context().close();
  }
  const resident = await newPage(browser, 390);
  await login(resident, server.url, 'inwoner');
  await resident.goto(`${server.url}/mijn-plan`);
  await resident.getByLabel('Schrijf op hoe het met u gaat').fill('Ik ga nu drie keer per week naar De Kroon.');
  await resident.getByRole('button', { name: 'Toevoegen' }).click();
  await resident.getByText('Ik ga nu drie keer per week naar De Kroon.').waitFor();
  await screenshot(resident, 'casework-mijn-plan-390');
});
