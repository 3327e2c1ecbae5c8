/**
 * The web app's composition root: the accounts, sessions, sign-in throttle and app-made API keys over the
 * serving services (../serving/compose.ts), and the operators' insights. `reco serve` and the tests build
 * it and hand it to buildApp (../serving/app.ts `web`).
 */
import { AccountService } from '../accounts/accounts.js';
import { AppKeyRing } from '../accounts/app-api-keys.js';
import { Onboarding } from '../accounts/onboarding.js';
import { SESSION_TTL_MS, SessionService } from '../accounts/sessions.js';
import { SignInThrottle, type ThrottleOptions } from '../accounts/sign-in-throttle.js';
import { UsageError } from '../errors.js';
import type { ApiKey } from '../serving/api-keys.js';
import type { Services } from '../serving/compose.js';
import { ActivityTracker } from './insights/activity-tracker.js';
import { DatasetInsights } from './insights/dataset.js';
import { RankerInsights } from './insights/ranker.js';

export interface WebOptions {
  /** The configured API keys (the key file or RECO_API_KEYS); the app adds its own. */
  keys: ApiKey[];
  throttle?: ThrottleOptions;
  sessionTtlMs?: number;
  /** Secure cookies: always, never, or 'auto' (when the request came over HTTPS, or a trusted proxy says so). */
  secureCookies?: boolean | 'auto';
}

export interface WebServices {
  services: Services;
  accounts: AccountService;
  sessions: SessionService;
  keyRing: AppKeyRing;
  onboarding: Onboarding;
  activity: ActivityTracker;
  dataset: DatasetInsights;
  ranker: RankerInsights;
  secureCookies: boolean | 'auto';
}

/** Options from the environment: RECO_SIGNIN_LOCK_SECONDS (the sign-in lock, default 900). */
export function webOptionsFromEnv(keys: ApiKey[], env = process.env): WebOptions {
  const lock = env['RECO_SIGNIN_LOCK_SECONDS'];
  const lockSeconds = lock === undefined || lock === '' ? undefined : Number(lock);
  if (lockSeconds !== undefined && !(Number.isInteger(lockSeconds) && lockSeconds >= 1))
    throw new UsageError(`RECO_SIGNIN_LOCK_SECONDS must be an integer >= 1, got "${lock}"`);
  return { keys, ...(lockSeconds !== undefined ? { throttle: { lockSeconds } } : {}) };
}

export async function createWebServices(services: Services, options: WebOptions): Promise<WebServices> {
  const { store } = services;
  const sessions = new SessionService(store.accounts, options.sessionTtlMs ?? SESSION_TTL_MS);
  const accounts = new AccountService(store, services.users, sessions, new SignInThrottle(options.throttle));
  return {
    services,
    accounts,
    sessions,
    keyRing: await AppKeyRing.open(options.keys, store.accounts),
    onboarding: new Onboarding(services),
    activity: new ActivityTracker(store),
    dataset: new DatasetInsights(store),
    ranker: new RankerInsights(services),
    secureCookies: options.secureCookies ?? 'auto',
  };
}
