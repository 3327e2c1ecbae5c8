/**
 * The Dockerfile and compose.yaml, checked without a Docker engine (none runs here, so the images are not
 * built in CI): the Dockerfile by a maintained linter and the project's rules (multi-stage, pinned bases,
 * non-root, healthcheck), compose.yaml by the Compose Specification's JSON schema and its references.
 * Each check is also shown to catch a file that breaks it.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import {
  bindSourceProblems,
  caddyProxies,
  composeReferenceProblems,
  dockerfileProblems,
  dotenv,
  healthDependencyProblems,
  loadBalancerProblems,
  servicesStarted,
} from './container-files.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const read = (...p: string[]) => readFileSync(join(ROOT, ...p), 'utf8');

const schema = JSON.parse(read('test', 'fixtures', 'compose-spec', 'compose-spec.json'));
// The schema names its meta-schema by an https address Ajv does not register (its draft-07 is http://...#),
// so Ajv does not check the schema itself; it is the specification's own file, unchanged.
const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
const validateCompose = ajv.compile(schema);

/** A compose file as Compose reads it: duplicate keys refused, `<<` merge keys applied. */
// biome-ignore lint/suspicious/noExplicitAny: a parsed YAML document, checked by the schema
const loadCompose = (text: string): any => parse(text, { uniqueKeys: true, merge: true });

function composeProblems(text: string): string[] {
  const doc = loadCompose(text);
  const problems = validateCompose(doc)
    ? []
    : (validateCompose.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message}`);
  return problems.concat(
    composeReferenceProblems(doc),
    healthDependencyProblems(doc),
    bindSourceProblems(doc, (p) => existsSync(join(ROOT, p))),
  );
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
    const doc = loadCompose(read('compose.yaml'));
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
      '    volumes: ["data:/data", "./src:/src"]',
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

  test('a healthy wait on a service without a health check, and a missing bind source, are caught', () => {
    const text = [
      'services:',
      '  a:',
      '    image: x',
      '    depends_on: {b: {condition: service_healthy}, c: {condition: service_healthy}}',
      '    volumes: ["./deploy/none.conf:/etc/none.conf:ro", "/etc/passwd:/p:ro", "./README.md:/r:ro"]',
      '  b:',
      '    image: y',
      '  c:',
      '    build: .',
      '    healthcheck: {disable: true}',
    ].join('\n');
    assert.deepEqual(composeProblems(text), [
      'services.a.depends_on: "b" is awaited healthy but has no health check',
      'services.a.depends_on: "c" is awaited healthy but has no health check',
      'services.a.volumes: "./deploy/none.conf" does not exist',
      'services.a.volumes: "/etc/passwd" is a host path outside the repository',
    ]);
  });
});

describe('compose.yaml: the default and `scale` profiles', () => {
  const text = read('compose.yaml');
  const doc = loadCompose(text);
  const services = doc.services;
  const scale = servicesStarted(doc, ['scale']);
  const replicas = scale.filter((name) => services[name].command?.[0] === 'serve');
  const env = (name: string) => services[name].environment;

  test('a plain `docker compose up` starts the single container only, `--profile scale` the scaled set', () => {
    // `.env` sets COMPOSE_PROFILES for a plain `up`; a --profile flag replaces it
    const profiles = dotenv(read('.env')).get('COMPOSE_PROFILES')?.split(',') ?? [];
    assert.deepEqual(profiles, ['single']);
    assert.deepEqual(servicesStarted(doc, profiles), ['reco']);
    assert.deepEqual(scale, ['lb', 'postgres', 'reco-1', 'reco-2', 'redis', 'train-worker']);
    assert.deepEqual(replicas, ['reco-1', 'reco-2']);
    assert.deepEqual(services['train-worker'].command.slice(0, 1), ['train-worker']);
    // without the .env file nothing has no profile: no service would run in both sets
    assert.deepEqual(servicesStarted(doc, []), []);
  });

  test('the outside images are pinned to a minor release', () => {
    assert.match(services.postgres.image, /^postgres:15\.\d+-(bookworm|alpine3\.\d+)$/);
    assert.match(services.redis.image, /^redis:7\.\d+\.\d+(-alpine|-bookworm)?$/);
    assert.match(services.lb.image, /^caddy:2\.\d+\.\d+(-alpine)?$/);
    for (const name of [...replicas, 'train-worker']) {
      assert.equal(services[name].image, services.reco.image);
      assert.equal(services[name].build.target, 'runtime');
    }
  });

  test('PostgreSQL and Redis have health checks, awaited by the replicas and the worker', () => {
    assert.deepEqual(services.postgres.healthcheck.test.slice(0, 2), ['CMD', 'pg_isready']);
    assert.deepEqual(services.redis.healthcheck.test, ['CMD', 'redis-cli', 'ping']);
    for (const name of replicas)
      for (const dep of ['postgres', 'redis'])
        assert.equal(services[name].depends_on[dep].condition, 'service_healthy', `${name} on ${dep}`);
    assert.equal(services['train-worker'].depends_on.postgres.condition, 'service_healthy');
  });

  test('PostgreSQL keeps its data in a named volume; the bundles are one volume for replicas and worker', () => {
    assert.ok(services.postgres.volumes.includes('reco-pg:/var/lib/postgresql/data'));
    assert.ok(Object.hasOwn(doc.volumes, 'reco-pg') && Object.hasOwn(doc.volumes, 'reco-models'));
    for (const name of [...replicas, 'train-worker']) {
      assert.ok(services[name].volumes.includes('reco-models:/models'), name);
      assert.deepEqual(services[name].command.slice(1), ['--models-dir', '/models'], name);
    }
    // a new named volume takes the owner of its mount point in the image: `node` must own /models
    assert.match(read('Dockerfile'), /mkdir -p [^\n]*\/models && chown node:node [^\n]*\/models\nUSER node/);
  });

  test('the replicas share the database, Redis and the API keys, behind the proxy, on no published port', () => {
    const pgUser = services.postgres.environment.POSTGRES_USER;
    const pgDb = services.postgres.environment.POSTGRES_DB;
    for (const name of [...replicas, 'train-worker']) {
      assert.equal(env(name).RECO_DB, `postgres://${pgUser}@postgres:5432/${pgDb}`, name);
      assert.equal(env(name).PGPASSWORD, services.postgres.environment.POSTGRES_PASSWORD, name);
    }
    for (const name of replicas) {
      assert.equal(env(name).RECO_REDIS_URL, 'redis://redis:6379', name);
      assert.equal(env(name).RECO_TRUST_PROXY, '1', name);
      assert.match(env(name).RECO_API_KEYS, /^\$\{RECO_API_KEYS[:}-]/, name);
      assert.equal(env(name).RECO_API_KEYS_FILE, '/models/api-keys', name);
      assert.equal(services[name].ports, undefined, `${name} publishes a port past the load balancer`);
    }
    assert.deepEqual(env('reco-2'), env('reco-1'));
    // without RECO_API_KEYS, reco-2 reads the key file reco-1 wrote
    assert.equal(services['reco-2'].depends_on['reco-1'].condition, 'service_healthy');
  });

  test('no required variable: Compose interpolates every profile, so one would stop a plain `up`', () => {
    assert.doesNotMatch(text, /\$\{\w+:?\?/);
  });

  test('the replicas health check asks /health on the port they expose', () => {
    for (const name of replicas) {
      const check = services[name].healthcheck;
      assert.equal(check.test[0], 'CMD');
      assert.ok(check.test.join(' ').includes(`'http://127.0.0.1:${services[name].expose[0]}/health'`), name);
      assert.equal(check.disable, undefined);
    }
  });

  test('the load balancer on port 8000 proxies to both replicas, health-checked on /health', () => {
    assert.deepEqual(services.lb.ports, ['8000:8000']);
    assert.ok(services.lb.volumes.includes('./deploy/Caddyfile:/etc/caddy/Caddyfile:ro'));
    const caddyfile = read('deploy', 'Caddyfile');
    assert.deepEqual(loadBalancerProblems(caddyfile, doc, 'lb', '/health'), []);
    assert.deepEqual(
      caddyProxies(caddyfile).upstreams.map((u) => `${u.host}:${u.port}`),
      replicas.map((r) => `${r}:8000`),
    );
  });

  test('the load balancer check catches a wrong host, a wrong port, a missing replica and health path', () => {
    const caddyfile = [
      ':8000 {',
      '\treverse_proxy @api reco-1:8080 ghost:8000 # reco-2:8000 commented out',
      '\treverse_proxy /x {',
      '\t\tto http://reco-9',
      '\t\thealth_uri /healthz',
      '\t}',
      '}',
      'health_uri /health',
    ].join('\n');
    assert.deepEqual(loadBalancerProblems(caddyfile, doc, 'lb', '/health'), [
      'line 4: upstream "http://reco-9" is not host:port',
      'line 2: service "reco-1" does not expose port 8080',
      'line 2: upstream "ghost" is no service started with lb',
      'replica "reco-2" is not an upstream',
      'no active health check on /health',
    ]);
  });
});
