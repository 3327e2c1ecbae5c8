/**
 * Types derived from the JSON schemas themselves, so that a route's schema (validation, serialisation,
 * OpenAPI) and its TypeScript types are one declaration: a local stand-in for json-schema-to-ts's
 * `FromSchema` and its Fastify type provider (@fastify/type-provider-json-schema-to-ts), covering the
 * keywords this API's schemas use (type and type lists, properties, required, defaults, additionalProperties,
 * items, enum, if/then/else). Schemas are written `as const`.
 *
 * As json-schema-to-ts does: a property with a `default` is present after validation (required in the
 * type); an object that does not say `additionalProperties: false` may hold other keys (`unknown`).
 *
 * Once json-schema-to-ts (3.x) and @fastify/type-provider-json-schema-to-ts (5.x) are installed, this
 * file's body becomes the three re-exports below, and nothing else changes:
 *   export type { FromSchema } from 'json-schema-to-ts';
 *   export type {
 *     JsonSchemaToTsProvider as SchemaTypeProvider,
 *     FastifyPluginAsyncJsonSchemaToTs as RoutePlugin,
 *   } from '@fastify/type-provider-json-schema-to-ts';
 */
import type { FastifyPluginAsync, FastifyTypeProvider, RawServerDefault } from 'fastify';

type Simplify<T> = { [K in keyof T]: T[K] } & {};

type RequiredKeys<S> =
  | (S extends { required: readonly (infer R)[] } ? R : never)
  | (S extends { properties: infer P }
      ? { [K in keyof P]: P[K] extends { default: unknown } ? K : never }[keyof P]
      : never);

type Extra<S> = S extends { additionalProperties: false } ? unknown : { [key: string]: unknown };

type FromObject<S> = S extends { properties: infer P }
  ? Simplify<
      { -readonly [K in keyof P as K extends RequiredKeys<S> ? K : never]: FromSchema<P[K]> } & {
        -readonly [K in keyof P as K extends RequiredKeys<S> ? never : K]?: FromSchema<P[K]>;
      } & Extra<S>
    >
  : { [key: string]: unknown };

type FromType<T, S> = T extends 'string'
  ? string
  : T extends 'number' | 'integer'
    ? number
    : T extends 'boolean'
      ? boolean
      : T extends 'null'
        ? null
        : T extends 'array'
          ? S extends { items: infer I }
            ? FromSchema<I>[]
            : unknown[]
          : T extends 'object'
            ? FromObject<S>
            : never;

/** The type of the values a JSON schema (written `as const`) accepts. */
export type FromSchema<S> = S extends { if: unknown; then: infer Then; else: infer Else }
  ? FromSchema<Then> | FromSchema<Else>
  : S extends { enum: readonly (infer V)[] }
    ? V
    : S extends { type: readonly (infer T)[] }
      ? T extends unknown
        ? FromType<T, S>
        : never
      : S extends { type: infer T }
        ? FromType<T, S>
        : unknown;

/** Fastify's request and reply types from the route's schemas (see the header). */
export interface SchemaTypeProvider extends FastifyTypeProvider {
  validator: FromSchema<this['schema']>;
  serializer: FromSchema<this['schema']>;
}

/** A route plugin whose handlers are typed by their schemas. */
export type RoutePlugin = FastifyPluginAsync<Record<never, never>, RawServerDefault, SchemaTypeProvider>;
