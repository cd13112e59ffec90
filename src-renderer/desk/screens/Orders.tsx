import { useCallback, useEffect, useRef, useState } from 'react';
import { OrderSort, OrdersFilter, type ArSummary, type OrderRow } from '../../../src-shared/api';
import { OrderStatus } from '../../../src-shared/schemas/enums';
import { ErrorBox, Notice, StatusBadge, downloadFile, useApi } from '../../ui/components';
import { useI18n, type MessageKey } from '../../ui/i18n';
import { VirtualList } from '../../ui/VirtualList';
import { navigate } from '../router';
import { PendingTags } from './parts';

const ROW_HEIGHT = 36;
const PAGE = 500;
/** Enough to fill a tall screen; the rest follows in full pages as the list scrolls. */
const FIRST_PAGE = 100;
const DEFAULT_FILTER: OrdersFilter = OrdersFilter.parse({});

function dateRange(from: string | null, to: string | null): OrdersFilter['created'] {
  return from || to ? { from, to } : null;
}

/**
 * The orders list. Rows arrive in keyset pages as the window approaches them, so the first paint
 * needs one query however large the clinic is; the AR summary comes with the first page and
 * covers the whole filtered set. The filter is remembered per user in the core.
 */
export function Orders() {
  const api = useApi();
  const i18n = useI18n();
  const { t } = i18n;
  const [filter, setFilter] = useState<OrdersFilter | null>(null);
  const [searchText, setSearchText] = useState('');
  const [summary, setSummary] = useState<ArSummary | null>(null);
  const [rows, setRows] = useState<OrderRow[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [searchCut, setSearchCut] = useState(false);
  const [exporting, setExporting] = useState(false);
  const loading = useRef<{ gen: number; cursor: string | null; busy: boolean; done: boolean }>({ gen: 0, cursor: null, busy: false, done: false });

  // Restore the person's last filter.
  useEffect(() => {
    api['prefs.get']({ key: 'ordersFilter' })
      .then((saved) => {
        const parsed = OrdersFilter.safeParse(saved ?? {});
        const f = parsed.success ? parsed.data : DEFAULT_FILTER;
        setFilter(f);
        setSearchText(f.search);
      })
      .catch(() => setFilter(DEFAULT_FILTER));
  }, [api]);

  const loadMore = useCallback(
    async (f: OrdersFilter, gen: number) => {
      const st = loading.current;
      if (st.busy || st.done || st.gen !== gen) return;
      st.busy = true;
      try {
        const first = st.cursor === null;
        // Rows first, sums right after: the core answers in order, so the page is not held up
        // by the AR aggregate over the whole filtered set.
        const pending = api['orders.list']({ ...f, cursor: st.cursor, limit: first ? FIRST_PAGE : PAGE, withSummary: false });
        if (first) {
          void api['orders.summary'](f).then((s) => loading.current.gen === gen && setSummary(s), (e: unknown) => loading.current.gen === gen && setError(e));
        }
        const page = await pending;
        if (loading.current.gen !== gen) return;
        st.cursor = page.nextCursor;
        st.done = page.nextCursor === null;
        setRows((prev) => (first ? page.rows : prev.concat(page.rows)));
        setError(null);
      } catch (e) {
        if (loading.current.gen === gen) setError(e);
      } finally {
        st.busy = false;
      }
    },
    [api],
  );

  // New filter: start over, persist it.
  useEffect(() => {
    if (!filter) return;
    const gen = loading.current.gen + 1;
    loading.current = { gen, cursor: null, busy: false, done: false };
    setRows([]);
    void loadMore(filter, gen);
    const timer = setTimeout(() => void api['prefs.set']({ key: 'ordersFilter', value: filter }).catch(() => undefined), 400);
    return () => clearTimeout(timer);
  }, [filter, api, loadMore]);

  // Sync brings other desks' changes and clears "not synced" marks: refresh the loaded head of the
  // list (the rest reloads as it comes into view) whenever the sync state moves.
  const syncMark = useRef('');
  useEffect(() => {
    if (!filter) return;
    const timer = setInterval(() => {
      void api['sync.status']({}).then(async (s) => {
        const mark = `${s.lastSyncAt}|${s.pending}|${s.rejected}`;
        if (mark === syncMark.current) return;
        const first = syncMark.current === '';
        syncMark.current = mark;
        if (first || loading.current.busy) return;
        const gen = loading.current.gen;
        const page = await api['orders.list']({ ...filter, cursor: null, limit: PAGE, withSummary: true });
        if (loading.current.gen !== gen) return;
        loading.current.cursor = page.nextCursor;
        loading.current.done = page.nextCursor === null;
        if (page.summary) setSummary(page.summary);
        setRows(page.rows);
      }).catch(() => undefined);
    }, 2500);
    return () => clearInterval(timer);
  }, [api, filter]);

  // Debounced search box.
  useEffect(() => {
    if (!filter || searchText === filter.search) return;
    const timer = setTimeout(() => setFilter({ ...filter, search: searchText }), 120);
    return () => clearTimeout(timer);
  }, [searchText, filter]);

  const rowsRef = useRef(rows);
  rowsRef.current = rows;
  const onRange = useCallback(
    (_first: number, last: number) => {
      if (filter && last >= rowsRef.current.length - 50) void loadMore(filter, loading.current.gen);
    },
    [filter, loadMore],
  );

  if (!filter) return <div className="screen">{t('common.loading')}</div>;
  const update = (patch: Partial<OrdersFilter>) => setFilter({ ...filter, ...patch });
  const count = summary?.count ?? (loading.current.done ? rows.length : rows.length + 1);

  const exportCsv = async () => {
    setExporting(true);
    setNotice(null);
    try {
      const file = await api['orders.exportCsv'](filter);
      downloadFile(file);
      setNotice(t('orders.exported', { count: file.rows }));
    } catch (e) {
      setError(e);
    } finally {
      setExporting(false);
    }
  };

  const toggleStatus = (s: OrderStatus) =>
    update({ statuses: filter.statuses.includes(s) ? filter.statuses.filter((x) => x !== s) : [...filter.statuses, s] });

  return (
    <div className="screen orders">
      <div className="screen-head">
        <h1>{t('orders.title')}</h1>
        <span className="muted" data-testid="orders-count">{t('orders.count', { count: count.toLocaleString(i18n.language === 'sv' ? 'sv-SE' : 'en-GB') })}</span>
        <span className="spacer" />
        <button type="button" onClick={() => void exportCsv()} disabled={exporting} aria-busy={exporting}>
          {exporting ? t('orders.exporting') : t('orders.export')}
        </button>
        <a className="button primary" href="#/orders/new">
          {t('nav.newOrder')} <kbd>N</kbd>
        </a>
      </div>
      {summary ? (
        <section className="ar" aria-label="AR" data-testid="ar-summary">
          <div><span>{t('ar.total')}</span><strong>{i18n.money(summary.total)}</strong></div>
          <div><span>{t('ar.outstanding')}</span><strong>{i18n.money(summary.outstanding)}</strong></div>
          <div className={summary.overdue > 0 ? 'warn' : ''}><span>{t('ar.overdue')}</span><strong>{i18n.money(summary.overdue)}</strong><small>{t('ar.overdueCount', { count: summary.overdueCount })}</small></div>
          <div><span>{t('ar.installments')}</span><strong>{i18n.money(summary.installments)}</strong></div>
          <div><span>{t('ar.paid')}</span><strong>{i18n.money(summary.paid)}</strong></div>
        </section>
      ) : null}
      <section className="filters" aria-label={t('orders.sort')}>
        <div className="field grow">
          <label htmlFor="orders-search">{t('common.search')} <kbd>/</kbd></label>
          <input
            id="orders-search"
            data-search
            type="search"
            placeholder={t('orders.search')}
            value={searchText}
            onChange={(e) => {
              const v = e.target.value;
              setSearchCut(v.length > 200);
              setSearchText(v.slice(0, 200));
            }}
            onPaste={(e) => {
              const pasted = e.clipboardData.getData('text');
              if (pasted.length > 200) {
                e.preventDefault();
                setSearchCut(true);
                setSearchText(pasted.replace(/\s+/g, ' ').trim().slice(0, 200));
              }
            }}
          />
          {searchCut ? <div className="msg msg-hint" role="status">{t('error.searchTooLong')}</div> : null}
        </div>
        <fieldset className="statuses">
          <legend>{t('orders.status')}</legend>
          {OrderStatus.options.map((s) => (
            <label key={s} className="chip">
              <input type="checkbox" checked={filter.statuses.includes(s)} onChange={() => toggleStatus(s)} />
              {t(`status.${s}` as MessageKey)}
            </label>
          ))}
        </fieldset>
        <div className="field">
          <label htmlFor="f-from">{t('common.from')}</label>
          <input id="f-from" type="date" value={filter.created?.from ?? ''} onChange={(e) => update({ created: dateRange(e.target.value || null, filter.created?.to ?? null) })} />
        </div>
        <div className="field">
          <label htmlFor="f-to">{t('common.to')}</label>
          <input id="f-to" type="date" value={filter.created?.to ?? ''} onChange={(e) => update({ created: dateRange(filter.created?.from ?? null, e.target.value || null) })} />
        </div>
        <div className="field">
          <label htmlFor="f-clin">{t('orders.clinician')}</label>
          <input id="f-clin" value={filter.clinician ?? ''} onChange={(e) => update({ clinician: e.target.value.trim() ? e.target.value : null })} />
        </div>
        <div className="field">
          <label htmlFor="f-sort">{t('orders.sort')}</label>
          <select id="f-sort" value={filter.sort} onChange={(e) => update({ sort: OrderSort.parse(e.target.value) })}>
            {OrderSort.options.map((s) => (
              <option key={s} value={s}>{t(`orders.sort.${s}` as MessageKey)}</option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-dir">&nbsp;</label>
          <select id="f-dir" aria-label={t('orders.sort')} value={filter.direction} onChange={(e) => update({ direction: e.target.value === 'asc' ? 'asc' : 'desc' })}>
            <option value="desc">{t('orders.dir.desc')}</option>
            <option value="asc">{t('orders.dir.asc')}</option>
          </select>
        </div>
        <label className="chip">
          <input type="checkbox" checked={filter.overdueOnly} onChange={(e) => update({ overdueOnly: e.target.checked })} />
          {t('orders.overdueOnly')}
        </label>
        <button type="button" className="link" onClick={() => { setSearchText(''); setFilter(DEFAULT_FILTER); }}>
          {t('orders.clear')}
        </button>
      </section>
      {notice ? <Notice kind="ok">{notice}</Notice> : null}
      <ErrorBox error={error} />
      <div className="table orders-table">
        <div className="thead" role="presentation">
          <span>{t('orders.col.number')}</span>
          <span>{t('orders.col.created')}</span>
          <span>{t('orders.col.patient')}</span>
          <span>{t('orders.col.status')}</span>
          <span className="num">{t('orders.col.total')}</span>
          <span className="num">{t('orders.col.balance')}</span>
          <span>{t('orders.col.due')}</span>
        </div>
        {count === 0 && summary ? (
          <p className="empty">{t('orders.empty')}</p>
        ) : (
          <VirtualList
            label={t('orders.title')}
            count={count}
            rowHeight={ROW_HEIGHT}
            height="calc(100vh - 360px)"
            onRange={onRange}
            onActivate={(i) => rows[i] && navigate({ name: 'order', id: rows[i].id })}
            renderRow={(i) => {
              const r = rows[i];
              if (!r) return <span className="placeholder">…</span>;
              return (
                <>
                  <a href={`#/orders/${r.id}`} tabIndex={-1} data-testid="order-link">{r.orderNumber}</a>
                  <span>{i18n.date(r.createdAt)}</span>
                  <span className="ellipsis">{r.patientName}</span>
                  <span><StatusBadge status={r.status} /> <PendingTags pending={r.pending} /></span>
                  <span className="num">{i18n.money(r.total)}</span>
                  <span className="num">{i18n.money(r.balance)}</span>
                  <span>{r.dueDate ? i18n.date(r.dueDate) : ''}</span>
                </>
              );
            }}
          />
        )}
      </div>
    </div>
  );
}
