/**
 * The people's pages: onboarding (genres, then first likes), home (recommendation cards with reasons and
 * Like / Dislike / Not interested, a genre filter), browse and search, an item's page, the person's
 * activity and account. Cards post their feedback with htmx and the list is swapped in place; without
 * JavaScript the same forms post and redirect back.
 */
import type { AccountRecord } from '../../store/accounts.js';
import type { ItemView } from '../items.js';
import { Csrf, FormError, Layout, NewPasswordField } from './layout.js';

export type FeedbackKind = 'like' | 'dislike' | 'not_interested';

export interface Card extends ItemView {
  reasons: string[];
}

interface Base {
  account: AccountRecord;
  csrf: string;
}

/** The year, unless the title already says it ("Heat (1995)"). */
function yearNote(it: ItemView): string {
  return it.year === undefined || it.title.includes(`(${it.year})`) ? '' : String(it.year);
}

function Genres({ genres }: { genres: string[] }) {
  return genres.length > 0 ? (
    <ul class="genres" aria-label="Genres">
      {genres.map((g) => (
        <li>{g}</li>
      ))}
    </ul>
  ) : null;
}

/** The three feedback buttons of an item; `from` says which list to answer with. */
export function FeedbackButtons(p: {
  item: string;
  csrf: string;
  from: 'home' | 'item' | 'browse';
  genre?: string | undefined;
  target: string;
  done?: FeedbackKind | undefined;
}) {
  const buttons: [FeedbackKind, string][] = [
    ['like', 'Like'],
    ['dislike', 'Dislike'],
    ['not_interested', 'Not interested'],
  ];
  return (
    <form
      method="post"
      action="/feedback"
      class="feedback"
      hx-post="/feedback"
      hx-target={p.target}
      hx-swap="outerHTML"
    >
      <Csrf token={p.csrf} />
      <input type="hidden" name="item" value={p.item} />
      <input type="hidden" name="from" value={p.from} />
      {p.genre ? <input type="hidden" name="genre" value={p.genre} /> : null}
      {buttons.map(([kind, label]) => (
        <button
          type="submit"
          name="kind"
          value={kind}
          class={kind === 'like' ? 'primary' : 'secondary'}
          aria-pressed={p.done === kind ? 'true' : undefined}
          data-testid={`${kind}-${p.item}`}
        >
          {label}
        </button>
      ))}
    </form>
  );
}

/** A card's reasons: loaded by their own request (hx-trigger load) when not given. */
export function Why(p: { item: string; reasons: string[] }) {
  if (p.reasons.length === 0)
    return (
      <ul
        class="why pending"
        aria-label="Why"
        hx-get={`/partials/why?item=${encodeURIComponent(p.item)}`}
        hx-trigger="load"
        hx-swap="outerHTML"
      ></ul>
    );
  return (
    <ul class="why" aria-label="Why">
      {p.reasons.map((r) => (
        <li>{r}</li>
      ))}
    </ul>
  );
}

export function ItemCard(p: { card: Card; csrf: string; genre?: string | undefined }) {
  const c = p.card;
  return (
    <li class="card" data-item={c.id}>
      <h3>
        <a href={`/items/${encodeURIComponent(c.id)}`}>{c.title}</a>
      </h3>
      {yearNote(c) ? <p class="meta">{yearNote(c)}</p> : null}
      <Genres genres={c.genres} />
      <Why item={c.id} reasons={c.reasons} />
      <FeedbackButtons item={c.id} csrf={p.csrf} from="home" genre={p.genre} target="#recs" />
    </li>
  );
}

/** The recommendation list (the partial htmx swaps after each click and each filter change). */
export function RecList(p: {
  cards: Card[];
  csrf: string;
  genre?: string | undefined;
  model: string;
  note?: string | undefined;
}) {
  return (
    <section id="recs" aria-live="polite" data-model={p.model}>
      {p.cards.length === 0 ? <p>No recommendations in this genre yet.</p> : null}
      <ol class="cards">
        {p.cards.map((c) => (
          <ItemCard card={c} csrf={p.csrf} genre={p.genre} />
        ))}
      </ol>
      <p class="small muted">
        Ordered by the <strong>{p.model}</strong> model{p.note ? ` (${p.note})` : ''}.
      </p>
    </section>
  );
}

export function HomePage(
  p: Base & { list: Parameters<typeof RecList>[0]; genres: string[]; genre?: string | undefined },
) {
  return (
    <Layout title="For you" account={p.account} csrf={p.csrf} path="/">
      <div class="heading">
        <h1>For you, {p.account.displayName}</h1>
        <form
          method="get"
          action="/"
          class="filter"
          hx-get="/partials/recs"
          hx-target="#recs"
          hx-swap="outerHTML"
          hx-trigger="change"
        >
          <label for="genre">Genre</label>
          <select id="genre" name="genre">
            <option value="">All genres</option>
            {p.genres.map((g) => (
              <option value={g} selected={g === p.genre}>
                {g}
              </option>
            ))}
          </select>
          <noscript>
            <button type="submit">Filter</button>
          </noscript>
        </form>
      </div>
      <RecList {...p.list} />
    </Layout>
  );
}

export function OnboardingGenresPage(p: Base & { genres: string[]; error?: string | undefined }) {
  return (
    <Layout title="Welcome" account={p.account} csrf={p.csrf} path="/onboarding">
      <section class="card-panel">
        <h1>Welcome, {p.account.displayName}</h1>
        <p>Step 1 of 2: pick the genres you like.</p>
        <FormError message={p.error} />
        <form method="post" action="/onboarding/genres">
          <Csrf token={p.csrf} />
          <fieldset class="choices">
            <legend>Favourite genres</legend>
            {p.genres.map((g, j) => (
              <label for={`g${j}`} class="choice">
                <input type="checkbox" id={`g${j}`} name="genres" value={g} />
                {g}
              </label>
            ))}
          </fieldset>
          <button type="submit" class="primary">
            Next
          </button>
        </form>
        <form method="post" action="/onboarding">
          <Csrf token={p.csrf} />
          <button type="submit" class="link">
            Skip
          </button>
        </form>
      </section>
    </Layout>
  );
}

export function OnboardingLikesPage(p: Base & { genres: string[]; offered: ItemView[] }) {
  return (
    <Layout title="Welcome" account={p.account} csrf={p.csrf} path="/onboarding">
      <section class="card-panel">
        <h1>Step 2 of 2: like a few titles</h1>
        <p>Popular titles across genres{p.genres.length > 0 ? `, more of ${p.genres.join(', ')}` : ''}.</p>
        <form method="post" action="/onboarding">
          <Csrf token={p.csrf} />
          {p.genres.map((g) => (
            <input type="hidden" name="genres" value={g} />
          ))}
          <fieldset class="choices offered">
            <legend>Titles you like</legend>
            {p.offered.map((it, j) => (
              <label for={`t${j}`} class="choice item-choice">
                <input type="checkbox" id={`t${j}`} name="items" value={it.id} />
                <span>
                  {it.title}
                  <span class="muted small"> {it.genres.join(', ')}</span>
                </span>
              </label>
            ))}
          </fieldset>
          <button type="submit" class="primary">
            Show my recommendations
          </button>
        </form>
      </section>
    </Layout>
  );
}

export function BrowsePage(
  p: Base & {
    query: string;
    genre?: string | undefined;
    genres: string[];
    items: ItemView[];
    total: number;
    page: number;
    perPage: number;
  },
) {
  const pages = Math.max(1, Math.ceil(p.total / p.perPage));
  const link = (page: number) => {
    const q = new URLSearchParams();
    if (p.query) q.set('q', p.query);
    if (p.genre) q.set('genre', p.genre);
    q.set('page', String(page));
    return `/browse?${q.toString()}`;
  };
  return (
    <Layout title="Browse" account={p.account} csrf={p.csrf} path="/browse">
      <h1>Browse the catalogue</h1>
      <search>
        <form method="get" action="/browse" class="search">
          <label for="q">Title</label>
          <input id="q" name="q" type="search" value={p.query} maxlength={200} />
          <label for="bgenre">Genre</label>
          <select id="bgenre" name="genre">
            <option value="">All genres</option>
            {p.genres.map((g) => (
              <option value={g} selected={g === p.genre}>
                {g}
              </option>
            ))}
          </select>
          <button type="submit">Search</button>
        </form>
      </search>
      <p class="muted">
        {p.total} title{p.total === 1 ? '' : 's'}, most popular first.
      </p>
      <ul class="rows">
        {p.items.map((it) => (
          <li class="row">
            <a href={`/items/${encodeURIComponent(it.id)}`}>{it.title}</a>
            <span class="muted small">
              {yearNote(it)} {it.genres.join(', ')}
            </span>
          </li>
        ))}
      </ul>
      <nav class="pager" aria-label="Pages">
        {p.page > 1 ? <a href={link(p.page - 1)}>Previous</a> : null}
        <span>
          Page {p.page} of {pages}
        </span>
        {p.page < pages ? <a href={link(p.page + 1)}>Next</a> : null}
      </nav>
    </Layout>
  );
}

export function ItemPage(
  p: Base & {
    item: ItemView;
    events: number;
    similar: ItemView[];
    similarNote?: string | undefined;
    done?: FeedbackKind | undefined;
  },
) {
  return (
    <Layout title={p.item.title} account={p.account} csrf={p.csrf} path="/items">
      <article class="card-panel">
        <h1>{p.item.title}</h1>
        <p class="meta">
          {yearNote(p.item) ? `${yearNote(p.item)} · ` : ''}
          {p.events} event{p.events === 1 ? '' : 's'}
        </p>
        <Genres genres={p.item.genres} />
        <div id="item-feedback">
          <FeedbackButtons item={p.item.id} csrf={p.csrf} from="item" target="#item-feedback" done={p.done} />
          {p.done ? (
            <p class="done" role="status">
              Saved: {p.done.replace('_', ' ')}
            </p>
          ) : null}
        </div>
      </article>
      <h2>Similar titles</h2>
      {p.similarNote ? <p class="muted small">{p.similarNote}</p> : null}
      <ul class="rows">
        {p.similar.map((it) => (
          <li class="row">
            <a href={`/items/${encodeURIComponent(it.id)}`}>{it.title}</a>
            <span class="muted small">{it.genres.join(', ')}</span>
          </li>
        ))}
      </ul>
    </Layout>
  );
}

/** The item page's feedback block after a click. */
export function ItemFeedback(p: { item: string; csrf: string; done: FeedbackKind }) {
  return (
    <div id="item-feedback">
      <FeedbackButtons item={p.item} csrf={p.csrf} from="item" target="#item-feedback" done={p.done} />
      <p class="done" role="status">
        Saved: {p.done.replace('_', ' ')}
      </p>
    </div>
  );
}

export interface ActivityRow {
  item: string;
  title: string;
  type: string;
  value: number;
  at: string;
}

const TYPE_WORDS = new Map<string, string>([
  ['like', 'Liked'],
  ['dislike', 'Disliked'],
  ['rating', 'Rated'],
  ['click', 'Opened'],
  ['view', 'Viewed'],
  ['purchase', 'Bought'],
  ['play', 'Played'],
]);

export function activityWord(type: string, value: number): string {
  if (type === 'dislike' && value < 1) return 'Not interested in';
  if (type === 'rating') return `Rated ${value} stars:`;
  return TYPE_WORDS.get(type) ?? type;
}

export function ActivityList({ rows }: { rows: ActivityRow[] }) {
  return (
    <section id="activity" hx-get="/partials/activity" hx-trigger="every 2s" hx-swap="outerHTML">
      {rows.length === 0 ? <p>Nothing yet: like a few titles.</p> : null}
      <ol class="rows activity">
        {rows.map((r) => (
          <li class="row" data-item={r.item} data-type={r.type}>
            <span>
              {activityWord(r.type, r.value)} <a href={`/items/${encodeURIComponent(r.item)}`}>{r.title}</a>
            </span>
            <time class="muted small" datetime={r.at}>
              {r.at.replace('T', ' ').slice(0, 19)}
            </time>
          </li>
        ))}
      </ol>
    </section>
  );
}

export function ActivityPage(p: Base & { rows: ActivityRow[] }) {
  return (
    <Layout title="Your activity" account={p.account} csrf={p.csrf} path="/activity">
      <h1>Your activity</h1>
      <p class="muted small">Newest first; updates live.</p>
      <ActivityList rows={p.rows} />
    </Layout>
  );
}

export function AccountPage(p: Base & { error?: string | undefined; message?: string | undefined }) {
  return (
    <Layout title="Account" account={p.account} csrf={p.csrf} path="/account">
      <h1>Your account</h1>
      <FormError message={p.error} />
      {p.message ? (
        <p role="status" class="done">
          {p.message}
        </p>
      ) : null}
      <dl class="facts">
        <dt>Name</dt>
        <dd>{p.account.displayName}</dd>
        <dt>Email</dt>
        <dd>{p.account.email}</dd>
        <dt>Role</dt>
        <dd>{p.account.role}</dd>
      </dl>
      <section class="card-panel">
        <h2>Change password</h2>
        <p class="small muted">Signs out every other browser.</p>
        <form method="post" action="/account/password" class="stack">
          <Csrf token={p.csrf} />
          <label for="currentPassword">Current password</label>
          <input
            id="currentPassword"
            name="currentPassword"
            type="password"
            autocomplete="current-password"
            required
          />
          <NewPasswordField id="newPassword" label="New password" />
          <button type="submit" class="primary">
            Change password
          </button>
        </form>
      </section>
      <section class="card-panel danger">
        <h2>Delete account</h2>
        <p class="small">
          Removes your email, name, password and sessions. Your likes and other events are kept, anonymised:
          nothing links them to you any more.
        </p>
        <form method="post" action="/account/delete" class="stack">
          <Csrf token={p.csrf} />
          <label for="deletePassword">Password</label>
          <input
            id="deletePassword"
            name="password"
            type="password"
            autocomplete="current-password"
            required
          />
          <button type="submit" class="danger">
            Delete my account
          </button>
        </form>
      </section>
    </Layout>
  );
}
