import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError, alreadyExists, conflict, fieldError, forbidden, gone, invalid, notFound, unauthorized } from '../apimachinery/errors.js';
import {
  AlreadyExistsError,
  BadRequestError,
  ConflictError,
  ForbiddenError,
  GoneError,
  InvalidError,
  NotFoundError,
  TimeoutError,
  UnauthorizedError,
  errorFromStatus,
  isConflict,
  isGone,
  isInvalid,
  isNotFound,
  typedError,
} from './errors.js';

describe('typed client errors', () => {
  it('map 1:1 from the API Status by reason', () => {
    const cases: [StatusError, new (...a: never[]) => StatusError][] = [
      [notFound('configmaps', '', 'x'), NotFoundError],
      [alreadyExists('configmaps', '', 'x'), AlreadyExistsError],
      [conflict('configmaps', '', 'x', 'stale'), ConflictError],
      [invalid('Widget', 'example.com', 'w', [fieldError.invalid('spec.size', 'huge', 'must be small')]), InvalidError],
      [gone('too old resource version: 1 (5)'), GoneError],
      [forbidden('no'), ForbiddenError],
      [unauthorized(), UnauthorizedError],
      [new StatusError(504, 'Timeout', 'took too long'), TimeoutError],
      [new StatusError(400, 'BadRequest', 'bad'), BadRequestError],
    ];
    for (const [src, cls] of cases) {
      const e = errorFromStatus(src.toStatus());
      assert.ok(e instanceof cls, `${src.reason} → ${cls.name}`);
      assert.ok(e instanceof StatusError);
      assert.equal(e.code, src.code);
      assert.equal(e.reason, src.reason);
      assert.equal(e.message, src.message);
      assert.deepEqual(typedError(src), e, 'typedError re-types server-side errors the same way');
    }
  });

  it('keeps Invalid causes with their field paths', () => {
    const e = errorFromStatus(invalid('Widget', 'example.com', 'w', [fieldError.invalid('spec.size', 'huge', 'must be small'), fieldError.required('spec.colour')]).toStatus());
    assert.ok(isInvalid(e));
    assert.deepEqual(e.causes.map((c) => c.field), ['spec.size', 'spec.colour']);
  });

  it('falls back to the HTTP code when a Status has no reason', () => {
    assert.ok(errorFromStatus({ code: 404 }) instanceof NotFoundError);
    assert.ok(isGone(errorFromStatus({}, 410)));
    assert.ok(isConflict(errorFromStatus({ code: 409, message: 'x' })));
    assert.ok(errorFromStatus({ code: 504 }) instanceof TimeoutError);
    const other = errorFromStatus({ code: 418, message: 'teapot' });
    assert.equal(other.code, 418);
    assert.ok(!isNotFound(other));
  });
});
