/**
 * The operators' Runs pages in a real Chromium against a real `reco serve`: two trainings with different
 * ALS parameters and an evaluation are recorded by the CLI; an admin opens /admin/runs, filters by kind
 * (the list swapped in place), opens a run, selects the two trainings and compares them (the parameter
 * that differs, metrics side by side, the ALS loss of both drawn by uPlot). Run names are shown as text.
 * Screenshots of the list and the comparison go to ./screenshots/.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { browserMissing, launchBrowser, recoSync, type Served, startServe } from './browser.js';

const skip = browserMissing();
const SHOTS = join(process.cwd(), 'screenshots');
const HOSTILE = '<img src=x onerror="window.pwned=1">als 4';

describe('Runs pages in a real browser', { skip, concurrency: false }, () => {
  let dir: string;
  let served: Served;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'reco-runs-web-'));
    const db = join(dir, 'reco.db');
    recoSync(db, 'simulate', '--users', '120', '--items', '80', '--events', '4000', '--seed', '3');
    const train = (factors: number, name: string) =>
      recoSync(
        db,
        'train',
        '--models',
        'popularity,als',
        '--params',
        JSON.stringify({ als: { factors, iterations: 6, threads: 1 } }),
        '--run-name',
        name,
      );
    train(4, HOSTILE);
    train(8, 'als 8');
    recoSync(db, 'evaluate', '--models', 'popularity', '--k', '5', '--run-name', 'eval popularity');
    served = await startServe(db);
    mkdirSync(SHOTS, { recursive: true });
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    page.on('console', (m) => {
      // failed loads are counted by their responses below (the browser's own favicon request has none)
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('response', (r) => {
      if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`);
    });
    await page.goto(`${served.url}/signin`);
    await page.fill('#email', served.adminEmail!);
    await page.fill('#password', served.adminPassword!);
    await page.click('button[type=submit].primary');
    await page.waitForURL((u) => !u.pathname.startsWith('/signin'));
  });

  after(async () => {
    await browser?.close();
    await served?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const rows = (p: Page) =>
    p.locator('#runs-list tbody tr').evaluateAll((els) => els.map((e) => e.getAttribute('data-kind')!));

  test('the list, filtered by kind in place; a run page; two trainings compared with their curves', async () => {
    const res = await page.goto(`${served.url}/admin/runs`);
    const csp = res!.headers()['content-security-policy'] ?? '';
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /script-src[^;]*unsafe-inline/);
    assert.equal(await page.locator('nav a[href="/admin/runs"][aria-current=page]').count(), 1, 'in the nav');
    assert.deepEqual((await rows(page)).sort(), ['evaluate', 'train', 'train']);
    // the hostile name is text, not markup
    assert.equal(await page.locator('#runs-list img').count(), 0);
    assert.ok((await page.locator('#runs-list').textContent())!.includes(HOSTILE));

    await page.evaluate(() => {
      (window as unknown as { marker: number }).marker = 1;
    });
    await page.selectOption('#kind', 'evaluate');
    await page.waitForFunction(
      () => document.querySelector('#runs-list table')?.getAttribute('data-kind') === 'evaluate',
    );
    assert.deepEqual(await rows(page), ['evaluate']);
    await page.selectOption('#kind', 'train');
    await page.waitForFunction(
      () => document.querySelector('#runs-list table')?.getAttribute('data-kind') === 'train',
    );
    assert.deepEqual(await rows(page), ['train', 'train']);
    await page.screenshot({ path: join(SHOTS, 'admin-runs-1280x800.png') });
    assert.equal(
      await page.evaluate(() => (window as unknown as { marker?: number }).marker),
      1,
      'no reload',
    );

    // one run
    await page.click('#runs-list a:text("als 8")');
    await page.waitForURL(/\/admin\/runs\/[0-9a-f]{32}$/);
    assert.match((await page.locator('h1').textContent())!, /Run als 8/);
    assert.match((await page.locator('[data-table=Parameters]').textContent())!, /als\.factors\s*8/);
    await page.waitForSelector('.chart .plot canvas');
    await page.goBack();

    // compare the two trainings
    await page.goto(`${served.url}/admin/runs?kind=train`);
    for (const box of await page.locator('#runs-list input[type=checkbox]').all()) await box.check();
    await page.click('#runs-compare button[type=submit]');
    await page.waitForURL(/\/admin\/runs\/compare\?/);
    const differ = page.locator('[data-table=differ]');
    const factors = differ.locator('tr[data-param="als.factors"] td');
    assert.deepEqual((await factors.allTextContents()).sort(), ['4', '8']);
    assert.equal(
      await differ.locator('tr[data-param="models"]').count(),
      0,
      'equal parameters are not shown',
    );
    const ndcg = page.locator('[data-table=metrics] tr[data-metric="als.loss"] td');
    assert.equal(await ndcg.count(), 2, 'a value per run');
    // the ALS loss of both runs, one uPlot chart with a series per run
    const chart = page.locator('.plot[data-chart*="key=als.loss"]');
    await chart.locator('canvas').waitFor();
    const legend = await chart.locator('.u-legend .u-series').allTextContents();
    assert.ok(legend.filter((t) => /als 8|als 4/.test(t)).length === 2, `legend: ${legend.join(' | ')}`);
    await page.screenshot({ path: join(SHOTS, 'admin-runs-compare-1280x800.png'), fullPage: true });
    assert.equal(await page.locator('img[src=x]').count(), 0);
    assert.equal(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned), undefined);
    assert.deepEqual(errors, []);
  });

  test('bad input: an unknown kind, a malformed id, a single run to compare', async () => {
    const kind = await page.request.get(`${served.url}/admin/runs?kind=nope`);
    assert.equal(kind.status(), 400);
    const id = await page.request.get(`${served.url}/admin/runs/not-a-run`);
    assert.equal(id.status(), 400);
    const missing = await page.request.get(`${served.url}/admin/runs/${'0'.repeat(32)}`);
    assert.equal(missing.status(), 404);
    const one = await page.request.get(`${served.url}/admin/runs/compare?id=${'0'.repeat(32)}`);
    assert.equal(one.status(), 400);
  });
});
