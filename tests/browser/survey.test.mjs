// The Wmo client survey in a real browser, at 390 and 1280 px with axe-core and
// the label check on every page: a generalist makes the invitations for this
// quarter and gets the letters to print; a resident, not logged in, types the
// code from a letter, is told which questions are still open, answers and is
// thanked; beleid sees the result per team and provider, protected.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startServer, launchBrowser, newPage, login, expectAccessible, screenshot } from './lib.mjs';

let server;
let browser;

/** Runs SQL on the server's SQLite database (test set-up only). */
function sql(statements) {
  return execFileSync('python3', ['-c', `
import sqlite3, sys, random
c = sqlite3.connect(sys.argv[1])
${statements}
c.commit()
`, join(server.dir, 'baken.db')]).toString();
}

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  // The support of Wijkteam Centrum's households with providers ended today.
  sql(`
team = c.execute("SELECT team_id FROM users WHERE username = 'generalist'").fetchone()[0]
c.execute("UPDATE cw_agreements SET ended_on = date('now') WHERE provider_id IS NOT NULL AND plan_id IN (SELECT p.id FROM cw_plans p JOIN households h ON h.id = p.household_id WHERE h.team_id = ?)", (team,))
`);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the team prints letters; a resident answers with the code; beleid sees the protected result', async () => {
  let codes = [];
  for (const width of [390, 1280]) {
    const page = await newPage(browser, width);
    await login(page, server.url, 'generalist');
    await page.goto(`${server.url}/enquete`);
    await expectAccessible(page, `enquete team ${width}`);
    await screenshot(page, `survey-team-${width}`);
    if (width === 1280) {
      await page.getByRole('button', { name: 'Uitnodigingen maken' }).click();
      assert.match(await page.locator('h1').textContent(), /Uitnodigingen/);
      codes = await page.locator('.letter__code').allTextContents();
      assert.ok(codes.length >= 2, `letters to print: ${codes.length}`);
      await expectAccessible(page, `brieven ${width}`);
      await screenshot(page, `survey-letters-${width}`);
    }
    await page.close();
  }

  for (const [i, width] of [390, 1280].entries()) {
    const page = await newPage(browser, width);
    await page.goto(`${server.url}/vragenlijst`);
    await expectAccessible(page, `code ${width}`);
    await page.getByLabel('Uw code').fill('ABCD');
    await page.getByRole('button', { name: 'Vragenlijst openen' }).click();
    assert.match(await page.locator('#code-fout').textContent(), /16 letters en cijfers/);
    await expectAccessible(page, `code fout ${width}`);
    await page.getByLabel('Uw code').fill(codes[i].toLowerCase());
    await page.getByRole('button', { name: 'Vragenlijst openen' }).click();
    assert.match(await page.locator('h1').textContent(), /Wat vond u van de ondersteuning/);
    await expectAccessible(page, `vragenlijst ${width}`);
    await screenshot(page, `survey-questionnaire-${width}`);
    // Only the first question answered: the others are named.
    const questions = page.locator('fieldset.survey-question');
    assert.equal(await questions.count(), 9);
    await questions.nth(0).getByLabel('Helemaal mee eens', { exact: true }).check();
    await page.getByRole('button', { name: 'Antwoorden versturen' }).click();
    assert.match(await page.locator('[role=alert]').textContent(), /Nog niet alle vragen/);
    assert.ok(await page.locator('#q1-5').isChecked(), 'the answer given is kept');
    assert.equal(await page.locator('.field-error').count(), 8);
    await expectAccessible(page, `vragenlijst fout ${width}`);
    for (let q = 1; q < 9; q++) {
      await questions.nth(q).getByLabel(q === 4 ? 'Weet ik niet / niet van toepassing' : 'Mee eens', { exact: true }).check();
    }
    await page.getByRole('button', { name: 'Antwoorden versturen' }).click();
    assert.match(await page.locator('h1').textContent(), /Bedankt voor uw antwoorden/);
    await expectAccessible(page, `bedankt ${width}`);
    await screenshot(page, `survey-thanks-${width}`);
    await page.close();
  }

  // More residents answered about the same provider (set up in the database,
  // as their submits would), so a percentage can be shown.
  sql(`
team, provider = c.execute("SELECT team_id, provider_id FROM sv_answers LIMIT 1").fetchone()
year = c.execute("SELECT year FROM sv_answers LIMIT 1").fetchone()[0]
for _ in range(20):
    c.execute("INSERT INTO sv_answers VALUES (?, ?, ?, ?, 5, 4, 4, 5, 4, 4, 0, 4, 5)", (random.getrandbits(62), team, provider, year))
`);
  for (const width of [390, 1280]) {
    const page = await newPage(browser, width);
    await login(page, server.url, 'beleid');
    await page.goto(`${server.url}/enquete/resultaten`);
    await expectAccessible(page, `resultaten ${width}`);
    await screenshot(page, `survey-results-${width}`);
    const text = await page.locator('main').textContent();
    assert.match(text, /100%/, 'a percentage from 22 respondents');
    assert.match(text, /Per team/);
    assert.match(text, /Per aanbieder/);
    const counts = await page.locator('tbody td:nth-child(2)').allTextContents();
    for (const n of counts) assert.ok(!['1', '2', '3', '4'].includes(n.trim()), `no count of ${n}`);
    await page.close();
  }
});
