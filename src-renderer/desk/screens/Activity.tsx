import { useEffect, useState } from 'react';
import type { ActivityView } from '../../../src-shared/api';
import { ErrorBox, useApi } from '../../ui/components';
import { useI18n, type MessageKey } from '../../ui/i18n';

export function Activity() {
  const api = useApi();
  const i18n = useI18n();
  const { t } = i18n;
  const [f, setF] = useState({ action: '', outcome: '' as '' | 'ok' | 'failed' | 'refused', from: '', to: '', search: '' });
  const [items, setItems] = useState<ActivityView[]>([]);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    const timer = setTimeout(() => {
      api['activity.list']({ action: f.action || null, outcome: f.outcome || null, from: f.from || null, to: f.to || null, search: f.search.slice(0, 200), limit: 200 }).then(
        (p) => (setItems(p.items), setError(null)),
        setError,
      );
    }, 150);
    return () => clearTimeout(timer);
  }, [api, f]);
  const set = (patch: Partial<typeof f>) => setF((p) => ({ ...p, ...patch }));
  return (
    <div className="screen activity">
      <div className="screen-head"><h1>{t('activity.title')}</h1></div>
      <section className="filters">
        <div className="field grow">
          <label htmlFor="a-search">{t('activity.search')} <kbd>/</kbd></label>
          <input id="a-search" data-search type="search" maxLength={200} value={f.search} onChange={(e) => set({ search: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor="a-action">{t('activity.action')}</label>
          <input id="a-action" value={f.action} placeholder="order.create" onChange={(e) => set({ action: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor="a-outcome">{t('activity.outcome')}</label>
          <select id="a-outcome" value={f.outcome} onChange={(e) => set({ outcome: e.target.value as typeof f.outcome })}>
            <option value="">{t('common.all')}</option>
            <option value="ok">{t('outcome.ok')}</option>
            <option value="failed">{t('outcome.failed')}</option>
            <option value="refused">{t('outcome.refused')}</option>
          </select>
        </div>
        <div className="field"><label htmlFor="a-from">{t('common.from')}</label><input id="a-from" type="date" value={f.from} onChange={(e) => set({ from: e.target.value })} /></div>
        <div className="field"><label htmlFor="a-to">{t('common.to')}</label><input id="a-to" type="date" value={f.to} onChange={(e) => set({ to: e.target.value })} /></div>
      </section>
      <ErrorBox error={error} />
      <table className="list" data-testid="activity">
        <thead><tr><th>{t('activity.when')}</th><th>{t('activity.actor')}</th><th>{t('activity.action')}</th><th>{t('activity.subject')}</th><th>{t('activity.outcome')}</th><th>{t('activity.country')}</th></tr></thead>
        <tbody>
          {items.map((a) => (
            <tr key={a.id}>
              <td>{i18n.dateTime(a.at)}</td>
              <td>{a.actorName ?? '—'}</td>
              <td><code>{a.action}</code></td>
              <td className="ellipsis">{a.subject ?? ''}</td>
              <td><span className={`tag outcome-${a.outcome}`}>{t(`outcome.${a.outcome}` as MessageKey)}</span></td>
              <td>{a.country ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {items.length === 0 ? <p className="empty">{t('common.none')}</p> : null}
    </div>
  );
}
