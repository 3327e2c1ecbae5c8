/**
 * POST /v1/events: one event or {"events": [...]} (up to 10,000). Each batch is validated whole, stored
 * in one transaction (with the other batches of the same event-loop turn: group commit), durable when the
 * answer is sent, and applied to the live state: the user's next recommendations reflect it.
 */
import { DomainError, InvalidInputError } from '../../errors.js';
import type { EventRecord } from '../../types.js';
import { parseTime } from '../parse.js';
import type { FromSchema, RoutePlugin } from '../schema-types.js';
import { errorResponses, eventSchema, MAX_BATCH } from '../schemas.js';

type EventBody = FromSchema<typeof eventSchema>;

/** How far ahead of the server's clock an event's timestamp may be (clock skew). */
const FUTURE_SLACK_MS = 86_400_000;

const eventsRoutes: RoutePlugin = async (app) => {
  app.post(
    '/v1/events',
    {
      bodyLimit: 32 * 1024 * 1024,
      schema: {
        tags: ['events'],
        summary: 'Record one event or a batch of up to 10,000',
        description:
          'An event names an existing item (404 otherwise, unless the server creates unknown items); users are created on their first event. Nothing of a batch is stored if any event is at fault.',
        body: {
          type: 'object',
          if: { required: ['events'] },
          // biome-ignore lint/suspicious/noThenProperty: JSON Schema keyword
          then: {
            type: 'object',
            additionalProperties: false,
            required: ['events'],
            properties: { events: { type: 'array', minItems: 1, maxItems: MAX_BATCH, items: eventSchema } },
          },
          else: eventSchema,
        },
        response: {
          200: { type: 'object', properties: { accepted: { type: 'integer' } } },
          404: { description: 'an event names an unknown item', type: 'object', additionalProperties: true },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      // FromSchema leaves an if/then/else body open: the two shapes it validated, from the event schema
      const body = request.body as EventBody | { events: EventBody[] };
      const list = 'events' in body ? body.events : [body];
      // the request's name of event k's field
      const field =
        'events' in body
          ? (k: number, name: string) => `events[${k}].${name}`
          : (_k: number, name: string) => name;
      const now = Date.now();
      const records: EventRecord[] = new Array(list.length);
      for (let k = 0; k < list.length; k++) {
        const e = list[k]!;
        const t = parseTime(e.timestamp, field(k, 'timestamp'));
        // an event from the future would move "now" for every user's time features (recency, trends)
        if (t !== undefined && t > now + FUTURE_SLACK_MS)
          throw new InvalidInputError(
            field(k, 'timestamp'),
            `${new Date(t).toISOString()} is more than a day ahead of the server's clock (${new Date(now).toISOString()})`,
          );
        const rec: EventRecord = { user: e.user, item: e.item, type: e.type, timestamp: t ?? now };
        if (e.value !== undefined) rec.value = e.value;
        if (e.request !== undefined) rec.request = e.request;
        records[k] = rec;
      }
      try {
        const accepted = await app.ingestor.ingestGrouped(records);
        app.metrics?.eventsIngested.inc(accepted);
        return { accepted };
      } catch (err) {
        // a fault of event k, named as the request names it
        if (err instanceof DomainError && err.index !== undefined && err.field !== undefined)
          throw err.at(field(err.index, err.field));
        throw err;
      }
    },
  );
};

export default eventsRoutes;
