/** Lints an OpenAPI document with Redocly's rules as the project configures them (redocly.yaml). */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lintFromString, loadConfig } from '@redocly/openapi-core';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Every problem the linter finds, one line each (`severity rule pointer: message`); none is clean. */
export async function lintOpenApi(doc: unknown): Promise<string[]> {
  const config = await loadConfig({ configPath: join(ROOT, 'redocly.yaml') });
  const problems = await lintFromString({
    source: JSON.stringify(doc, null, 2),
    absoluteRef: join(ROOT, 'openapi.json'),
    config,
  });
  return problems.map((p) => `${p.severity} ${p.ruleId} ${p.location[0]?.pointer ?? ''}: ${p.message}`);
}
