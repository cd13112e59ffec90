import { afterEach, describe, expect, it } from 'vitest';
import type { ServerDb } from '../../../src-server/db/connect';
import { ClinicWriter } from '../../../src-server/sync/clinic-writer';
import { feedStore, type FeedStore } from '../../../src-server/sync/feed-store';
import { DB_KINDS, openBackendDb } from './support/harness';

/**
 * A batch's reads are made once, up front (prefetch); what they found, present or absent, is the
 * answer for the rest of the batch. An entity known to be absent must not be read again: every
 * create asks whether its id is taken.
 */
describe.each(DB_KINDS)('ClinicWriter reads (%s)', (kind) => {
  let sdb: ServerDb;
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it('answers from what the batch read ahead, absent entities and keys included', async () => {
    ({ sdb, close } = await openBackendDb(kind));
    const real = feedStore(sdb);
    const reads: string[] = [];
    // The real store, with each read it makes written down.
    const store: FeedStore = {
      ...real,
      docs: (trx, clinicId, entity, ids) => (reads.push(`docs ${entity} ${ids.join(',')}`), real.docs(trx, clinicId, entity, ids)),
      owners: (trx, clinicId, k, keys) => (reads.push(`owners ${k} ${keys.join(',')}`), real.owners(trx, clinicId, k, keys)),
    };
    const w = new ClinicWriter(sdb.db, 'no-such-clinic', store);
    await w.prefetch([['order', 'o1'], ['patient', 'p1']], [['order_number', 'K1']]);
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
});
