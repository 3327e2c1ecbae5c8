/**
 * The JSON schemas of the experiment routes (./routes/experiments.ts): what a client sends to create an
 * experiment, an experiment as answered, and the results; `as const`, so that the routes' types derive
 * from them.
 */
import { MAX_VARIANTS } from '../experiments/definition.js';

export const experimentInputSchema = {
  type: 'object',
  required: ['name', 'variants'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 256 },
    variants: {
      type: 'array',
      minItems: 2,
      maxItems: MAX_VARIANTS,
      description: 'the first is the control',
      items: {
        type: 'object',
        required: ['name'],
        additionalProperties: false,
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 256 },
          weight: {
            type: 'number',
            exclusiveMinimum: 0,
            description: 'normalised to sum to 1 (default equal)',
          },
          strategy: {
            type: 'string',
            minLength: 1,
            maxLength: 100,
            description: 'a model name, ranked, or interleave:A,B (team-draft interleaving of two of them)',
          },
          bundle: { type: 'string', minLength: 1, maxLength: 200, description: 'a bundle version instead' },
        },
      },
    },
    attributionHours: { type: 'number', exclusiveMinimum: 0, maximum: 8760, default: 24 },
    coverage: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 1 },
    seed: { type: 'string', minLength: 1, maxLength: 256, description: "the hash's salt (default: the id)" },
    status: { type: 'string', enum: ['draft', 'running'], default: 'running' },
  },
} as const;

const variantSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    name: { type: 'string' },
    weight: { type: 'number' },
    strategy: { type: 'string' },
    bundle: { type: 'string' },
  },
} as const;

export const experimentSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    seed: { type: 'string' },
    variants: { type: 'array', items: variantSchema },
    coverage: { type: 'number' },
    attributionHours: { type: 'number' },
    status: { type: 'string', enum: ['draft', 'running', 'stopped'] },
    createdAt: { type: 'integer' },
    startedAt: { type: ['integer', 'null'] },
    stoppedAt: { type: ['integer', 'null'] },
  },
} as const;

const interval = { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2 } as const;
const estimate = {
  type: 'object',
  additionalProperties: false,
  properties: { value: { type: 'number' }, ci: interval },
} as const;
const lift = {
  type: 'object',
  additionalProperties: false,
  properties: {
    value: { type: 'number' },
    ci: interval,
    p: { type: 'number' },
    sequentialCi: interval,
    error: { type: 'string' },
  },
} as const;

export const resultsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    experiment: experimentSchema,
    variants: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        properties: {
          name: { type: 'string' },
          strategy: { type: 'string' },
          bundle: { type: 'string' },
          users: { type: 'integer' },
          exposures: { type: 'integer' },
          clicks: { type: 'integer' },
          conversions: { type: 'integer' },
          ctr: estimate,
          conversionsPerUser: estimate,
          lift,
          cuped: {
            type: 'object',
            additionalProperties: false,
            properties: { theta: { type: ['number', 'null'] }, lift, unadjusted: lift },
          },
          interleaving: {
            type: 'object',
            additionalProperties: false,
            properties: {
              rankers: { type: 'array', items: { type: 'string' }, minItems: 2, maxItems: 2 },
              preferA: { type: 'integer' },
              preferB: { type: 'integer' },
              ties: { type: 'integer' },
              shareA: { type: 'number' },
              shareB: { type: 'number' },
              p: { type: 'number' },
              clicksA: { type: 'integer' },
              clicksB: { type: 'integer' },
              meanDifference: { type: 'number' },
              pDifference: { type: 'number' },
            },
          },
        },
      },
    },
    srm: {
      type: 'object',
      additionalProperties: false,
      properties: { p: { type: 'number' }, flagged: { type: 'boolean' } },
    },
    guardrails: {
      type: 'object',
      additionalProperties: false,
      description: 'per variant, in the order of variants',
      properties: {
        latencyP99Ms: { type: 'array', items: { type: 'number' } },
        emptyRate: { type: 'array', items: { type: 'number' } },
        coverage: { type: 'array', items: { type: 'number' } },
      },
    },
    timeline: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        properties: {
          at: { type: 'integer' },
          variants: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              properties: { name: { type: 'string' }, users: { type: 'integer' }, ctr: estimate, lift },
            },
          },
        },
      },
    },
  },
} as const;
