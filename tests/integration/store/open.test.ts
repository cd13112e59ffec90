import { describe, expect, it } from 'vitest';
import { insertOrderRow, insertPatientRow, openTempStore } from '../../support/store';

describe('opening the store keeps planner statistics current', () => {
  it('analyses tables with data on open (bounded by analysis_limit, which it leaves as it was)', async () => {
    const t = await openTempStore();
    try {
      const p = await insertPatientRow(t.store, 1);
      for (let i = 0; i < 30; i++) await insertOrderRow(t.store, p, { createdAt: `2025-05-${String(1 + (i % 28)).padStart(2, '0')}T08:00:00.000Z` });
      t.store.sqlite.exec('DROP TABLE IF EXISTS sqlite_stat1');
      const store = await t.reopen();
      const analysed = store.sqlite.prepare("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'orders'").pluck().get() as number;
      expect(analysed).toBeGreaterThan(0);
      expect(store.sqlite.pragma('analysis_limit', { simple: true })).toBe(0);
    } finally {
      await t.cleanup();
    }
  });
});
