import { describe, expect, it } from 'vitest';
import { receiptRow, recordedEntries } from '../../../src-server/sync/receipts';

describe('push receipts', () => {
  const entries = [
    { id: 'a', name: 'patient.create', actor: 'u' },
    { id: 'b', name: 'order.create', actor: 'u', code: 'conflict' as const, reason: 'Redan betald' },
    { id: 'c', name: 'order.create', actor: 'u' },
  ];

  it('gives each asked-for seq the entry of the receipt that covers it', () => {
    const rows = [receiptRow('d', 'c1', 7, entries, 'now'), receiptRow('d', 'c1', 10, [{ id: 'd', name: 'x.y', actor: 'u' }], 'now')];
    expect(rows.map((r) => [r.first_seq, r.last_seq])).toEqual([[7, 9], [10, 10]]);
    const got = recordedEntries(rows, [8, 10, 11]);
    expect([...got]).toEqual([[8, entries[1]], [10, { id: 'd', name: 'x.y', actor: 'u' }]]);
  });

  it('refuses a damaged receipt instead of treating its seqs as unrecorded', () => {
    const good = receiptRow('d', 'c1', 1, entries, 'now');
    const cases = [
      { ...good, outcomes: '[{"id":"a"' },
      { ...good, outcomes: JSON.stringify([{ id: 'a', name: 'x.y' }]) },
      { ...good, outcomes: JSON.stringify([{ ...entries[0], code: 'no_such_code' }]) },
      { ...good, last_seq: 5 },
    ];
    for (const r of cases) expect(() => recordedEntries([r], [1]), r.outcomes).toThrow(/push receipt of device d from seq 1 is damaged/);
  });
});
