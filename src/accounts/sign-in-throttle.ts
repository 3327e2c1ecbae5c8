/**
 * Sign-in throttling (rate-limiter-flexible): wrong passwords are counted per account (its email) and per
 * client address; the attempt that reaches the limit, and every attempt after it (the right password too),
 * is refused until the lock ends (429 with Retry-After). A successful sign-in clears the account's count.
 */
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import type { SharedLimits } from '../serving/shared-limits.js';

export interface ThrottleOptions {
  /** Wrong passwords per account before it is locked. Default 10. */
  accountFailures?: number;
  /** Wrong passwords per client address before it is locked. Default 50. */
  addressFailures?: number;
  /** How long failures are remembered, seconds. Default 900. */
  windowSeconds?: number;
  /** How long a lock lasts, seconds. Default 900. */
  lockSeconds?: number;
  /**
   * Counts kept in Redis, shared by every replica (../serving/shared-limits.ts); each replica's own count
   * stands in while Redis does not answer.
   */
  shared?: SharedLimits;
}

export class SignInThrottle {
  private readonly byAccount: RateLimiterAbstract;
  private readonly byAddress: RateLimiterAbstract;
  private readonly lockSeconds: number;

  constructor(o: ThrottleOptions = {}) {
    const duration = o.windowSeconds ?? 900;
    this.lockSeconds = o.lockSeconds ?? 900;
    const limiter = (points: number, what: string): RateLimiterAbstract => {
      const own = new RateLimiterMemory({ points, duration });
      if (!o.shared) return own;
      return new RateLimiterRedis({
        storeClient: o.shared.redis,
        keyPrefix: `${o.shared.prefix}signin:${what}`,
        points,
        duration,
        insuranceLimiter: own,
      });
    };
    this.byAccount = limiter(o.accountFailures ?? 10, 'account');
    this.byAddress = limiter(o.addressFailures ?? 50, 'address');
  }

  /** Seconds to wait before trying again, or 0 when neither the account nor the address is locked. */
  async retryAfter(account: string, address: string): Promise<number> {
    let ms = 0;
    for (const [limiter, key] of [
      [this.byAccount, account],
      [this.byAddress, address],
    ] as const) {
      const res = await limiter.get(key);
      if (res && res.consumedPoints > limiter.points) ms = Math.max(ms, res.msBeforeNext);
    }
    return Math.ceil(ms / 1000);
  }

  /** Counts a wrong password; returns the seconds of the lock it starts (0: none yet). */
  async failed(account: string, address: string): Promise<number> {
    let locked = 0;
    for (const [limiter, key] of [
      [this.byAccount, account],
      [this.byAddress, address],
    ] as const) {
      const res = await limiter.penalty(key, 1);
      if (res.consumedPoints >= limiter.points) {
        await limiter.block(key, this.lockSeconds);
        locked = this.lockSeconds;
      }
    }
    return locked;
  }

  /** A successful sign-in: the account's failures are forgotten (the address's are not). */
  async succeeded(account: string): Promise<void> {
    await this.byAccount.delete(account);
  }
}
