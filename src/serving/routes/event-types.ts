/**
 * GET /v1/event-types: the declared event types and how their events weigh in training; PUT
 * /v1/event-types/{name} (admin): declare one or change its rule. Events of undeclared types are refused.
 */
import { VALUE_RULES } from '../../data/interactions.js';
import { MAX_EVENT_VALUE, MAX_ID_LENGTH } from '../../data/valid.js';
import type { RoutePlugin } from '../schema-types.js';
import { errorReplies, errorResponses } from '../schemas.js';

const ruleSchema = {
  type: 'object',
  required: ['weight', 'value'],
  additionalProperties: false,
  properties: {
    weight: {
      type: 'number',
      minimum: -MAX_EVENT_VALUE,
      maximum: MAX_EVENT_VALUE,
      description: 'the weight of one event',
    },
    value: { type: 'string', enum: [...VALUE_RULES], description: "how the event's value counts" },
    center: {
      type: 'number',
      minimum: -MAX_EVENT_VALUE,
      maximum: MAX_EVENT_VALUE,
      description: 'the neutral value of a centered rule',
    },
  },
} as const;

const declarationSchema = {
  type: 'object',
  required: ['name', 'code', 'rule', 'given'],
  additionalProperties: false,
  properties: {
    name: { type: 'string' },
    code: { type: 'integer' },
    rule: ruleSchema,
    given: { type: 'boolean', description: 'whether an admin gave the rule (else it is built in)' },
  },
} as const;

const eventTypesRoutes: RoutePlugin = async (app) => {
  app.get(
    '/v1/event-types',
    {
      schema: {
        tags: ['events'],
        summary: 'The declared event types and their rules',
        operationId: 'listEventTypes',
        response: { 200: { type: 'array', items: declarationSchema }, ...errorResponses },
      },
    },
    async () => app.eventTypes.list(),
  );
  app.put(
    '/v1/event-types/:name',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['events'],
        summary: 'Declare an event type or change its rule (admin)',
        operationId: 'declareEventType',
        params: {
          type: 'object',
          required: ['name'],
          properties: { name: { type: 'string', minLength: 1, maxLength: MAX_ID_LENGTH } },
        },
        body: ruleSchema,
        response: { 200: declarationSchema, ...errorReplies({ auth: 'admin', body: true, path: true }) },
      },
    },
    async (request) => app.eventTypes.declare(request.params.name, request.body),
  );
};

export default eventTypesRoutes;
