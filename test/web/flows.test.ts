/**
 * The web app's nine flows in a real Chromium against a real `reco serve` process over a small simulated
 * world (trained with its evaluation). One server for the file, restarted once (sessions survive it).
 * Screenshots of every page at 1280x800 and 390x844 go to ./screenshots/ (README).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { openStore } from '../../src/store/open.js';
import { browserMissing, launchBrowser, recoSync, type Served, startServe } from './browser.js';

const skip = browserMissing();
const SHOTS = join(process.cwd(), 'screenshots');
const PASSWORD = 'correct horse battery';

describe('web app in a real browser', { skip, concurrency: false }, () => {
  let dir: string;
  let db: string;
  let served: Served;
  let browser: Browser;
  let person: BrowserContext;
  let page: Page;
  const email = 'ada@example.com';
  let clientKey: string;
  /** The first admin's credentials, printed once by the first start. */
  let adminEmail: string;
  let adminPassword: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'reco-web-'));
    db = join(dir, 'reco.db');
    recoSync(db, 'simulate', '--users', '200', '--items', '150', '--events', '9000', '--seed', '5');
    recoSync(db, 'train', '--evaluate');
    served = await startServe(db);
    clientKey = served.keys.get('client')!;
    adminEmail = served.adminEmail!;
    adminPassword = served.adminPassword!;
    browser = await launchBrowser();
    person = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await person.newPage();
    mkdirSync(SHOTS, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await served?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const cards = (p: Page) =>
    p.locator('#recs li.card').evaluateAll((els) => els.map((e) => e.getAttribute('data-item')!));

  const signIn = async (p: Page, who: string, password: string) => {
    await p.goto(`${served.url}/signin`);
    await p.fill('#email', who);
    await p.fill('#password', password);
    await p.click('button[type=submit].primary');
  };

  const userIdOf = async (who: string): Promise<string> => {
    const store = await openStore(db);
    try {
      return (await store.accounts.byEmail(who))!.userId;
    } finally {
      await store.close();
    }
  };

  test('1. sign up, pick two genres, like three titles: at least 10 recommendations, none of them liked', async () => {
    await page.goto(`${served.url}/signup`);
    await page.fill('#displayName', 'Ada');
    await page.fill('#email', email);
    await page.fill('#password', PASSWORD);
    await page.click('button[type=submit].primary');
    await page.waitForURL(/\/onboarding$/);
    const genres = page.locator('input[name=genres]');
    const favourite = (await genres.nth(0).getAttribute('value'))!;
    await genres.nth(0).check();
    await genres.nth(1).check();
    await page.click('button[type=submit].primary');
    const titles = page.locator('input[name=items]');
    const liked: string[] = [];
    for (const j of [0, 1, 2]) {
      liked.push((await titles.nth(j).getAttribute('value'))!);
      await titles.nth(j).check();
    }
    await page.click('button[type=submit].primary');
    await page.waitForURL(`${served.url}/`);
    const shown = await cards(page);
    assert.ok(shown.length >= 10, `${shown.length} recommendations`);
    for (const id of liked) assert.ok(!shown.includes(id), `liked ${id} is recommended`);
    // each card's reasons arrive by their own request
    await page.waitForFunction(() => document.querySelectorAll('#recs .why.pending').length === 0);
    assert.ok((await page.locator('#recs .why li').count()) >= shown.length, 'every card says why');
    assert.ok((await page.locator('#recs .why li', { hasText: 'Because you liked' }).count()) > 0);
    // the genre filter swaps the list in place: every card of the chosen genre
    const genre = favourite;
    await page.selectOption('#genre', genre);
    await page.waitForFunction(async (g) => {
      const cards = [...(await document.querySelectorAll('#recs li.card'))];
      return (
        cards.length > 0 &&
        cards.every((c) => [...c.querySelectorAll('.genres li')].some((li) => li.textContent === g))
      );
    }, genre);
    await page.goto(`${served.url}/`);
  });

  test('2. like a recommended item: it leaves the list in place, shows in your activity and in the API history', async () => {
    const before = await cards(page);
    const item = before[0]!;
    await page.evaluate(() => {
      (window as unknown as { marker: number }).marker = 1;
    });
    await page.click(`[data-testid="like-${item}"]`);
    await page.waitForFunction((id) => !document.querySelector(`#recs li[data-item="${id}"]`), item, {
      timeout: 5000,
    });
    const afterList = await cards(page);
    assert.ok(!afterList.includes(item));
    assert.notDeepEqual(afterList, before);
    assert.ok(afterList.length >= 10);
    // in place: the same document (no navigation happened)
    assert.equal(await page.evaluate(() => (window as unknown as { marker?: number }).marker), 1);
    await page.goto(`${served.url}/activity`);
    assert.ok((await page.locator(`#activity li[data-item="${item}"][data-type=like]`).count()) >= 1);
    const res = await fetch(`${served.url}/v1/users/${encodeURIComponent(await userIdOf(email))}/history`, {
      headers: { authorization: `Bearer ${clientKey}` },
    });
    const history = (await res.json()) as { events: { item: string; type: string }[] };
    assert.ok(history.events.some((e) => e.item === item && e.type === 'like'));
  });

  test('3. sessions survive a restart; after sign-out the old cookie no longer works', async () => {
    await served.stop();
    served = await startServe(db);
    await page.goto(`${served.url}/`);
    assert.equal(new URL(page.url()).pathname, '/', 'still signed in after the restart');
    const cookie = (await person.cookies()).find((c) => c.name === 'reco_session')!;
    await page.click('.signout button');
    await page.waitForURL(/\/signin/);
    for (const path of ['/', '/activity', '/browse', '/account']) {
      const res = await fetch(`${served.url}${path}`, {
        headers: { cookie: `reco_session=${cookie.value}` },
        redirect: 'manual',
      });
      assert.equal(res.status, 303, path);
      assert.match(res.headers.get('location')!, /^\/signin/);
    }
    await page.goto(`${served.url}/activity`);
    assert.match(page.url(), /\/signin\?next=/);
    await signIn(page, email, PASSWORD);
    await page.waitForURL(`${served.url}/`);
  });

  test("4. a person gets 403 on every /admin page and cannot read or write another user's data", async () => {
    const adminPaths = [
      '/admin',
      '/admin/models',
      '/admin/ranker',
      '/admin/activity',
      '/admin/serving',
      '/admin/data',
      '/admin/users?user=u1',
      '/admin/accounts',
      '/admin/api/rates.json',
      '/admin/api/serving.json',
      '/admin/partials/counts',
    ];
    for (const path of adminPaths) {
      const res = await page.request.get(`${served.url}${path}`, { maxRedirects: 0 });
      assert.equal(res.status(), 403, path);
    }
    const token = await page.evaluate(
      () => JSON.parse(document.body.getAttribute('hx-headers')!)['x-csrf-token'] as string,
    );
    for (const path of [
      '/admin/models/retrain',
      '/admin/models/reload',
      '/admin/keys',
      '/admin/accounts/x/role',
    ]) {
      const res = await page.request.post(`${served.url}${path}`, {
        form: { _csrf: token, role: 'admin', label: 'x' },
        maxRedirects: 0,
      });
      assert.equal(res.status(), 403, path);
    }
    const other = 'u1';
    const store = await openStore(db);
    const otherBefore = (await store.userEvents(other, 1000)).length;
    await store.close();
    const target = (await cards(page))[0]!;
    // ids in the form, the URL and headers are not the person's to choose
    const res = await page.request.post(`${served.url}/feedback?user=${other}`, {
      form: { _csrf: token, item: target, kind: 'like', user: other, userId: other },
      headers: { 'x-user-id': other, 'x-reco-user': other },
      maxRedirects: 0,
    });
    assert.equal(res.status(), 303);
    const after = await openStore(db);
    assert.equal(
      (await after.userEvents(other, 1000)).length,
      otherBefore,
      "the other user's history did not change",
    );
    assert.ok((await after.userEvents(await userIdOf(email), 1000)).some((e) => e.item === target));
    await after.close();
    const activity = await page.request.get(`${served.url}/partials/activity?user=${other}`, {
      headers: { 'x-user-id': other },
    });
    const html = await activity.text();
    assert.ok(html.includes(`data-item="${target}"`), 'his own activity');
    // the API is not reachable with a session: it needs a key
    const api = await page.request.get(`${served.url}/v1/users/${other}/history`);
    assert.equal(api.status(), 401);
  });

  test("5. an admin sees the overview's event count rise without reloading; evaluation table; every strategy in the inspector", async () => {
    const adminCtx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const admin = await adminCtx.newPage();
    await signIn(admin, adminEmail, adminPassword);
    await admin.goto(`${served.url}/admin`);
    const count = async () =>
      Number(((await admin.locator('[data-count=events]').textContent()) ?? '').replace(/,/g, ''));
    const start = await count();
    await admin.evaluate(() => {
      (window as unknown as { marker: number }).marker = 1;
    });
    const likes = (await cards(page)).slice(0, 3);
    for (const item of likes) {
      await page.click(`[data-testid="like-${item}"]`);
      await page.waitForFunction((id) => !document.querySelector(`#recs li[data-item="${id}"]`), item);
    }
    await admin.waitForFunction(
      (want) => Number(document.querySelector('[data-count=events]')!.textContent!.replace(/,/g, '')) >= want,
      start + likes.length,
      { timeout: 15_000 },
    );
    assert.equal(
      await admin.evaluate(() => (window as unknown as { marker?: number }).marker),
      1,
      'no reload',
    );
    assert.ok((await count()) >= start + 3);
    await admin.goto(`${served.url}/admin/models`);
    const table = admin.locator('table.data').first();
    assert.match((await table.textContent()) ?? '', /NDCG@10/);
    assert.ok((await table.locator('tbody tr').count()) >= 5, 'a row per model');
    assert.ok((await admin.locator('tr.oracle').count()) >= 1, 'the oracle row');
    await admin.goto(`${served.url}/admin/users?user=u3`);
    const strategies = await admin
      .locator('section.strategy')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-strategy')));
    for (const s of ['ranked', 'popularity', 'itemknn', 'als', 'ease', 'content', 'hybrid'])
      assert.ok(strategies.includes(s), `strategy ${s} in ${strategies.join(',')}`);
    for (const s of await admin.locator('section.strategy').all())
      assert.ok((await s.locator('ol li').count()) >= 5);
    await adminCtx.close();
  });

  test('6. an item titled <img src=x onerror=alert(1)> shows as text; no dialog opens', async () => {
    const title = '<img src=x onerror=alert(1)>';
    const res = await fetch(`${served.url}/v1/items`, {
      method: 'POST',
      headers: { authorization: `Bearer ${clientKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'xss-1', title, genres: ['<b>bold</b>'] }),
    });
    assert.equal(res.status, 200);
    let dialogs = 0;
    page.on('dialog', (d) => {
      dialogs++;
      void d.dismiss();
    });
    await page.goto(`${served.url}/items/xss-1`);
    assert.equal(await page.locator('h1').textContent(), title);
    await page.goto(`${served.url}/browse?q=${encodeURIComponent('onerror')}`);
    assert.ok(((await page.locator('.rows').textContent()) ?? '').includes(title));
    assert.equal(await page.locator('img[src=x]').count(), 0);
    await page.waitForTimeout(300);
    assert.equal(dialogs, 0);
  });

  test('7. a cross-site form post and a request without the CSRF proof are refused', async () => {
    const store0 = await openStore(db);
    const before = (await store0.userEvents(await userIdOf(email), 1000)).length;
    await store0.close();
    await page.goto(`${served.url}/`);
    const target = (await cards(page))[0]!;
    // an attacker's page on another site (localhost is another site than 127.0.0.1) posting to the app
    const evil: Server = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(
        `<form id=f method=post action="${served.url}/feedback"><input name=item value="${target}"><input name=kind value=like></form><script>document.getElementById('f').submit()</script>`,
      );
    });
    await new Promise<void>((r) => evil.listen(0, '127.0.0.1', r));
    const port = (evil.address() as AddressInfo).port;
    const statuses: number[] = [];
    page.on('response', (r) => {
      if (r.url().startsWith(`${served.url}/feedback`)) statuses.push(r.status());
    });
    await page.goto(`http://localhost:${port}/`);
    await page.waitForLoadState('load');
    await page.waitForFunction(
      () => location.pathname.startsWith('/feedback') || document.readyState === 'complete',
    );
    evil.close();
    assert.ok(statuses.length >= 1 && statuses.every((s) => s === 403), `statuses ${statuses.join(',')}`);
    // same site, session cookie, but no CSRF proof
    const noProof = await page.request.post(`${served.url}/feedback`, {
      form: { item: target, kind: 'like' },
      maxRedirects: 0,
    });
    assert.equal(noProof.status(), 403);
    // a wrong proof, and a foreign Origin with a right one
    const token = await (async () => {
      await page.goto(`${served.url}/`);
      return page.evaluate(
        () => JSON.parse(document.body.getAttribute('hx-headers')!)['x-csrf-token'] as string,
      );
    })();
    const wrong = await page.request.post(`${served.url}/feedback`, {
      form: { _csrf: `${token}x`, item: target, kind: 'like' },
      maxRedirects: 0,
    });
    assert.equal(wrong.status(), 403);
    const foreign = await page.request.post(`${served.url}/feedback`, {
      form: { _csrf: token, item: target, kind: 'like' },
      headers: { origin: 'https://evil.example' },
      maxRedirects: 0,
    });
    assert.equal(foreign.status(), 403);
    const store1 = await openStore(db);
    assert.equal(
      (await store1.userEvents(await userIdOf(email), 1000)).length,
      before,
      'no event was stored',
    );
    await store1.close();
  });

  test('8. ten wrong passwords for one account get 429; the right one waits until the throttle ends', async () => {
    const ctx = await browser.newContext();
    const p = await ctx.newPage();
    await p.goto(`${served.url}/signin`);
    const token = await p.locator('input[name=_csrf]').first().getAttribute('value');
    const attempt = (password: string) =>
      p.request.post(`${served.url}/signin`, { form: { _csrf: token!, email, password }, maxRedirects: 0 });
    const statuses: number[] = [];
    for (let k = 0; k < 10; k++) statuses.push((await attempt(`wrong-password-${k}`)).status());
    assert.deepEqual(statuses.slice(0, 9), Array(9).fill(401));
    assert.equal(statuses[9], 429);
    const right = await attempt(PASSWORD);
    assert.equal(right.status(), 429);
    const wait = Number(right.headers()['retry-after']);
    assert.ok(wait >= 1 && wait <= 3, `Retry-After ${wait}`);
    await new Promise((r) => setTimeout(r, wait * 1000 + 200));
    const later = await attempt(PASSWORD);
    assert.equal(later.status(), 303);
    await ctx.close();
  });

  test('9. every page at 1280x800 and 390x844 without console errors (screenshots)', async () => {
    const adminCtx = await browser.newContext();
    const admin = await adminCtx.newPage();
    await signIn(admin, adminEmail, adminPassword);
    await admin.waitForURL(/\/$/);
    const anon = await (await browser.newContext()).newPage();
    const pages: [Page, string, string][] = [
      [anon, '/signin', 'signin'],
      [anon, '/signup', 'signup'],
      [page, '/', 'home'],
      [page, '/browse', 'browse'],
      [page, '/items/i1', 'item'],
      [page, '/activity', 'activity'],
      [page, '/account', 'account'],
      [page, '/onboarding', 'onboarding'],
      [admin, '/admin', 'admin-overview'],
      [admin, '/admin/models', 'admin-models'],
      [admin, '/admin/ranker', 'admin-ranker'],
      [admin, '/admin/activity', 'admin-activity'],
      [admin, '/admin/serving', 'admin-serving'],
      [admin, '/admin/data', 'admin-data'],
      [admin, '/admin/users?user=u3', 'admin-users'],
      [admin, '/admin/accounts', 'admin-accounts'],
    ];
    const errors: string[] = [];
    for (const p of [anon, page, admin]) {
      p.on('console', (m) => {
        if (m.type() === 'error') errors.push(`${p.url()}: ${m.text()}`);
      });
      p.on('pageerror', (e) => errors.push(`${p.url()}: ${e.message}`));
    }
    for (const [w, h] of [
      [1280, 800],
      [390, 844],
    ] as const)
      for (const [p, path, name] of pages) {
        await p.setViewportSize({ width: w, height: h });
        const res = await p.goto(`${served.url}${path}`);
        assert.equal(res!.status(), 200, path);
        await p.waitForLoadState('networkidle').catch(() => {});
        await p.screenshot({ path: join(SHOTS, `${name}-${w}x${h}.png`), fullPage: false });
        // nothing wider than the window
        const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 1, `${path} at ${w}px overflows by ${overflow}px`);
      }
    assert.deepEqual(errors, []);
    await adminCtx.close();
  });
});
