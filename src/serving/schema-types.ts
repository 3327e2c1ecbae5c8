/**
 * Types derived from the JSON schemas themselves, so that a route's schema (validation, serialisation,
 * OpenAPI) and its TypeScript types are one declaration: json-schema-to-ts's `FromSchema` and its Fastify
 * type provider. Schemas are written `as const`.
 */

export type {
  FastifyPluginAsyncJsonSchemaToTs as RoutePlugin,
  JsonSchemaToTsProvider as SchemaTypeProvider,
} from '@fastify/type-provider-json-schema-to-ts';
export type { FromSchema } from 'json-schema-to-ts';
