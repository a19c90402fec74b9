/**
 * sObject User Password: GET tells whether it expired, POST sets it ({"NewPassword"}), DELETE resets
 * it to a generated one returned in the body. Another user's password needs "Manage Users"; a
 * session without it gets 403 INSUFFICIENT_ACCESS.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_sobject_user_password.htm
 */
import { ApiError } from '../errors.ts';
import { Org } from '../org/org.ts';
import type { RestHost } from './host.ts';
import { allow, requireObject, type Reply, type SObjectRequest } from './resource.ts';

export class UserPasswordResource {
  readonly #org: Org;

  constructor(host: Pick<RestHost, 'org'>) {
    this.#org = host.org;
  }

  /** sobjects/User/{id}/password */
  handle(req: SObjectRequest): Reply {
    const { method } = req;
    const org = this.#org;
    allow(method, ['GET', 'POST', 'DELETE']);
    const user = org.requireRecord(org.requireSchema('User'), req.path[0] ?? '');
    const self = user.Id === org.currentUserId;
    const restricted = org.restrictedUser;
    if (restricted && !restricted.perms.has('ManageUsers') && !(self && method === 'GET')) {
      throw new ApiError('INSUFFICIENT_ACCESS', 'You do not have permission to view this record.');
    }
    if (method === 'GET') return { status: 200, body: { isExpired: false } };
    if (method === 'DELETE') {
      const generated = Org.secret(9).replace(/[-_]/g, 'x');
      org.setPassword(user.Id as string, generated);
      return { status: 200, body: { NewPassword: generated } };
    }
    const value = requireObject(req.body).NewPassword;
    // The org's default password policy: at least 8 characters mixing letters and numbers
    // (https://help.salesforce.com/s/articleView?id=sf.admin_password.htm).
    if (typeof value !== 'string' || value.length < 8 || !/[A-Za-z]/.test(value) || !/\d/.test(value)) {
      throw new ApiError(
        'INVALID_NEW_PASSWORD',
        'Your password must be at least 8 characters long and have a mix of letters and numbers.',
      );
    }
    org.setPassword(user.Id as string, value);
    return { status: 204 };
  }
}
