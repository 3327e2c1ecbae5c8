/**
 * One transaction at a time on a store, for an asynchronous interface: the calls made inside a
 * transaction's function (in its async context, tracked by AsyncLocalStorage) join it, and every other call
 * waits until it ends. Without the gate, another request's write, resumed between two awaits of a
 * transaction, would land inside it and be rolled back with it although it had been answered.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

interface Claim<C> {
  /** Set once the transaction has begun. */
  context: C | undefined;
  /** Settles when the transaction ends. */
  ended: Promise<void>;
}

export class TransactionGate<C> {
  private readonly claims = new AsyncLocalStorage<Claim<C>>();
  /** The running transaction, from the moment it is claimed (before it has begun). */
  private active: Claim<C> | undefined;

  /** The context of the transaction the caller runs in, if any. */
  current(): C | undefined {
    const claim = this.claims.getStore();
    return claim !== undefined && claim === this.active ? claim.context : undefined;
  }

  /** Whether a transaction is running and the caller is outside it (so must wait). */
  private blocked(): boolean {
    return this.active !== undefined && this.claims.getStore() !== this.active;
  }

  /** Waits until no transaction the caller is outside of is running. */
  async idle(): Promise<void> {
    while (this.blocked()) await this.active!.ended;
  }

  /** Runs `fn` now when no other transaction is running, or after it ends. */
  async run<T>(fn: () => T | Promise<T>): Promise<T> {
    // no await between the last check and fn: a transaction cannot begin in between
    while (this.blocked()) await this.active!.ended;
    return fn();
  }

  /**
   * Runs the caller's work as one transaction once the gate is free: `open` begins it and gives its
   * context, `body` runs the work in it and commits (or rolls back and throws). A call from inside the
   * running transaction runs `nested` instead.
   */
  async transaction<T>(
    open: () => C | Promise<C>,
    body: (context: C) => Promise<T>,
    nested: () => Promise<T>,
  ): Promise<T> {
    if (this.active !== undefined && this.claims.getStore() === this.active) return nested();
    // no await between the last check and the claim: two callers cannot both find the gate free
    while (this.blocked()) await this.active!.ended;
    let end!: () => void;
    const claim: Claim<C> = {
      context: undefined,
      ended: new Promise<void>((resolve) => {
        end = resolve;
      }),
    };
    // claimed before the first await below: a caller arriving meanwhile waits on `ended`
    this.active = claim;
    try {
      return await this.claims.run(claim, async () => {
        const context = await open();
        claim.context = context;
        return body(context);
      });
    } finally {
      this.active = undefined;
      end();
    }
  }
}
