import { z } from 'zod';
import type { CommandName } from '../schemas/commands';
import type { Role } from '../schemas/enums';

/**
 * What a contract call needs. `public` calls work without a session (login, the session probe);
 * `session` needs any logged-in user. The rest map to roles through ROLE_PERMISSIONS, the one
 * table the core enforces locally and the server enforces again (issue 6 extends it with user
 * management; the console reuses it).
 */
export const Permission = z.enum([
  'public',
  'session',
  'patients.read',
  'patients.write',
  'orders.read',
  'orders.write',
  'invoices.issue',
  'invoices.cancel_credit',
  'sync.manage',
  'jobs.manage',
  'settings.read',
  'settings.write',
  'secrets.write',
  'activity.read',
  'users.manage',
  // Issue 6: the central console and cross-clinic administration (system_admin only).
  'users.manage_all_clinics',
  'users.grant_system_admin',
  'console.access',
  'clinics.manage',
  'orders.read_all_clinics',
  'orders.request_cancellation',
  'service_settings.write',
  'activity.read_all',
  'activity.verify',
]);
export type Permission = z.infer<typeof Permission>;

const STAFF: readonly Permission[] = [
  'public', 'session', 'patients.read', 'patients.write', 'orders.read', 'orders.write', 'invoices.issue',
  'invoices.cancel_credit', 'sync.manage', 'jobs.manage', 'settings.read', 'activity.read',
];

export const ROLE_PERMISSIONS: Readonly<Record<Role, ReadonlySet<Permission>>> = {
  staff: new Set(STAFF),
  clinic_admin: new Set<Permission>([...STAFF, 'settings.write', 'secrets.write', 'users.manage']),
  system_admin: new Set<Permission>(Permission.options),
};

export function roleHas(role: Role | null, permission: Permission): boolean {
  if (permission === 'public') return true;
  if (role === null) return false;
  return ROLE_PERMISSIONS[role].has(permission);
}

/**
 * Issue 6: the permission each synced command needs. The server's command handlers (their
 * `roles`) must grant exactly the roles this table gives (tests/integration/console/permissions.test.ts),
 * so a mutation pushed by any desk is held to the same table as the desk's own dispatcher.
 */
export const COMMAND_PERMISSIONS: Readonly<Record<CommandName, Permission>> = {
  'patient.create': 'patients.write',
  'patient.update': 'patients.write',
  'order.create': 'orders.write',
  'order.update_draft': 'orders.write',
  'invoice.issue': 'invoices.issue',
  'order.cancel': 'invoices.cancel_credit',
  'order.credit': 'invoices.cancel_credit',
  'notice.handle': 'invoices.cancel_credit',
};

/** The roles that hold a permission, in Role order. */
export function rolesWith(permission: Permission): Role[] {
  return (Object.keys(ROLE_PERMISSIONS) as Role[]).filter((r) => roleHas(r, permission));
}
