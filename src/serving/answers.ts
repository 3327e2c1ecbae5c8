/**
 * The answers of the recommendation and similar-items routes: each declared once, as the JSON schema that
 * serialises it and documents it (OpenAPI), with its TypeScript type derived from that schema. The services
 * build these types; the routes answer them as they are. The retraining's status and a bundle's load fault
 * are declared here too (GET /v1/models and /health show them).
 */
import type { FromSchema } from './schema-types.js';

export const recommendedItemSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    score: { type: 'number' },
    title: { type: 'string' },
    sources: { type: 'array', items: { type: 'string' } },
    features: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          value: { type: 'number', description: 'absent when the feature is missing for the user or item' },
          contribution: { type: 'number' },
        },
      },
    },
  },
} as const;

/** `GET /v1/users/{id}/recommendations`. */
export const recommendationAnswerSchema = {
  type: 'object',
  properties: {
    user: { type: 'string' },
    /** The model that ordered the list (honest: the fallback's name when `ranked` is not available). */
    model: { type: 'string' },
    version: { type: 'string' },
    /** The strategy asked for. */
    strategy: { type: 'string' },
    /** Why the model differs from the strategy, when it does. */
    note: { type: 'string' },
    items: { type: 'array', items: recommendedItemSchema },
    /** In a running experiment: the answer's request id (events may carry it) and the user's variant. */
    request: { type: 'string' },
    experiment: {
      type: 'object',
      properties: { id: { type: 'string' }, variant: { type: 'string' } },
    },
  },
} as const;

/** `GET /v1/items/{id}/similar`. */
export const similarAnswerSchema = {
  type: 'object',
  properties: {
    item: { type: 'string' },
    model: { type: ['string', 'null'] },
    version: { type: 'string' },
    note: { type: 'string' },
    items: { type: 'array', items: recommendedItemSchema },
  },
} as const;

/** The retraining's status (./retrain.ts), in GET /v1/models and admin's /health. */
export const retrainStatusSchema = {
  type: 'object',
  required: ['state'],
  additionalProperties: false,
  properties: {
    state: {
      type: 'string',
      enum: ['idle', 'queued', 'running', 'done', 'failed'],
      description: 'queued: asked of the train worker (replicas over PostgreSQL), not yet taken',
    },
    startedAt: { type: 'string' },
    finishedAt: { type: 'string' },
    version: { type: 'string' },
    error: { type: 'string' },
  },
} as const;

/** Why the last bundle asked for did not load (./services/model-holder.ts), for admins. */
export const loadFaultSchema = {
  type: 'object',
  required: ['message', 'at'],
  additionalProperties: false,
  properties: { message: { type: 'string' }, at: { type: 'string' }, version: { type: 'string' } },
} as const;

export type RecommendedItem = FromSchema<typeof recommendedItemSchema>;
/** An item's candidate sources and top features (explain=true). */
export type ItemExplanation = Pick<RecommendedItem, 'sources' | 'features'>;
export type FeatureContribution = NonNullable<RecommendedItem['features']>[number];
export type RecommendationAnswer = FromSchema<typeof recommendationAnswerSchema>;
export type SimilarAnswer = FromSchema<typeof similarAnswerSchema>;
