/**
 * The operators' Experiments page in a real Chromium against a real `reco serve`: create an experiment
 * from the form, serve its variants through the API with a client key (events carrying the request id),
 * read the results with their intervals and the charts over time, stop it.
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

describe('the Experiments page in a real browser', { skip, concurrency: false }, () => {
  let dir: string;
  let served: Served;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'reco-web-exp-'));
    const db = join(dir, 'reco.db');
    recoSync(db, 'simulate', '--users', '120', '--items', '80', '--events', '4000', '--seed', '3');
    recoSync(db, 'train', '--models', 'popularity,itemknn');
    served = await startServe(db);
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`${page.url()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`${page.url()}: ${e.message}`));
    mkdirSync(SHOTS, { recursive: true });
    await page.goto(`${served.url}/signin`);
    await page.fill('#email', served.adminEmail!);
    await page.fill('#password', served.adminPassword!);
    await page.click('button[type=submit].primary');
    await page.waitForURL(/\/$/);
  });

  after(async () => {
    await browser?.close();
    await served?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('create from the form (a bad strategy is named), serve, read results with intervals and charts, stop', async () => {
    await page.goto(`${served.url}/admin/experiments`);
    await page.fill('#name', 'pop-vs-knn');
    await page.fill('#treatment', 'nonsense');
    await page.click('#create-experiment button[type=submit]');
    await page
      .locator('p.error', { hasText: 'variants[1].strategy: "nonsense" is not a strategy' })
      .waitFor();
    assert.equal(await page.inputValue('#name'), 'pop-vs-knn', 'the form keeps what was typed');
    errors.length = 0; // the 400 of that answer (and the sign-in's favicon 404) are expected
    await page.fill('#treatment', 'itemknn');
    await page.click('#create-experiment button[type=submit]');
    await page.waitForURL(/\/admin\/experiments\/exp-[0-9a-f]+$/);
    const id = page.url().split('/').pop()!;
    assert.equal(await page.locator('[data-status]').first().textContent(), 'running');
    // a running experiment says since when, not "stopped –"
    assert.match(
      (await page.locator('[data-period]').first().textContent())!,
      /^since \d{4}-\d\d-\d\d \d\d:\d\d$/,
    );

    // traffic through the public API, as a client would: answers of both variants, clicks with their request
    const key = served.keys.get('client')!;
    const headers = { 'x-api-key': key, 'content-type': 'application/json' };
    const variants = new Set<string>();
    for (let u = 0; u < 60; u++) {
      const r = await fetch(`${served.url}/v1/users/u${u}/recommendations?k=5`, { headers });
      assert.equal(r.status, 200);
      const a = (await r.json()) as {
        request: string;
        experiment: { id: string; variant: string };
        items: { id: string }[];
      };
      assert.equal(a.experiment.id, id);
      variants.add(a.experiment.variant);
      if (u % 3 !== 0) {
        const ev = await fetch(`${served.url}/v1/events`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ user: `u${u}`, item: a.items[0]!.id, type: 'click', request: a.request }),
        });
        assert.equal(ev.status, 200);
      }
    }
    assert.deepEqual([...variants].sort(), ['control', 'treatment']);
    await new Promise((r) => setTimeout(r, 200)); // the exposure log's group commit

    await page.reload();
    const users = await page.locator('#results [data-users]').allTextContents();
    assert.equal(
      users.map(Number).reduce((s, x) => s + x, 0),
      60,
    );
    const clicks = await page.locator('#results [data-clicks]').allTextContents();
    assert.equal(
      clicks.map(Number).reduce((s, x) => s + x, 0),
      40,
    );
    const lift = (await page.locator('#results tr[data-variant=treatment] [data-lift]').textContent())!;
    assert.match(lift, /^-?\d+\.\d% \[-?\d+\.\d%, -?\d+\.\d%\]$/, 'the lift with its 95% interval');
    assert.match((await page.locator('[data-srm]').textContent())!, /Sample ratio mismatch: p = \d\.\d{4}/);
    // both charts drawn from their JSON (uPlot canvases)
    await page.waitForFunction(() => document.querySelectorAll('.plot canvas').length >= 2);
    const liftJson = (await (
      await page.request.get(`${served.url}/admin/api/experiments/${id}/lift.json`)
    ).json()) as {
      x: number[];
      series: { label: string; values: (number | null)[] }[];
    };
    assert.equal(liftJson.series.length, 5);
    assert.equal(liftJson.x.length, 12);
    const last = liftJson.series.map((s) => s.values.at(-1));
    if (last[0] !== null)
      assert.ok(last[1]! <= last[0]! && last[0]! <= last[2]!, 'the estimate inside its interval');
    await page.screenshot({ path: join(SHOTS, 'admin-experiment-1280x800.png') });
    await page.setViewportSize({ width: 390, height: 844 });
    // the charts drawn at 1280 px follow the new width on their ResizeObserver's next callback
    await page
      .waitForFunction(() => document.documentElement.scrollWidth - window.innerWidth <= 1, undefined, {
        timeout: 5000,
      })
      .catch(() => {});
    await page.screenshot({ path: join(SHOTS, 'admin-experiment-390x844.png') });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `overflows by ${overflow}px at 390px`);
    await page.screenshot({ path: join(SHOTS, 'admin-experiment-390x844.png') });
    await page.setViewportSize({ width: 1280, height: 800 });

    await page.click(`[data-testid="stop-${id}"]`);
    await page.waitForURL(new RegExp(`/admin/experiments/${id}$`));
    assert.equal(await page.locator('[data-status]').first().textContent(), 'stopped');
    assert.match((await page.locator('[data-period]').first().textContent())!, /^\S+ \S+ to \S+ \S+$/);
    const after = (await (
      await fetch(`${served.url}/v1/users/u1/recommendations?k=5`, { headers })
    ).json()) as {
      experiment?: unknown;
    };
    assert.equal(after.experiment, undefined, 'a stopped experiment no longer decides answers');
    await page.goto(`${served.url}/admin/experiments`);
    assert.equal(await page.locator(`tr[data-experiment="${id}"] [data-status]`).textContent(), 'stopped');
    await page.screenshot({ path: join(SHOTS, 'admin-experiments-1280x800.png') });
    assert.deepEqual(errors, []);
  });
});
