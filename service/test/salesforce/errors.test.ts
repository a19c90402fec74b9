import { SalesforceError, classifySalesforceError } from '../../src/salesforce/errors.ts';

/** What jsforce throws for an API error: an Error named after the errorCode, the body in `data`. */
function jsforceError(errorCode: string, message: string, fields: string[] = []): Error {
  const err = new Error(message) as Error & { errorCode: string; data: unknown };
  err.name = errorCode;
  err.errorCode = errorCode;
  err.data = { errorCode, message, fields };
  return err;
}

describe('classifySalesforceError', () => {
  it.each([
    ['UNABLE_TO_LOCK_ROW', 'transient'],
    ['SERVER_UNAVAILABLE', 'transient'],
    ['ERROR_HTTP_503', 'transient'],
    ['REQUEST_LIMIT_EXCEEDED', 'limit'],
    ['INVALID_SESSION_ID', 'auth'],
    ['ERROR_HTTP_401', 'auth'],
    ['FIELD_CUSTOM_VALIDATION_EXCEPTION', 'record'],
    ['INVALID_CROSS_REFERENCE_KEY', 'record'],
  ])('when jsforce throws %s, then the kind is %s', (code, kind) => {
    const e = classifySalesforceError(jsforceError(code, 'm', ['WhoId']));
    expect(e).toBeInstanceOf(SalesforceError);
    expect(e.kind).toBe(kind);
    expect(e.errorCode).toBe(code);
    expect(e.fields).toEqual(['WhoId']);
  });

  it('when a Salesforce error body or an OAuth error comes, then it is classified by its code', () => {
    expect(classifySalesforceError([{ errorCode: 'UNABLE_TO_LOCK_ROW', message: 'locked' }]).kind).toBe(
      'transient',
    );
    const grant = classifySalesforceError({
      error: 'invalid_grant',
      error_description: 'expired access/refresh token',
    });
    expect([grant.kind, grant.message]).toEqual(['auth', 'expired access/refresh token']);
  });

  it('when jsforce reports several errors at once, then the first one decides', () => {
    const err = Object.assign(new Error('Multiple errors returned.'), {
      name: 'MULTIPLE_API_ERRORS',
      errorCode: 'MULTIPLE_API_ERRORS',
      data: [
        { errorCode: 'UNABLE_TO_LOCK_ROW', message: 'unable to obtain exclusive access' },
        { errorCode: 'UNABLE_TO_LOCK_ROW', message: 'again' },
      ],
    });
    expect(classifySalesforceError(err)).toMatchObject({
      kind: 'transient',
      errorCode: 'UNABLE_TO_LOCK_ROW',
    });
  });

  it('when the network fails, then the error is transient, also when the socket error is the cause', () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(classifySalesforceError(reset).kind).toBe('transient');
    expect(classifySalesforceError(new TypeError('fetch failed', { cause: reset })).kind).toBe('transient');
  });

  it('when a SalesforceError is classified again, then it is returned as is', () => {
    const e = new SalesforceError('limit', 'REQUEST_LIMIT_EXCEEDED', 'x');
    expect(classifySalesforceError(e)).toBe(e);
  });
});
