/**
 * Request validation by JSON schema, two ways: a JSON body is taken as the client wrote it (no coercion: a
 * boolean is not an id, "3" is not a number, null is not 0), while the URL's parameters, query and headers,
 * which are text, are read as the types their schema says (`k=10` is the integer 10; `k=Infinity` is no
 * integer). Defaults are filled in; every fault names its field (./errors.ts).
 */
import { Ajv, type Options } from 'ajv';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

const OPTIONS: Options = {
  removeAdditional: false,
  useDefaults: true,
  allErrors: false,
  allowUnionTypes: true,
  // OpenAPI keywords (description, example, tags) beside the validation ones
  strict: false,
};

async function validation(app: FastifyInstance) {
  const bodies = new Ajv({ ...OPTIONS, coerceTypes: false });
  const text = new Ajv({ ...OPTIONS, coerceTypes: 'array' });
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? bodies : text).compile(schema));
}

export default fp(validation, { name: 'reco-validation', fastify: '5.x' });
