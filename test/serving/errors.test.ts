/** The domain errors of the services and the one handler that answers them over HTTP. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  BundleLoadError,
  ConflictError,
  InvalidInputError,
  NotFoundError,
  RecoError,
  UnavailableError,
  UsageError,
} from '../../src/errors.js';
import { errorAnswer } from '../../src/serving/plugins/errors.js';

test('each domain error answers its status, with the message and the field at fault', () => {
  const cases: [Error, object][] = [
    [
      new InvalidInputError('k', 'must be >= 1'),
      { statusCode: 400, error: 'Bad Request', message: 'k: must be >= 1', field: 'k' },
    ],
    [
      new NotFoundError('unknown user "u9"', 'id'),
      { statusCode: 404, error: 'Not Found', message: 'unknown user "u9"', field: 'id' },
    ],
    [
      new ConflictError('a training is already running'),
      { statusCode: 409, error: 'Conflict', message: 'a training is already running' },
    ],
    [
      new BundleLoadError('bundle not loaded, v1 keeps serving: broken'),
      {
        statusCode: 422,
        error: 'Unprocessable Entity',
        message: 'bundle not loaded, v1 keeps serving: broken',
      },
    ],
    [
      new UnavailableError('no model bundle loaded'),
      { statusCode: 503, error: 'Service Unavailable', message: 'no model bundle loaded' },
    ],
    // other RecoErrors are bad input without a field
    [new UsageError('bad parameter'), { statusCode: 400, error: 'Bad Request', message: 'bad parameter' }],
    [new RecoError('bad data'), { statusCode: 400, error: 'Bad Request', message: 'bad data' }],
  ];
  for (const [err, body] of cases) assert.deepEqual(errorAnswer(err).body, body, err.name);
});

test("a batch element's fault is named as the request names it", () => {
  const err = new NotFoundError('unknown item "x"', 'item', { index: 3, fieldInMessage: true });
  assert.equal(err.message, 'item: unknown item "x"');
  assert.equal(err.index, 3);
  const named = err.at('events[3].item');
  assert.ok(named instanceof NotFoundError);
  assert.equal(named.index, undefined);
  assert.deepEqual(errorAnswer(named).body, {
    statusCode: 404,
    error: 'Not Found',
    message: 'events[3].item: unknown item "x"',
    field: 'events[3].item',
  });
  const bad = new InvalidInputError('timestamp', 'not a date-time: "x"', { index: 1 }).at(
    'events[1].timestamp',
  );
  assert.ok(bad instanceof InvalidInputError);
  assert.equal(bad.message, 'events[1].timestamp: not a date-time: "x"');
  // a message that does not begin with its field keeps its words
  assert.equal(
    new ConflictError('user "u1" already exists', 'id').at('user.id').message,
    'user "u1" already exists',
  );
});

test('validation, unparsable bodies, Fastify 4xx and faults of the server', () => {
  const validation = Object.assign(new Error('body/events/3 must have required property'), {
    validation: [{ keyword: 'required', instancePath: '/events/3', params: { missingProperty: 'user' } }],
  });
  assert.deepEqual(errorAnswer(validation), {
    body: {
      statusCode: 400,
      error: 'Bad Request',
      message: 'events[3].user: is required',
      field: 'events[3].user',
    },
  });
  const json = Object.assign(new SyntaxError('Unexpected token'), { statusCode: 400 });
  assert.deepEqual(errorAnswer(json).body, {
    statusCode: 400,
    error: 'Bad Request',
    message: 'Unexpected token',
    field: '(body)',
  });
  const large = Object.assign(new Error('Request body is too large'), { statusCode: 413 });
  assert.deepEqual(errorAnswer(large).body, {
    statusCode: 413,
    error: 'Payload Too Large',
    message: 'Request body is too large',
  });
  const bug = errorAnswer(new TypeError('x is undefined'));
  assert.deepEqual(bug.body, {
    statusCode: 500,
    error: 'Internal Server Error',
    message: 'internal error (the server logged it)',
  });
  assert.equal(bug.log, 'request failed');
  assert.equal(errorAnswer(new NotFoundError('unknown item "x"', 'id')).log, undefined);
  assert.equal(
    new BundleLoadError('m', undefined, { log: 'model bundle v2 not loaded' }).options.log,
    'model bundle v2 not loaded',
  );
});
