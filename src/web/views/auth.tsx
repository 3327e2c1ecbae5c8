/** Sign-in and sign-up pages: labelled fields, the field at fault named, the CSRF proof in each form. */
import { Csrf, FormError, Layout, NewPasswordField } from './layout.js';

export interface AuthForm {
  csrf: string;
  error?: string | undefined;
  email?: string | undefined;
  displayName?: string | undefined;
}

export function SignInPage(f: AuthForm & { next?: string | undefined }) {
  return (
    <Layout title="Sign in" csrf={f.csrf} path="/signin">
      <section class="narrow card-panel">
        <h1>Sign in</h1>
        <FormError message={f.error} />
        <form method="post" action="/signin" class="stack">
          <Csrf token={f.csrf} />
          {f.next ? <input type="hidden" name="next" value={f.next} /> : null}
          <label for="email">Email</label>
          <input
            id="email"
            name="email"
            type="email"
            autocomplete="username"
            required
            value={f.email ?? ''}
          />
          <label for="password">Password</label>
          <input id="password" name="password" type="password" autocomplete="current-password" required />
          <button type="submit" class="primary">
            Sign in
          </button>
        </form>
        <p>
          New here? <a href="/signup">Create an account</a>
        </p>
      </section>
    </Layout>
  );
}

export function SignUpPage(f: AuthForm) {
  return (
    <Layout title="Create an account" csrf={f.csrf} path="/signup">
      <section class="narrow card-panel">
        <h1>Create an account</h1>
        <FormError message={f.error} />
        <form method="post" action="/signup" class="stack">
          <Csrf token={f.csrf} />
          <label for="displayName">Display name</label>
          <input
            id="displayName"
            name="displayName"
            autocomplete="nickname"
            required
            maxlength={60}
            value={f.displayName ?? ''}
          />
          <label for="email">Email</label>
          <input id="email" name="email" type="email" autocomplete="email" required value={f.email ?? ''} />
          <NewPasswordField id="password" label="Password" />
          <button type="submit" class="primary">
            Create account
          </button>
        </form>
        <p>
          Have an account? <a href="/signin">Sign in</a>
        </p>
      </section>
    </Layout>
  );
}

/** An error page (403, 404, 429, 500) in the frame. */
export function ErrorPage(p: { status: number; message: string; csrf: string; signedIn: boolean }) {
  const title =
    p.status === 403
      ? 'Not allowed'
      : p.status === 404
        ? 'Not found'
        : p.status === 429
          ? 'Too many attempts'
          : 'Something went wrong';
  return (
    <Layout title={title} csrf={p.csrf} path="/error">
      <section class="narrow card-panel">
        <h1>{title}</h1>
        <p role="alert">{p.message}</p>
        <p>
          <a href={p.signedIn ? '/' : '/signin'}>{p.signedIn ? 'Back to your recommendations' : 'Sign in'}</a>
        </p>
      </section>
    </Layout>
  );
}
