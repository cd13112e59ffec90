import type { SyncActivity } from '../../src-shared/api';

/**
 * How far a pull has come, or null when there is nothing worth a bar: not pulling, or the server
 * has not said where the feed ends (an older server). Cursors are gap-free per clinic, so the
 * changes still to fetch are exactly `headCursor - startCursor`.
 */
export function pullProgress(a: SyncActivity): { done: number; total: number } | null {
  if (a.phase !== 'pulling' || a.headCursor === null) return null;
  const total = a.headCursor - a.startCursor;
  if (total <= 0) return null;
  return { done: Math.min(a.pulled, total), total };
}
