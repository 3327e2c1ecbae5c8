/**
 * The Dockerfile and compose.yaml, checked without a Docker engine (none runs here, so the images are not
 * built in CI): the Dockerfile by a maintained linter and the project's rules (multi-stage, pinned bases,
 * non-root, healthcheck), compose.yaml by the Compose Specification's JSON schema and its references.
 * Each check is also shown to catch a file that breaks it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { composeReferenceProblems, dockerfileProblems } from './container-files.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const read = (...p: string[]) => readFileSync(join(ROOT, ...p), 'utf8');

const schema = JSON.parse(read('test', 'fixtures', 'compose-spec', 'compose-spec.json'));
// The schema names its meta-schema by an https address Ajv does not register (its draft-07 is http://...#),
// so Ajv does not check the schema itself; it is the specification's own file, unchanged.
const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
const validateCompose = ajv.compile(schema);

function composeProblems(text: string): string[] {
  // biome-ignore lint/suspicious/noExplicitAny: a parsed YAML document, checked by the schema next
  const doc: any = parse(text, { uniqueKeys: true });
  const problems = validateCompose(doc)
    ? []
    : (validateCompose.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message}`);
  return problems.concat(composeReferenceProblems(doc));
}

describe('Dockerfile', () => {
  test('passes the linter and the project rules', () => {
    assert.deepEqual(dockerfileProblems(read('Dockerfile')), []);
  });

  test('the rules catch a single-stage, unpinned, root image without a healthcheck', () => {
    const problems = dockerfileProblems('FROM node:20\nWORKDIR /app\nCOPY . .\nCMD ["node", "x.js"]\n');
    assert.ok(problems.some((p) => p.includes('multi-stage')));
    assert.ok(problems.some((p) => p.includes('"node:20" is not pinned')));
    assert.ok(problems.some((p) => p.includes('no USER')));
    assert.ok(problems.some((p) => p.includes('no HEALTHCHECK')));
  });

  test('the rules accept stages built FROM an earlier stage, and catch USER root at the end', () => {
    const text =
      'FROM node:20.20.2-slim AS a\nRUN true\nFROM a AS b\nRUN true\nFROM node:20.20.2-slim\nUSER node\nUSER root\n' +
      'HEALTHCHECK CMD ["true"]\n';
    assert.deepEqual(dockerfileProblems(text), ['the final stage runs as root']);
  });

  test('the linter is consulted: a malformed instruction is reported with its line', () => {
    const problems = dockerfileProblems(`${read('Dockerfile')}\nEXPOSE eighty\n`);
    assert.ok(problems.some((p) => /^line \d+: .*dockerfile-utils/.test(p)));
  });
});

describe('compose.yaml', () => {
  test('is valid under the Compose Specification schema, with every reference declared', () => {
    assert.deepEqual(composeProblems(read('compose.yaml')), []);
  });

  test('the single container keeps its data in a volume and is the image the Dockerfile builds', () => {
    const doc = parse(read('compose.yaml'));
    assert.equal(doc.services.reco.build.target, 'runtime');
    assert.ok(read('Dockerfile').includes('AS runtime'));
    assert.ok(doc.services.reco.volumes.includes('reco-data:/data'));
    assert.ok(read('Dockerfile').includes('RECO_DB=/data/reco.db'));
  });

  test('the schema refuses an unknown key and a port of the wrong shape', () => {
    const problems = composeProblems('services:\n  a:\n    image: x\n    portz: [1]\n    ports: {a: 1}\n');
    assert.ok(problems.some((p) => p.includes('additional properties')));
    assert.ok(problems.some((p) => p.startsWith('/services/a/ports')));
  });

  test('dangling references are caught: services, networks, volumes, secrets, profiles', () => {
    const text = [
      'services:',
      '  a:',
      '    image: x',
      '    depends_on: [b, ghost]',
      '    networks: [back]',
      '    volumes: ["data:/data", "./local:/local"]',
      '    secrets: [token]',
      '  b:',
      '    image: y',
      '    profiles: [scale]',
      '    network_mode: "service:nobody"',
    ].join('\n');
    assert.deepEqual(composeProblems(text), [
      'services.a.depends_on: no service "ghost"',
      'services.a.networks: network "back" is not declared',
      'services.a.volumes: volume "data" is not declared',
      'services.a.secrets: secret "token" is not declared',
      'services.a.depends_on: "b" is only in profiles scale',
      'services.b.network_mode: no service "nobody"',
    ]);
  });
});
