import type { z } from 'zod';
import type { ActivityPage, ActivityQuery } from '../../src-shared/schemas/console';
import type { ServerDb } from '../db/connect';
import { rowToRecord } from '../accounts/activity';
import { requirePermission, type Actor } from '../accounts/manage';
import { accountsDb } from '../accounts/schema';

type Query = z.output<typeof ActivityQuery>;

const addDay = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/** Every chain (server and desks) in one list, newest first, filtered in SQL. */
export async function listActivity(sdb: ServerDb, actor: Actor, q: Query): Promise<ActivityPage> {
  requirePermission(actor, 'activity.read_all');
  let base = accountsDb(sdb.db).selectFrom('activity');
  if (q.clinicId) base = base.where('clinic_id', '=', q.clinicId);
  if (q.userId) base = base.where('actor_user_id', '=', q.userId);
  if (q.action) base = q.action.endsWith('.') ? base.where('action', 'like', `${q.action.replace(/[%_]/g, '')}%`) : base.where('action', '=', q.action);
  if (q.country === 'unknown') base = base.where('country', 'is', null);
  else if (q.country) base = base.where('country', '=', q.country);
  if (q.from) base = base.where('at', '>=', q.from);
  if (q.to) base = base.where('at', '<', addDay(q.to));
  const [rows, count] = await Promise.all([
    base.selectAll().orderBy('at', 'desc').orderBy('chain_id').orderBy('seq', 'desc').limit(q.limit).offset(q.offset).execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows: rows.map(rowToRecord), total: Number(count.n) };
}
