/**
 * The page frame every page shares: head (the app's CSS, htmx and the app's script, all served by the app
 * itself), the top navigation (people's pages; the operators' when the account is an admin) and the CSRF
 * proof htmx sends with every request (`hx-headers`). No inline script or style anywhere (the
 * Content-Security-Policy forbids them).
 */
import type { ComponentChildren } from 'preact';
import { MAX_PASSWORD, MIN_PASSWORD } from '../../accounts/passwords.js';
import type { AccountRecord } from '../../store/accounts.js';

export interface Frame {
  title: string;
  account?: AccountRecord | undefined;
  csrf: string;
  /** The path of the page, for the navigation's current entry. */
  path: string;
  /** Loads uPlot and its CSS (operators' pages with charts). */
  charts?: boolean;
}

const PEOPLE_NAV: [string, string][] = [
  ['/', 'For you'],
  ['/browse', 'Browse'],
  ['/activity', 'Your activity'],
  ['/account', 'Account'],
];

export const ADMIN_NAV: [string, string][] = [
  ['/admin', 'Overview'],
  ['/admin/models', 'Models'],
  ['/admin/ranker', 'Ranker'],
  ['/admin/activity', 'Live activity'],
  ['/admin/serving', 'Serving'],
  ['/admin/data', 'Data'],
  ['/admin/users', 'User inspector'],
  ['/admin/experiments', 'Experiments'],
  ['/admin/runs', 'Runs'],
  ['/admin/accounts', 'Accounts & keys'],
];

function NavLink({ href, label, path }: { href: string; label: string; path: string }) {
  const current = href === path || (href !== '/' && href !== '/admin' && path.startsWith(`${href}/`));
  return (
    <li>
      <a href={href} aria-current={current ? 'page' : undefined}>
        {label}
      </a>
    </li>
  );
}

export function Layout(props: Frame & { children: ComponentChildren }) {
  const { account, csrf, path } = props;
  const admin = path.startsWith('/admin');
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta
          name="htmx-config"
          content='{"includeIndicatorStyles":false,"allowEval":false,"allowScriptTags":false,"historyCacheSize":0}'
        />
        <title>{`${props.title} · reco`}</title>
        <link rel="stylesheet" href="/assets/app.css" />
        {props.charts ? <link rel="stylesheet" href="/assets/vendor/uPlot.min.css" /> : null}
        <script src="/assets/vendor/htmx.min.js" defer></script>
        {props.charts ? <script src="/assets/vendor/uPlot.iife.min.js" defer></script> : null}
        <script src="/assets/app.js" defer></script>
      </head>
      <body hx-headers={JSON.stringify({ 'x-csrf-token': csrf })}>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header class="top">
          <a class="brand" href={admin ? '/admin' : '/'}>
            reco{admin ? <span class="tag">operators</span> : null}
          </a>
          {account ? (
            <nav aria-label="Main">
              <ul>
                {(admin ? ADMIN_NAV : PEOPLE_NAV).map(([href, label]) => (
                  <NavLink href={href} label={label} path={path} />
                ))}
                {account.role === 'admin' && !admin ? (
                  <NavLink href="/admin" label="Operators" path={path} />
                ) : null}
                {admin ? <NavLink href="/" label="People's app" path={path} /> : null}
              </ul>
            </nav>
          ) : null}
          {account ? (
            <form method="post" action="/signout" class="signout">
              <input type="hidden" name="_csrf" value={csrf} />
              <span class="who">{account.displayName}</span>
              <button type="submit" class="link">
                Sign out
              </button>
            </form>
          ) : null}
        </header>
        <main id="main">{props.children}</main>
      </body>
    </html>
  );
}

/** A hidden field with the CSRF proof, for forms that also work without JavaScript. */
export function Csrf({ token }: { token: string }) {
  return <input type="hidden" name="_csrf" value={token} />;
}

/** A form's error, naming the field at fault. */
export function FormError({ message }: { message?: string | undefined }) {
  return message ? (
    <p class="error" role="alert">
      {message}
    </p>
  ) : null;
}

/** A new password's label and field, with the limits the accounts module enforces. */
export function NewPasswordField({ id, label }: { id: string; label: string }) {
  return (
    <>
      <label for={id}>{`${label} (${MIN_PASSWORD} to ${MAX_PASSWORD} characters)`}</label>
      <input
        id={id}
        name={id}
        type="password"
        autocomplete="new-password"
        required
        minlength={MIN_PASSWORD}
        maxlength={MAX_PASSWORD}
      />
    </>
  );
}
