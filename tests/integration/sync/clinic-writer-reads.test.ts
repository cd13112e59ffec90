import { afterEach, describe, expect, it } from 'vitest';
import type { ServerDb } from '../../../src-server/db/connect';
import { ClinicWriter, CreateConflict } from '../../../src-server/sync/clinic-writer';
import { feedStore, type FeedStore } from '../../../src-server/sync/feed-store';
import { DB_KINDS, openBackendDb } from './support/harness';

/**
 * A batch's reads are made once, up front (prefetch); what they found, present or absent, is the
 * answer for the rest of the batch. An entity known to be absent must not be read again: every
 * create asks whether its id is taken. On PostgreSQL, whose inserts check new ids and keys, the
 * declared creates and claims are not read at all; what was taken as new is proven at flush.
 */
describe.each(DB_KINDS)('ClinicWriter reads (%s)', (kind) => {
  let sdb: ServerDb;
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  /** The real store, with each read it makes written down. */
  async function open() {
    ({ sdb, close } = await openBackendDb(kind));
    const real = feedStore(sdb);
    const reads: string[] = [];
    const store: FeedStore = {
      ...real,
      docs: (trx, clinicId, entity, ids) => (reads.push(`docs ${entity} ${ids.join(',')}`), real.docs(trx, clinicId, entity, ids)),
      owners: (trx, clinicId, k, keys) => (reads.push(`owners ${k} ${keys.join(',')}`), real.owners(trx, clinicId, k, keys)),
    };
    return { store, reads };
  }

  it('answers from what the batch read ahead, absent entities and keys included', async () => {
    const { store, reads } = await open();
    const w = new ClinicWriter(sdb.db, 'no-such-clinic', store);
    await w.prefetch([{ entities: [['order', 'o1'], ['patient', 'p1']], uniques: [['order_number', 'K1']] }]);
    expect(reads).toEqual(['docs order o1', 'docs patient p1', 'owners order_number K1']);

    expect(await w.get('order', 'o1')).toBeNull();
    expect(await w.exists('patient', 'p1')).toBe(false);
    expect(await w.claimUnique('order_number', 'K1', 'o1')).toBe(true);
    w.put('order', 'o1', { id: 'o1' }, null);
    expect(await w.get('order', 'o1')).toEqual({ id: 'o1' });
    expect(await w.claimUnique('order_number', 'K1', 'o2')).toBe(false);
    expect(reads).toHaveLength(3);

    // What the batch never read is read on demand.
    expect(await w.get('order', 'o9')).toBeNull();
    expect(reads).toEqual(['docs order o1', 'docs patient p1', 'owners order_number K1', 'docs order o9']);
  });

  it('reads declared creates and claims only where no insert would check them', async () => {
    const { store, reads } = await open();
    const w = new ClinicWriter(sdb.db, 'no-such-clinic', store);
    // Two commands of one push: a new patient, and an order for a patient that exists or not.
    await w.prefetch([
      { creates: [['patient', 'p1']], claims: [['personnummer', '19121212-1212']] },
      { entities: [['patient', 'p2']], creates: [['order', 'o1']], claims: [['order_number', 'K1']] },
    ]);
    expect(reads).toEqual(
      kind === 'postgres'
        ? ['docs patient p2']
        : ['docs patient p1,p2', 'docs order o1', 'owners personnummer 19121212-1212', 'owners order_number K1'],
    );
    expect(await w.exists('patient', 'p1')).toBe(false);
    expect(await w.get('order', 'o1')).toBeNull();
    expect(await w.claimUnique('order_number', 'K1', 'o1')).toBe(true);
    expect(reads).toHaveLength(kind === 'postgres' ? 1 : 4);

    // The run after a CreateConflict reads everything, whatever the store could check.
    reads.length = 0;
    const careful = new ClinicWriter(sdb.db, 'no-such-clinic', store, { readAll: true });
    await careful.prefetch([{ creates: [['order', 'o1']], claims: [['order_number', 'K1']] }]);
    expect(reads).toEqual(['docs order o1', 'owners order_number K1']);
  });

  it.runIf(kind === 'postgres')('proves at flush what it took as new: by the insert, or by reading what no insert checks', async () => {
    const { store, reads } = await open();
    const clinicId = 'c1';
    await sdb.db.insertInto('clinics').values({ id: clinicId, name: 'K', settings: '{}', change_seq: 0, created_at: new Date().toISOString() }).execute();
    const now = new Date().toISOString();
    const write = async (fn: (w: ClinicWriter) => Promise<void>) =>
      sdb.db.transaction().execute(async (trx) => {
        const w = new ClinicWriter(trx, clinicId, store);
        await fn(w);
        return w.flush(now);
      });
    await write(async (w) => {
      expect(await w.claimUnique('order_number', 'K1', 'o1')).toBe(true);
      w.put('order', 'o1', { id: 'o1' }, 'm1');
    });

    // o1 exists: taken as new, its insert hits the primary key.
    await expect(write(async (w) => {
      await w.prefetch([{ creates: [['order', 'o1']] }]);
      expect(await w.exists('order', 'o1')).toBe(false);
      w.put('order', 'o1', { id: 'o1', again: true }, 'm2');
    })).rejects.toBeInstanceOf(CreateConflict);
    // K1 is taken: the same for a unique key.
    await expect(write(async (w) => {
      await w.prefetch([{ claims: [['order_number', 'K1']] }]);
      expect(await w.claimUnique('order_number', 'K1', 'o2')).toBe(true);
    })).rejects.toBeInstanceOf(CreateConflict);
    // Taken as new, decided on, and never written (its command was rejected): read at flush.
    reads.length = 0;
    await expect(write(async (w) => {
      await w.prefetch([{ creates: [['order', 'o1']] }]);
      expect(await w.exists('order', 'o1')).toBe(false);
    })).rejects.toBeInstanceOf(CreateConflict);
    expect(reads).toEqual(['docs order o1']);
    // The same for an id that really is free: read, found free, and the flush goes through.
    reads.length = 0;
    await write(async (w) => {
      await w.prefetch([{ creates: [['order', 'o2']], claims: [['order_number', 'K2']] }]);
      expect(await w.exists('order', 'o2')).toBe(false);
      w.put('patient', 'p1', { id: 'p1' }, 'm3');
    });
    expect(reads).toEqual(['docs order o2', 'owners order_number K2']);

    const rows = await sdb.db.selectFrom('entity_docs').select(['entity', 'id', 'data']).where('clinic_id', '=', clinicId).orderBy('id').execute();
    expect(rows).toEqual([{ entity: 'order', id: 'o1', data: '{"id":"o1"}' }, { entity: 'patient', id: 'p1', data: '{"id":"p1"}' }]);
  });
});
