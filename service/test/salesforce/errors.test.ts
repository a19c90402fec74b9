import {
  ADMIN_REASONS,
  SalesforceError,
  adminReason,
  classifySalesforceError,
} from '../../src/salesforce/errors.ts';
import { subrequestError } from '../../src/salesforce/composite.ts';

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

describe('admin-facing reasons for record errors', () => {
  const REFUSALS = [
    'INSUFFICIENT_ACCESS_OR_READONLY',
    'INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY',
    'FIELD_CUSTOM_VALIDATION_EXCEPTION',
    'REQUIRED_FIELD_MISSING',
    'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
    'FIELD_INTEGRITY_EXCEPTION',
    'CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY',
    'INVALID_FIELD_FOR_INSERT_UPDATE',
    'INACTIVE_OWNER_OR_USER',
  ];

  it.each(REFUSALS)(
    'when Salesforce answers %s, then it is a record error (failed, never retried) whose message says what to fix',
    (code) => {
      const e = classifySalesforceError(jsforceError(code, 'refused', ['WhatId']));
      expect(e.kind).toBe('record');
      expect(e.errorCode).toBe(code);
      expect(e.message.startsWith('refused — Fix: ')).toBe(true);
      expect(e.message).toContain(adminReason(code, ['WhatId'])!);
    },
  );

  it('when the connected user may not edit a seller’s meeting, then the reason names Controlled by Parent, the objects and the permission set', () => {
    const e = subrequestError('event', {
      httpStatusCode: 400,
      body: [
        {
          errorCode: 'INSUFFICIENT_ACCESS_OR_READONLY',
          message: 'insufficient access rights on object id',
          fields: [],
        },
      ],
    });
    expect(e.kind).toBe('record');
    expect(e.message).toMatch(/^event: insufficient access rights on object id — Fix: /);
    expect(e.message).toContain('Controlled by Parent');
    expect(e.message).toContain('Salescaling Integration User permission set');
    expect(e.message).toMatch(/Contacts, Account, Opportunity or Lead/);
  });

  it('when a required field or a restricted picklist refuses the meeting, then the reason names the fields Salesforce reported', () => {
    expect(
      classifySalesforceError(
        jsforceError('REQUIRED_FIELD_MISSING', 'Required fields are missing: [Region__c]', ['Region__c']),
      ).message,
    ).toContain('your org requires a field Salescaling does not fill (Region__c)');
    const picklist = subrequestError('event', {
      httpStatusCode: 400,
      body: [
        {
          errorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
          message: 'bad value for restricted picklist field: Meeting',
          fields: ['Type'],
        },
      ],
    });
    expect(picklist.message).toContain('(Type; the Event Type is "Meeting")');
  });

  it('when the error is not one an admin fixes, then the message is Salesforce’s own and no reason is invented', () => {
    expect(
      classifySalesforceError(jsforceError('STRING_TOO_LONG', 'Subject: data value too large')).message,
    ).toBe('Subject: data value too large');
    expect(adminReason('UNABLE_TO_LOCK_ROW')).toBeUndefined();
    expect(classifySalesforceError(jsforceError('UNABLE_TO_LOCK_ROW', 'locked')).message).toBe('locked');
  });

  it('when the table is read, then every reason says what to do, and none is a transient, limit or auth code', () => {
    for (const [code, text] of Object.entries(ADMIN_REASONS)) {
      expect(classifySalesforceError(jsforceError(code, 'm')).kind).toBe('record');
      expect(text.length).toBeGreaterThan(40);
    }
  });
});
