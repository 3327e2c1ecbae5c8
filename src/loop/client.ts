/**
 * How the loop reaches a recommender: the public HTTP API of a running server with a client key
 * (`HttpClient`: GET recommendations, POST events with the request id, as any client would), or the
 * serving services in this process (`InProcessClient`: the same strategies, experiments, answer cache
 * and live updates, without HTTP; for fast statistics). Both answer the same shapes.
 */
import { RecoError } from '../errors.js';
import { createServices, type Services } from '../serving/compose.js';
import type { Store } from '../store/store.js';

export interface Slate {
  items: string[];
  /** The request id, when the server logs exposures (an experiment is running). */
  request?: string;
  /** The experiment and variant the server served the user under. */
  experiment?: { id: string; variant: string };
}

export interface LoopEvent {
  user: string;
  item: string;
  type: string;
  timestamp: number;
  request?: string;
}

export interface LoopClient {
  /** `strategy` undefined: whatever the server serves the user (his experiment's variant, or its default). */
  recommend(user: string, k: number, strategy?: string): Promise<Slate>;
  send(events: LoopEvent[]): Promise<void>;
  close(): Promise<void>;
}

interface AnswerJson {
  items?: { id: string }[];
  request?: string;
  experiment?: { id: string; variant: string };
}

function slateOf(body: AnswerJson): Slate {
  const slate: Slate = { items: (body.items ?? []).map((x) => x.id) };
  if (typeof body.request === 'string') slate.request = body.request;
  if (body.experiment && typeof body.experiment.variant === 'string')
    slate.experiment = { id: String(body.experiment.id), variant: body.experiment.variant };
  return slate;
}

export class HttpClient implements LoopClient {
  private readonly base: string;
  constructor(
    server: string,
    private readonly key: string,
  ) {
    this.base = server.replace(/\/+$/, '');
  }

  private async call(path: string, init: RequestInit = {}): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${this.key}`, 'content-type': 'application/json' },
      });
    } catch (err) {
      throw new RecoError(`cannot reach the server at ${this.base}: ${(err as Error).message}`);
    }
    const text = await res.text();
    if (!res.ok)
      throw new RecoError(`${init.method ?? 'GET'} ${path} answered ${res.status}: ${text.slice(0, 300)}`);
    return JSON.parse(text) as unknown;
  }

  async recommend(user: string, k: number, strategy?: string): Promise<Slate> {
    const q = new URLSearchParams({ k: String(k) });
    if (strategy !== undefined) q.set('strategy', strategy);
    return slateOf(
      (await this.call(`/v1/users/${encodeURIComponent(user)}/recommendations?${q}`)) as AnswerJson,
    );
  }

  async send(events: LoopEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.call('/v1/events', { method: 'POST', body: JSON.stringify({ events }) });
  }

  async close(): Promise<void> {}
}

/** The serving services over `store` and the bundles of `modelsDir`, called directly. */
export class InProcessClient implements LoopClient {
  private constructor(readonly services: Services) {}

  /** A client of the services built over `store`, serving the current bundle of `modelsDir`. */
  static async open(store: Store, modelsDir: string): Promise<InProcessClient> {
    const services = await createServices(store, { modelsDir });
    await services.models.swap();
    return new InProcessClient(services);
  }

  /** As the route answers: without a strategy, by the user's variant when an experiment runs. */
  async recommend(user: string, k: number, strategy?: string): Promise<Slate> {
    const answer = await this.services.experimentServing.answer({
      userId: user,
      k,
      ...(strategy !== undefined ? { strategy } : {}),
    });
    return slateOf(answer as AnswerJson);
  }

  async send(events: LoopEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.services.ingestor.ingest(events.map((e) => ({ ...e })));
  }

  close(): Promise<void> {
    return this.services.close();
  }
}
