/**
 * The OpenAPI document as @fastify/swagger makes it from the routes' schemas, linted by Redocly's
 * recommended rules (redocly.yaml at the project's root): no error, no warning. And what the linter does
 * not ask but the API promises: /health is public, every operation has an operationId, a 2xx answer with a
 * schema, and its error answers in the one error shape.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { lintOpenApi } from '../helpers/openapi-lint.js';
import { makeWorld, type World } from './helpers.js';

interface Operation {
  operationId?: string;
  security?: unknown[];
  responses: Record<string, { content?: Record<string, { schema?: Record<string, unknown> }> }>;
}
type Doc = { paths: Record<string, Record<string, Operation>> };

describe('OpenAPI document', () => {
  let w: World;
  let doc: Doc;
  before(async () => {
    w = await makeWorld();
    doc = w.app.swagger() as unknown as Doc;
  });
  after(async () => {
    await w.close();
  });

  test("Redocly's recommended rules find no error and no warning", async () => {
    assert.deepEqual(await lintOpenApi(doc), []);
  });

  test('/health is public; every operation has an id, a 2xx schema and its errors in the one shape', () => {
    assert.deepEqual(doc.paths['/health']?.['get']?.security, []);
    const ids = new Set<string>();
    let operations = 0;
    for (const [path, ops] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(ops)) {
        operations++;
        const where = `${method.toUpperCase()} ${path}`;
        assert.ok(op.operationId, `${where}: no operationId`);
        assert.ok(!ids.has(op.operationId), `${where}: operationId ${op.operationId} twice`);
        ids.add(op.operationId);
        const ok = Object.keys(op.responses).filter((c) => c.startsWith('2'));
        assert.ok(ok.length > 0, `${where}: no 2xx answer`);
        for (const c of ok) {
          const content = Object.values(op.responses[c]!.content ?? {});
          assert.ok(content.length > 0 && content.every((m) => m.schema), `${where} ${c}: no schema`);
        }
        for (const c of ['400', '429', '500']) {
          const schema = op.responses[c]?.content?.['application/json']?.schema;
          assert.equal(schema?.['$ref'], '#/components/schemas/Error', `${where} ${c}: not the error shape`);
        }
        if (path !== '/health') assert.ok(op.responses['401'], `${where}: 401 not documented`);
      }
    assert.ok(operations >= 16, `${operations} operations`);
  });
});
