import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerDb } from '../../../src-server/db/connect';
import { CreateConflict } from '../../../src-server/sync/clinic-writer';
import { feedStore, type FeedWrite } from '../../../src-server/sync/feed-store';
import { DB_KINDS, openBackendDb } from './support/harness';

/**
 * The feed store writes a push's changes in one statement per table; on PostgreSQL the documents
 * travel apart from the other columns and are zipped back row by row. Each change must keep its
 * own document (or none), byte for byte, in order, on both databases.
 */
describe.each(DB_KINDS)('appending changes to the feed (%s)', (kind) => {
  let sdb: ServerDb;
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it('stores each change with its own document, a change without one as null', async () => {
    ({ sdb, close } = await openBackendDb(kind));
    await sql`insert into clinics (id, name, settings, change_seq, created_at) values ('c1', 'Klinik', '{}', 0, '2026-11-22')`.execute(sdb.db);
    const at = '2026-11-22T16:00:00.000Z';
    // Each change with the cursor the store must give it (the clinic's counter starts at 0).
    const row = (cursor: number, entity: string, id: string, doc: Record<string, unknown> | null, created = true, mutation: string | null = null) => ({
      cursor, entity, entity_id: id, op: doc ? ('upsert' as const) : ('delete' as const), doc, mutation_id: mutation, created,
    });
    const write = (changes: ReturnType<typeof row>[], uniques: FeedWrite['uniques'] = []) =>
      sdb.db.transaction().execute((trx) => feedStore(sdb).writeFeed(trx, { clinicId: 'c1', createdAt: at, uniques, changes: changes.map(({ cursor: _, ...c }) => c) }));
    const rows = [
      row(1, 'patient', 'p1', { id: 'p1', name: 'Åsa "Lillan" \\ 🦷', note: 'ctrl \u0001 and \u0000 inside' }, true, 'm1'),
      row(2, 'notice', 'n1', null),
      row(3, 'patient', 'p2', { id: 'p2', name: '' }, true, 'm2'),
      row(4, 'patient', 'p1', { id: 'p1', name: 'Åsa', lines: [{ a: 1 }, null] }),
      row(5, 'notice', 'n2', null, true, 'm3'),
    ];
    expect(await write(rows, [{ kind: 'personnummer', key: '191212121212', owner_id: 'p1' }])).toBe(5);
    expect(await sdb.db.selectFrom('unique_keys').select(['kind', 'key', 'owner_id']).execute()).toEqual([{ kind: 'personnummer', key: '191212121212', owner_id: 'p1' }]);

    const stored = await sdb.db.selectFrom('changes').select(['cursor', 'entity_id', 'op', 'data', 'mutation_id', 'created_at']).orderBy('cursor').execute();
    expect(stored.map((c) => [Number(c.cursor), c.entity_id, c.op, c.data, c.mutation_id, c.created_at])).toEqual(
      rows.map((r) => [r.cursor, r.entity_id, r.op, r.doc === null ? null : JSON.stringify(r.doc), r.mutation_id, at]),
    );
    const entities = await sdb.db.selectFrom('entity_docs').select(['id', 'cursor', 'version', 'data']).orderBy('id').execute();
    expect(entities.map((e) => [e.id, Number(e.cursor), Number(e.version), e.data])).toEqual([
      ['p1', 4, 1, JSON.stringify(rows[3]!.doc)],
      ['p2', 3, 1, JSON.stringify(rows[2]!.doc)],
    ]);

    // The next push: p1 existed (its row is updated), p3 is new (inserted).
    const next = [row(6, 'patient', 'p3', { id: 'p3' }), row(7, 'patient', 'p1', { id: 'p1', name: 'Åsa Ö' }, false)];
    expect(await write(next)).toBe(7);
    const after = await sdb.db.selectFrom('entity_docs').select(['id', 'cursor', 'version']).orderBy('id').execute();
    expect(after.map((e) => [e.id, Number(e.cursor), Number(e.version)])).toEqual([['p1', 7, 2], ['p2', 3, 1], ['p3', 6, 1]]);

    // A change without a document after one with a document: the entity row points at the
    // newest change WITH one (FeedStore.writeFeed), on both databases.
    const mixed = [row(8, 'patient', 'p2', { id: 'p2', name: 'Ny' }, false), row(9, 'patient', 'p2', null, false)];
    await write(mixed);
    const p2 = await sdb.db.selectFrom('entity_docs').select(['cursor', 'version', 'data']).where('id', '=', 'p2').executeTakeFirstOrThrow();
    expect([Number(p2.cursor), Number(p2.version), p2.data]).toEqual([8, 2, JSON.stringify(mixed[0]!.doc)]);

    // One change alone, with neither a document nor a mutation: its empty columns still make a row.
    await write([row(10, 'notice', 'n3', null)]);
    const n3 = await sdb.db.selectFrom('changes').select(['entity_id', 'data', 'mutation_id']).where('cursor', '=', 10).execute();
    expect(n3).toEqual([{ entity_id: 'n3', data: null, mutation_id: null }]);

    // An entity said to be new that has a row: on PostgreSQL the insert says so (CreateConflict,
    // and the push runs again reading it; ClinicWriter). SQLite upserts either way: its ON
    // CONFLICT costs nothing up front.
    const wrong = write([row(11, 'patient', 'p2', { id: 'p2', name: 'x' })]);
    if (kind === 'postgres') await expect(wrong).rejects.toThrow(CreateConflict);
    else await wrong;
    // The same for a unique key, and on SQLite too (its unique keys are plain inserts as well).
    await expect(write([], [{ kind: 'personnummer', key: '191212121212', owner_id: 'p9' }])).rejects.toThrow(kind === 'postgres' ? CreateConflict : /UNIQUE/);
    // Keys without changes take no cursor; nothing at all writes nothing.
    expect(await write([], [{ kind: 'order_number', key: 'K1', owner_id: 'o1' }])).toBeNull();
    expect(await write([])).toBeNull();
    const counter = await sdb.db.selectFrom('clinics').select('change_seq').where('id', '=', 'c1').executeTakeFirstOrThrow();
    expect(Number(counter.change_seq)).toBe(kind === 'postgres' ? 10 : 11);
  });
});
