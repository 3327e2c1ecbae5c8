/**
 * An HTTP fuzzer driven by the server's own OpenAPI document: for each operation it generates requests
 * (fast-check, a fixed seed) whose path parameters, query and body follow the operation's schemas, with
 * values mutated into hostile ones at random: Object.prototype's names as ids, types, genres and attribute
 * keys; "Infinity", 1e999 and NaN; control characters and lone surrogates; wrong types; bad
 * percent-encoding; deep and huge JSON; missing and unknown fields; wrong content types and keys. A few
 * fixed requests add what the generator does not reach (oversize bodies, a batch over the limit, more genres
 * than the store takes, an over-long URL). Every answer is checked (`answerProblems`): no 5xx, a status the
 * document lists for the operation, the one error shape with a `field` on every 400, no path, stack or
 * source location, a bounded size, a 2xx body that matches its documented schema, and an answer within the
 * time limit. Used by test/serving/fuzz.test.ts and bench/fuzz.ts.
 */
import { Agent, request } from 'node:http';
import { Ajv, type ValidateFunction } from 'ajv';
import fc from 'fast-check';

/** Every property name of Object.prototype, and `prototype`. */
export const PROTO_NAMES = [...Object.getOwnPropertyNames(Object.prototype), 'prototype'];

/** Strings no server should take at face value (beside Object.prototype's names). */
const HOSTILE_STRINGS = [
  ...PROTO_NAMES,
  'Infinity',
  '-Infinity',
  '1e999',
  'NaN',
  '-0',
  '0x10',
  '',
  ' ',
  ' u1',
  'u1 ',
  '\u0000',
  'a\u0000b',
  'tab\there',
  'line\nbreak',
  '\r\n',
  '\u007f',
  '\u0085',
  '\u2028',
  '\ud800',
  'x\udfffy',
  '\ufeff',
  '😀',
  'é',
  'null',
  'true',
  '[]',
  '{}',
  '%',
  '%00',
  '%zz',
  '..',
  '../../etc/passwd',
  'a/b',
  'a?b=c',
  'a#b',
  '<script>alert(1)</script>',
  "'; DROP TABLE events; --",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template injection attempt, as text
  '${process.env}',
  'x'.repeat(257),
  'y'.repeat(5000),
];

/** Numbers JSON can say but the server must refuse or bound (raw JSON text). */
const RAW_NUMBERS = ['1e999', '-1e999', '1e308', '-1e308', '9007199254740993', '1e-400', '-0', '0.5', '-1'];

/** Malformed or surprising JSON bodies, as text. */
const RAW_BODIES = [
  '',
  '{',
  '{"user":',
  'null',
  'true',
  '[]',
  '"text"',
  '{"a":1}garbage',
  '{"__proto__":{"polluted":1},"id":"p1"}',
  '{"constructor":{"prototype":{"polluted":1}},"id":"p2"}',
  `${'['.repeat(20_000)}${']'.repeat(20_000)}`,
  `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`,
  '{"id":"\\ud800"}',
  '\u0000',
];

/** Query values that are no valid number, integer or boolean. */
const HOSTILE_QUERY = [
  'Infinity',
  '-Infinity',
  '1e999',
  'NaN',
  '',
  '1.5',
  '-1',
  '0',
  '0x10',
  '1e3',
  ' 10',
  '[]',
];
/** Percent-encodings that do not decode. */
const BAD_PERCENT = ['%', '%zz', '%E0%A4%A', '%C0%AF', '%ED%A0%80', 'a%2', '%%'];

// a value written into the JSON text as it is (1e999 is a JSON number, but no JavaScript value says it)
const RAW = '\u0000RAW:';
const raw = (text: string) => `${RAW}${text}\u0000`;
const RAW_PATTERN = /"\\u0000RAW:(.*?)\\u0000"/g;

/** JSON text of a generated value, its raw parts unquoted. */
export function toJson(v: unknown): string {
  return JSON.stringify(v).replace(RAW_PATTERN, (_m, text: string) => text.replaceAll('\\"', '"'));
}

type Schema = Record<string, unknown>;

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema: Schema;
}

interface Operation {
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema?: Schema }> }>;
  security?: unknown[];
}

export interface OpenApiDoc {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}

/** What the world holds, so that many generated requests name existing things. */
export interface FuzzWorld {
  users: string[];
  items: string[];
  types: string[];
  genres: string[];
  versions: string[];
  clientKey: string;
  adminKey: string;
}

export interface FuzzRequest {
  /** operationId, or `extra:...` for the fixed requests. */
  op: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

/** A path or query value percent-encoded byte by byte (lone surrogates as U+FFFD). */
function encode(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** An object with the given own properties, `__proto__` included (an own property, not the prototype). */
function objectOf(entries: [string, unknown][]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of entries)
    Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  return o;
}

class Generator {
  private readonly hostileString = fc.constantFrom(...HOSTILE_STRINGS);
  /** Any JSON value of a wrong kind, or raw JSON numbers. */
  private readonly hostileAny: fc.Arbitrary<unknown>;
  private readonly key: fc.Arbitrary<string>;

  constructor(private readonly world: FuzzWorld) {
    this.key = fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...PROTO_NAMES) },
      { weight: 2, arbitrary: fc.string({ maxLength: 8 }) },
      { weight: 1, arbitrary: this.hostileString },
    );
    this.hostileAny = fc.oneof(
      fc.constantFrom<unknown>(null, true, false, 0, -1, 3.5, [], {}, [3], ['u1'], { id: 'u1' }),
      fc.constantFrom(...RAW_NUMBERS).map(raw),
      fc.jsonValue({ maxDepth: 3 }),
      this.json(),
    );
  }

  /** JSON values whose object keys are often Object.prototype's names; now and then very deep. */
  private json(): fc.Arbitrary<unknown> {
    const { tree } = fc.letrec<{ tree: unknown }>((tie) => ({
      tree: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.oneof(
          fc.string({ maxLength: 10 }),
          fc.double({ noNaN: true, noDefaultInfinity: true }),
          fc.boolean(),
        ),
        fc.array(tie('tree'), { maxLength: 4 }),
        fc.array(fc.tuple(this.key, tie('tree')), { maxLength: 4 }).map(objectOf),
      ),
    }));
    return fc.oneof(
      { weight: 8, arbitrary: tree },
      {
        weight: 1,
        arbitrary: fc.integer({ min: 9, max: 20_000 }).map((d) => raw(`${'['.repeat(d)}${']'.repeat(d)}`)),
      },
      {
        weight: 1,
        arbitrary: fc
          .integer({ min: 9, max: 5_000 })
          .map((d) => raw(`${'{"a":'.repeat(d)}1${'}'.repeat(d)}`)),
      },
    );
  }

  /** Existing names for a field, where the world has them. */
  private pool(name: string, path: string): string[] | undefined {
    const w = this.world;
    if (name === 'user') return w.users;
    if (name === 'item' || name === 'items') return w.items;
    if (name === 'type') return w.types;
    if (name === 'genre' || name === 'genres') return w.genres;
    if (name === 'version') return w.versions;
    if (name === 'name' && path.includes('event-types')) return w.types;
    if (name === 'id' && path.startsWith('/v1/items')) return w.items;
    if (name === 'id') return w.users;
    return undefined;
  }

  /** A value of `schema` (valid most of the time), and now and then a hostile one in its place. */
  value(schema: Schema, name: string, path: string, depth = 0): fc.Arbitrary<unknown> {
    return fc.oneof(
      { weight: 14, arbitrary: this.valid(schema, name, path, depth) },
      { weight: 2, arbitrary: this.hostileString },
      { weight: 1, arbitrary: this.hostileAny },
    );
  }

  private valid(schema: Schema, name: string, path: string, depth: number): fc.Arbitrary<unknown> {
    if (Array.isArray(schema['enum'])) return fc.constantFrom(...(schema['enum'] as unknown[]));
    const alternatives = (schema['anyOf'] ?? schema['oneOf']) as Schema[] | undefined;
    if (alternatives) return fc.oneof(...alternatives.map((s) => this.valid(s, name, path, depth)));
    if (schema['then'] && schema['else'])
      return fc.oneof(
        this.valid(schema['then'] as Schema, name, path, depth),
        this.valid(schema['else'] as Schema, name, path, depth),
      );
    const type = schema['type'];
    if (Array.isArray(type))
      return fc.oneof(...type.map((t) => this.valid({ ...schema, type: t }, name, path, depth)));
    switch (type) {
      case 'string': {
        const known = this.pool(name, path);
        const text = fc.string({
          minLength: (schema['minLength'] as number | undefined) ?? 0,
          maxLength: Math.min((schema['maxLength'] as number | undefined) ?? 20, 20),
        });
        return known && known.length > 0
          ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...known) }, { weight: 1, arbitrary: text })
          : text;
      }
      case 'integer':
        return fc.integer({
          min: (schema['minimum'] as number | undefined) ?? -1_000_000,
          max: (schema['maximum'] as number | undefined) ?? 1_000_000,
        });
      case 'number':
        return fc.double({
          min: (schema['minimum'] as number | undefined) ?? -1e12,
          max: (schema['maximum'] as number | undefined) ?? 1e12,
          noNaN: true,
          noDefaultInfinity: true,
        });
      case 'boolean':
        return fc.boolean();
      case 'null':
        return fc.constant(null);
      case 'array': {
        const items = (schema['items'] as Schema | undefined) ?? {};
        const max = Math.min((schema['maxItems'] as number | undefined) ?? 5, 5);
        return fc.array(this.value(items, name, path, depth + 1), {
          minLength: Math.min((schema['minItems'] as number | undefined) ?? 0, max),
          maxLength: max,
        });
      }
      case 'object':
        return this.object(schema, path, depth);
      default:
        return this.hostileAny;
    }
  }

  /**
   * An object of `schema`: its required properties and some optional ones, now and then one required
   * left out or an unknown one added; open objects (attributes) get keys like Object.prototype's names.
   */
  private object(schema: Schema, path: string, depth: number): fc.Arbitrary<unknown> {
    const props = (schema['properties'] as Record<string, Schema> | undefined) ?? {};
    const names = Object.keys(props);
    if (names.length === 0 || depth > 3) return this.json();
    const required = new Set((schema['required'] as string[] | undefined) ?? []);
    const entries = names.map((n) =>
      fc.option(this.value(props[n]!, n, path, depth + 1), {
        freq: required.has(n) ? 20 : 2,
        nil: undefined,
      }),
    );
    const extra = fc.option(fc.tuple(this.key, this.hostileAny), { freq: 8, nil: undefined });
    return fc.tuple(fc.tuple(...entries), extra).map(([values, more]) => {
      const list: [string, unknown][] = [];
      values.forEach((v, k) => {
        if (v !== undefined) list.push([names[k]!, v]);
      });
      if (more) list.push(more);
      return objectOf(list);
    });
  }

  /** Query text for the operation's query parameters: values as text, hostile ones, bad encodings. */
  query(params: Parameter[], path: string): fc.Arbitrary<string> {
    const one = (p: Parameter) =>
      fc.option(
        fc.oneof(
          { weight: 10, arbitrary: this.valid(p.schema, p.name, path, 1).map((v) => encode(String(v))) },
          { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_QUERY).map(encode) },
          { weight: 1, arbitrary: this.hostileString.map(encode) },
          { weight: 1, arbitrary: fc.constantFrom(...BAD_PERCENT) },
        ),
        { freq: 2, nil: undefined },
      );
    const extra = fc.option(
      fc.constantFrom('__proto__=1', 'constructor=1', 'x=1', 'k=1&k=2', 'toString', '%zz=1', 'k[]=3', '&&'),
      { freq: 10, nil: undefined },
    );
    return fc.tuple(fc.tuple(...params.map(one)), extra).map(([values, more]) => {
      const parts: string[] = [];
      values.forEach((v, k) => {
        if (v !== undefined) parts.push(`${params[k]!.name}=${v}`);
      });
      if (more) parts.push(more);
      return parts.length > 0 ? `?${parts.join('&')}` : '';
    });
  }

  /** A path parameter's text: an existing name, any or hostile text (encoded), or a bad encoding. */
  pathParam(p: Parameter, path: string): fc.Arbitrary<string> {
    return fc.oneof(
      { weight: 12, arbitrary: this.valid(p.schema, p.name, path, 1).map((v) => encode(String(v))) },
      { weight: 3, arbitrary: this.hostileString.filter((s) => s !== '').map(encode) },
      { weight: 1, arbitrary: fc.constantFrom(...BAD_PERCENT, '%2F', '..', '.') },
    );
  }

  /** Request headers: mostly the right key; no key, a wrong one, malformed ones; a content type. */
  headers(admin: boolean, withBody: boolean): fc.Arbitrary<Record<string, string>> {
    const w = this.world;
    const good = admin ? w.adminKey : w.clientKey;
    const auth = fc.oneof(
      { weight: 14, arbitrary: fc.constant({ authorization: `Bearer ${good}` }) },
      { weight: 3, arbitrary: fc.constant({ 'x-api-key': good }) },
      { weight: 2, arbitrary: fc.constant({ authorization: `Bearer ${admin ? w.clientKey : w.adminKey}` }) },
      {
        weight: 3,
        arbitrary: fc.constantFrom<Record<string, string>>(
          {},
          { authorization: 'Bearer' },
          { authorization: 'Bearer not-a-key' },
          { authorization: `bearer   ${good}   ` },
          { authorization: `Basic ${Buffer.from(`x:${good}`).toString('base64')}` },
          { 'x-api-key': `${good}x` },
          { 'x-api-key': '__proto__' },
        ),
      },
    );
    const type = withBody
      ? fc.oneof(
          {
            weight: 16,
            arbitrary: fc.constant<Record<string, string>>({ 'content-type': 'application/json' }),
          },
          {
            weight: 3,
            arbitrary: fc.constantFrom<Record<string, string>>(
              {},
              { 'content-type': 'text/plain' },
              { 'content-type': 'application/x-www-form-urlencoded' },
              { 'content-type': 'multipart/form-data; boundary=x' },
              { 'content-type': 'application/json; charset=utf-16' },
              { 'content-type': 'APPLICATION/JSON' },
              { 'content-type': 'application/jsonx' },
              { 'content-type': 'application/json', 'content-encoding': 'gzip' },
            ),
          },
        )
      : fc.constant<Record<string, string>>({});
    return fc.tuple(auth, type).map(([a, t]) => ({ ...a, ...t }));
  }
}

/** The operations of the document, with their method and path template. */
function operations(doc: OpenApiDoc): { method: string; path: string; op: Operation }[] {
  const out: { method: string; path: string; op: Operation }[] = [];
  for (const [path, ops] of Object.entries(doc.paths))
    for (const [method, op] of Object.entries(ops)) out.push({ method: method.toUpperCase(), path, op });
  return out;
}

/** Requests of one operation. */
function operationRequests(
  g: Generator,
  { method, path, op }: { method: string; path: string; op: Operation },
): fc.Arbitrary<FuzzRequest> {
  const params = op.parameters ?? [];
  const pathParams = params.filter((p) => p.in === 'path');
  const bodySchema = op.requestBody?.content['application/json']?.schema;
  const admin = path.includes('/models/re') || method === 'PUT';
  const body: fc.Arbitrary<string | undefined> = bodySchema
    ? fc.oneof(
        { weight: 14, arbitrary: g.value(bodySchema, '(body)', path).map(toJson) },
        { weight: 1, arbitrary: fc.constantFrom(...RAW_BODIES) },
      )
    : fc.option(fc.constantFrom('{"a":1}', 'x'), { freq: 30, nil: undefined });
  return fc
    .record({
      pathValues: fc.tuple(...pathParams.map((p) => g.pathParam(p, path))),
      query: g.query(
        params.filter((p) => p.in === 'query'),
        path,
      ),
      headers: g.headers(admin, bodySchema !== undefined),
      body,
    })
    .map(({ pathValues, query, headers, body }) => {
      let url = path;
      pathParams.forEach((p, k) => {
        url = url.replace(`{${p.name}}`, pathValues[k]!);
      });
      return {
        op: op.operationId,
        method,
        path: `${url}${query}`,
        headers,
        ...(body !== undefined ? { body } : {}),
      };
    });
}

/** Fixed requests the generator does not reach: oversize bodies, over-long URLs, too many genres. */
export function extraRequests(world: FuzzWorld): FuzzRequest[] {
  const json = { authorization: `Bearer ${world.clientKey}`, 'content-type': 'application/json' };
  const out: FuzzRequest[] = [
    {
      op: 'createUser',
      method: 'POST',
      path: '/v1/users',
      headers: json,
      body: toJson({ id: 'big', attributes: { a: 'x'.repeat(1_100_000) } }),
    },
    {
      op: 'postEvents',
      method: 'POST',
      path: '/v1/events',
      headers: json,
      body: toJson({
        events: Array.from({ length: 10_001 }, (_, k) => ({
          user: `b${k}`,
          item: world.items[0],
          type: 'view',
        })),
      }),
    },
    {
      op: 'postEvents',
      method: 'POST',
      path: '/v1/events',
      headers: json,
      body: Buffer.alloc(33 * 1024 * 1024, 0x20),
    },
    { op: 'extra:long-url', method: 'GET', path: `/v1/users/${'u'.repeat(20_000)}`, headers: json },
    { op: 'extra:no-route', method: 'DELETE', path: '/v1/events', headers: json },
    { op: 'extra:no-route', method: 'GET', path: '/v1/__proto__', headers: json },
  ];
  // more genres than a store takes (MAX_GENRES): the batch that crosses it is refused, naming the field
  for (let b = 0; b < 20; b++)
    out.push({
      op: 'upsertItems',
      method: 'POST',
      path: '/v1/items',
      headers: json,
      body: toJson({
        items: Array.from({ length: 8 }, (_, k) => ({
          id: `g${b}-${k}`,
          genres: Array.from({ length: 64 }, (_, j) => `genre-${b}-${k}-${j}`),
        })),
      }),
    });
  out.push({
    op: 'recommendForUser',
    method: 'GET',
    path: '/v1/users/u1/recommendations?genre=nope',
    headers: json,
  });
  return out;
}

/** `count` requests generated from the document (seeded: the same seed, the same requests). */
export function fuzzRequests(doc: OpenApiDoc, world: FuzzWorld, count: number, seed: number): FuzzRequest[] {
  const g = new Generator(world);
  const ops = operations(doc).map((o) => {
    // retraining trains every model, a reload loads them: rarely
    const id = o.op.operationId;
    const weight = id === 'retrainModels' ? 1 : id === 'reloadModel' ? 3 : o.method === 'GET' ? 30 : 40;
    return { weight, arbitrary: operationRequests(g, o) };
  });
  return fc.sample(fc.oneof(...ops), { seed, numRuns: count });
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  ms: number;
}

const agent = new Agent({ keepAlive: true, maxSockets: 16 });

/** Sends a request; rejects with "no answer within ..." after `timeoutMs`. */
export function send(base: string, r: FuzzRequest, timeoutMs: number): Promise<Answer> {
  const url = new URL(base);
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        method: r.method,
        path: r.path,
        headers: {
          ...r.headers,
          ...(r.body !== undefined ? { 'content-length': String(Buffer.byteLength(r.body)) } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          clearTimeout(timer);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
            ms: performance.now() - t0,
          });
        });
        res.on('error', reject);
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      // the server may answer (413) and close before it read an oversize body
      if (err.code === 'EPIPE' || err.code === 'ECONNRESET') reject(new Error(`connection ${err.code}`));
      else reject(err);
    });
    if (r.body !== undefined) req.end(r.body);
    else req.end();
  });
}

/** Largest error answer, and largest answer of any kind, in bytes. */
export const MAX_ERROR_BYTES = 4096;
export const MAX_ANSWER_BYTES = 2 * 1024 * 1024;

/** What must never be in an answer: paths of the server, stack frames, source locations. */
const LEAKS: [RegExp, string][] = [
  [/\/work\//, 'a path (/work/)'],
  [/\/tmp\//, 'a path (/tmp/)'],
  [/\/home\//, 'a path (/home/)'],
  [/node_modules/, 'node_modules'],
  [/\.[cm]?[jt]s:\d/, 'a source location (.js:N)'],
  [/\bat [\w$.<>]+ \(/, 'a stack frame (" at f (")'],
  [/\n\s+at /, 'a stack frame'],
];

/** Checks answers against the document: each operation's response schemas compiled once. */
export class AnswerChecker {
  private readonly ajv = new Ajv({ strict: false, allowUnionTypes: true, validateFormats: false });
  private readonly validators = new Map<string, ValidateFunction | null>();
  private readonly ops = new Map<string, Operation>();

  constructor(private readonly doc: OpenApiDoc) {
    for (const { op } of operations(doc)) this.ops.set(op.operationId, op);
  }

  /** The document's schema with its component references inlined. */
  private inline(s: unknown): unknown {
    if (Array.isArray(s)) return s.map((x) => this.inline(x));
    if (s === null || typeof s !== 'object') return s;
    const o = s as Record<string, unknown>;
    const ref = o['$ref'];
    if (typeof ref === 'string' && ref.startsWith('#/components/schemas/'))
      return this.inline(this.doc.components?.schemas?.[ref.slice('#/components/schemas/'.length)]);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) out[k] = this.inline(v);
    return out;
  }

  private validator(op: Operation, status: string): ValidateFunction | null {
    const key = `${op.operationId} ${status}`;
    let v = this.validators.get(key);
    if (v === undefined) {
      const schema = op.responses[status]?.content?.['application/json']?.schema;
      v = schema ? this.ajv.compile(this.inline(schema) as Schema) : null;
      this.validators.set(key, v);
    }
    return v;
  }

  /** What is wrong with an answer to `r` (nothing: an empty list). */
  problems(r: FuzzRequest, a: Answer): string[] {
    const out: string[] = [];
    const text = a.body.toString('utf8');
    const asked = `${r.path} ${r.body?.toString() ?? ''}`;
    if (a.status >= 500) out.push(`status ${a.status}`);
    if (a.body.length > MAX_ANSWER_BYTES) out.push(`answer of ${a.body.length} bytes`);
    for (const [pattern, what] of LEAKS) {
      const m = pattern.exec(text);
      if (m && !asked.includes(m[0]))
        out.push(`leaks ${what}: ${JSON.stringify(text.slice(Math.max(0, m.index - 60), m.index + 60))}`);
    }
    const op = this.ops.get(r.op);
    const json = String(a.headers['content-type'] ?? '').startsWith('application/json');
    let parsed: unknown;
    if (json)
      try {
        parsed = JSON.parse(text);
      } catch {
        out.push('content-type JSON but the body does not parse');
      }
    if (a.status >= 400) {
      if (a.body.length > MAX_ERROR_BYTES) out.push(`error answer of ${a.body.length} bytes`);
      const e = parsed as
        | { statusCode?: unknown; error?: unknown; message?: unknown; field?: unknown }
        | undefined;
      if (!e || e.statusCode !== a.status || typeof e.error !== 'string' || typeof e.message !== 'string')
        out.push(`not the error shape: ${text.slice(0, 200)}`);
      else if (a.status === 400 && (typeof e.field !== 'string' || e.field === ''))
        out.push(`400 without a field: ${text.slice(0, 200)}`);
    }
    // an unknown route is no operation's answer
    const noRoute =
      a.status === 404 && /^no route /.test(String((parsed as { message?: unknown })?.message ?? ''));
    if (op && !noRoute) {
      const status = String(a.status);
      if (!op.responses[status]) out.push(`status ${status} not documented for ${op.operationId}`);
      else if (a.status < 300 && json) {
        const v = this.validator(op, status);
        if (v && !v(parsed)) out.push(`answer does not match its schema: ${this.ajv.errorsText(v.errors)}`);
      }
    }
    return out;
  }
}

export interface FuzzReport {
  requests: number;
  /** Answers by status. */
  statuses: Map<number, number>;
  /** Requests with a problem, each with its problems (the first 50). */
  failures: { request: string; status: number; problems: string[] }[];
  problemCount: number;
  /** Problems by kind (their text up to the first colon), with a count. */
  kinds: Map<string, number>;
  /** Time spent waiting for answers by operation, ms, and the operation's requests. */
  byOperation: Map<string, { ms: number; count: number }>;
  /** Slowest answer, ms. */
  slowestMs: number;
  seconds: number;
}

/** Sends the requests, `concurrency` at a time, checking every answer; never throws for a bad answer. */
export async function runFuzz(
  base: string,
  requests: FuzzRequest[],
  checker: AnswerChecker,
  options: { concurrency?: number; timeoutMs?: number; onProgress?: (done: number) => void } = {},
): Promise<FuzzReport> {
  const t0 = performance.now();
  const statuses = new Map<number, number>();
  const failures: FuzzReport['failures'] = [];
  let problemCount = 0;
  const kinds = new Map<string, number>();
  const byOperation = new Map<string, { ms: number; count: number }>();
  let slowestMs = 0;
  let next = 0;
  let done = 0;
  const describe = (r: FuzzRequest) =>
    `${r.op}: ${r.method} ${r.path.slice(0, 200)} ${JSON.stringify(r.headers)} ${r.body === undefined ? '' : r.body.toString().slice(0, 300)}`;
  const worker = async () => {
    while (next < requests.length) {
      const r = requests[next++]!;
      let problems: string[];
      let status = 0;
      try {
        const a = await send(base, r, options.timeoutMs ?? 20_000);
        status = a.status;
        slowestMs = Math.max(slowestMs, a.ms);
        const o = byOperation.get(r.op) ?? { ms: 0, count: 0 };
        o.ms += a.ms;
        o.count++;
        byOperation.set(r.op, o);
        problems = checker.problems(r, a);
      } catch (err) {
        const message = (err as Error).message;
        // an oversize body may be refused (413) before it is read: the server then closes the connection
        problems =
          /connection (EPIPE|ECONNRESET)/.test(message) && Buffer.byteLength(r.body ?? '') > 1_000_000
            ? []
            : [message];
      }
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      for (const p of problems) {
        const kind = `${r.op} ${status}: ${p.split(':')[0]!.slice(0, 80)}`;
        kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
      }
      if (problems.length > 0) {
        problemCount++;
        if (failures.length < 50) failures.push({ request: describe(r), status, problems });
      }
      options.onProgress?.(++done);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker));
  return {
    requests: requests.length,
    statuses,
    failures,
    problemCount,
    kinds,
    byOperation,
    slowestMs,
    seconds: (performance.now() - t0) / 1000,
  };
}

/** The server's resident set and V8 heap in bytes, from its Prometheus metrics. */
export async function serverMemory(base: string, key: string): Promise<{ rss: number; heapUsed: number }> {
  const r = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${key}` } });
  const text = await r.text();
  const metric = (name: string) => {
    const m = new RegExp(`^${name} (\\S+)`, 'm').exec(text);
    if (!m) throw new Error(`no ${name} in /metrics`);
    return Number(m[1]);
  };
  return { rss: metric('process_resident_memory_bytes'), heapUsed: metric('nodejs_heap_size_used_bytes') };
}
