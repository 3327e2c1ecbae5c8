/**
 * Limits shared by several replicas: with a Redis URL (`reco serve --redis URL`, or RECO_REDIS_URL), the
 * API's per-key rate limits (./plugins/rate-limit.ts) and the web app's sign-in throttle
 * (../accounts/sign-in-throttle.ts) count in Redis, so that a client spreading its requests or its password
 * guesses over the replicas behind a load balancer meets one limit, not one per replica. Without it, each
 * replica counts on its own. A Redis that goes away later does not stop serving: the limits fail open
 * (rate limits) or fall back to the replica's own count (sign-in throttle), and the log says so.
 */
import { Redis } from 'ioredis';
import { UsageError } from '../errors.js';

/** A connection to the Redis that holds the shared limits, and the prefix of its keys. */
export interface SharedLimits {
  redis: Redis;
  /** Prefix of every key reco writes (several deployments may share one Redis). */
  prefix: string;
}

/** The prefix of reco's keys in Redis unless told otherwise. */
export const DEFAULT_LIMITS_PREFIX = 'reco:';

/**
 * Connects to the Redis at `url` (redis://[user:password@]host[:port][/db]); a clear error naming `option`
 * when the URL is not one or nothing answers there, so that a replica meant to share its limits never
 * starts counting alone.
 */
export async function connectSharedLimits(
  url: string,
  option: string,
  prefix = DEFAULT_LIMITS_PREFIX,
): Promise<SharedLimits> {
  if (!/^rediss?:\/\//.test(url)) throw new UsageError(`${option}: expected a redis:// URL, got "${url}"`);
  const redis = new Redis(url, {
    lazyConnect: true,
    // a limit check waits for at most one reconnection, then the limits fail open
    maxRetriesPerRequest: 1,
    connectTimeout: 5000,
  });
  // errors are answered where the limits are checked; without a listener ioredis prints each one (the
  // last is kept: it says why a connection failed, where connect() only says that it closed)
  let last: Error | undefined;
  redis.on('error', (err: Error) => {
    last = err;
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    const why = (last ?? (err as Error)).message;
    throw new UsageError(`${option}: Redis at ${redactedUrl(url)} does not answer: ${why}`);
  }
  return { redis, prefix };
}

/** The URL without its password, for messages. */
function redactedUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}
