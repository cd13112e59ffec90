import { useEffect, useState } from 'react';
import { z } from 'zod';
import { CancelReason } from '../../../src-shared/domain/order-state';
import { formatPersonnummer } from '../../../src-shared/domain/personnummer';
import { OrderStatus } from '../../../src-shared/schemas/enums';
import { OrderSortColumn } from '../../../src-shared/schemas/queries';
import { CancellationRequestNotice, ClinicView, ConsoleOrderDetail, ConsoleOrderPage, type ConsoleOrderQueryInput } from '../../../src-shared/schemas/console';
import type { OrderSummary } from '../../../src-shared/schemas/queries';
import { call, fieldError } from '../api';
import { useI18n } from '../i18n';
import { Badge, ErrorBox, Field, Ok, Select, useAction } from '../parts';

const PAGE = 50;
const SORT_LABEL: Record<string, { sv: string; en: string }> = {
  createdAt: { sv: 'Skapad', en: 'Created' }, orderNumber: { sv: 'Ordernummer', en: 'Order number' }, patientName: { sv: 'Patient', en: 'Patient' },
  total: { sv: 'Belopp', en: 'Amount' }, status: { sv: 'Status', en: 'Status' }, dueDate: { sv: 'Förfallodag', en: 'Due date' }, paidDate: { sv: 'Betaldag', en: 'Paid date' },
};

/** Orders across clinics with the desk's filters and sorts, paged by the server's keyset cursors. */
export function Orders({ go }: { go: (path: string) => void }) {
  const { t, status, money, dateTime, language } = useI18n();
  const [clinics, setClinics] = useState<ClinicView[]>([]);
  const [q, setQ] = useState<ConsoleOrderQueryInput>({ search: '', statuses: [], clinicId: null, sort: 'createdAt', direction: 'desc', limit: PAGE, cursor: null, overdueOnly: false });
  const [page, setPage] = useState<ConsoleOrderPage | null>(null);
  // The first page's header stays while paging; `earlier` holds the cursors of the pages before this one.
  const [summary, setSummary] = useState<OrderSummary | null>(null);
  const [earlier, setEarlier] = useState<(string | null)[]>([]);
  const { error, run } = useAction();
  const search = (next: ConsoleOrderQueryInput, history: (string | null)[] = []) =>
    run(async () => {
      setQ(next);
      const answer = await call(ConsoleOrderPage, 'POST', '/orders/search', next);
      setPage(answer);
      setEarlier(history);
      if (answer.summary) setSummary(answer.summary);
    });
  useEffect(() => {
    void run(async () => setClinics((await call(z.object({ clinics: z.array(ClinicView) }), 'GET', '/clinics')).clinics));
    void search(q);
  }, []);
  return (
    <section>
      <h2>{t('orders')}</h2>
      <form className="card grid" role="search" onSubmit={(e) => { e.preventDefault(); void search({ ...q, cursor: null }); }}>
        <Field label={t('searchOrders')} type="search" value={q.search ?? ''} onChange={(e) => setQ({ ...q, search: e.target.value })} error={fieldError(error, 'search')} />
        <Select label={t('clinic')} value={q.clinicId ?? ''} onChange={(e) => void search({ ...q, clinicId: e.target.value || null, cursor: null })}>
          <option value="">{t('allClinics')}</option>
          {clinics.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
        </Select>
        <Select label={t('status')} value={q.statuses?.[0] ?? ''} onChange={(e) => void search({ ...q, statuses: e.target.value ? [OrderStatus.parse(e.target.value)] : [], cursor: null })}>
          <option value="">{t('allStatuses')}</option>
          {OrderStatus.options.map((s) => <option key={s} value={s}>{status(s)}</option>)}
        </Select>
        <Select label={t('sort')} value={q.sort ?? 'createdAt'} onChange={(e) => void search({ ...q, sort: OrderSortColumn.parse(e.target.value), cursor: null })}>
          {OrderSortColumn.options.map((s) => <option key={s} value={s}>{SORT_LABEL[s]?.[language] ?? s}</option>)}
        </Select>
        <Select label={t('direction')} value={q.direction ?? 'desc'} onChange={(e) => void search({ ...q, direction: e.target.value === 'asc' ? 'asc' : 'desc', cursor: null })}>
          <option value="desc">{t('descending')}</option>
          <option value="asc">{t('ascending')}</option>
        </Select>
        <label className="check"><input type="checkbox" checked={q.overdueOnly ?? false} onChange={(e) => void search({ ...q, overdueOnly: e.target.checked, cursor: null })} /> {t('overdueOnly')}</label>
        <button type="submit" className="primary">{t('search')}</button>
      </form>
      <ErrorBox error={error} />
      {summary ? <p className="muted" data-testid="hits">{t('hits', { n: summary.count })}</p> : null}
      <table data-testid="orders">
        <thead>
          <tr><th>{t('orderNumber')}</th><th>{t('clinic')}</th><th>{t('patient')}</th><th>{t('status')}</th><th className="num">{t('total')}</th><th className="num">{t('balance')}</th><th>{t('dueDate')}</th><th>{t('created')}</th></tr>
        </thead>
        <tbody>
          {(page?.rows ?? []).map((o) => (
            <tr key={`${o.clinicId}:${o.id}`} className="clickable" onClick={() => go(`/orders/${o.clinicId}/${o.id}`)}>
              <td><a href={`#/orders/${o.clinicId}/${o.id}`}>{o.orderNumber}</a></td>
              <td>{o.clinicName}</td>
              <td>{o.patientName}</td>
              <td><Badge>{status(o.status)}</Badge></td>
              <td className="num">{money(o.total)}</td>
              <td className="num">{money(o.balance)}</td>
              <td>{o.dueDate ?? '–'}</td>
              <td>{dateTime(o.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {page && (page.nextCursor !== null || earlier.length > 0) ? (
        <div className="row">
          <button type="button" disabled={earlier.length === 0} onClick={() => void search({ ...q, cursor: earlier[earlier.length - 1] ?? null }, earlier.slice(0, -1))}>{t('prev')}</button>
          <button type="button" disabled={page.nextCursor === null} onClick={() => void search({ ...q, cursor: page.nextCursor }, [...earlier, q.cursor ?? null])}>{t('next')}</button>
        </div>
      ) : null}
    </section>
  );
}

export function OrderDetail({ clinicId, orderId, go }: { clinicId: string; orderId: string; go: (path: string) => void }) {
  const { t, status, reason, money, dateTime } = useI18n();
  const [d, setD] = useState<ConsoleOrderDetail | null>(null);
  const [why, setWhy] = useState('');
  const [note, setNote] = useState('');
  const [sent, setSent] = useState(false);
  const load = useAction();
  const send = useAction();
  const fetchIt = () => load.run(async () => setD(await call(ConsoleOrderDetail, 'GET', `/orders/${clinicId}/${orderId}`)));
  useEffect(() => {
    void fetchIt();
  }, [clinicId, orderId]);
  const request = () =>
    send.run(async () => {
      if (!why) throw new Error(t('required'));
      await call(z.object({ notice: CancellationRequestNotice }), 'POST', `/orders/${clinicId}/${orderId}/cancellation-request`, { reason: why, note });
      setSent(true);
      await fetchIt();
    });
  if (!d) return load.error ? <ErrorBox error={load.error} /> : <p>{t('loading')}</p>;
  const o = d.order;
  return (
    <section>
      <button type="button" className="link" onClick={() => go('/orders')}>← {t('back')}</button>
      <h2>{t('orderDetail', { number: o.orderNumber })} <Badge>{status(o.status)}</Badge></h2>
      <dl className="facts">
        <dt>{t('clinic')}</dt><dd>{d.clinicName}</dd>
        <dt>{t('patient')}</dt><dd>{d.patient ? `${d.patient.firstName} ${d.patient.lastName} (${formatPersonnummer(d.patient.personnummer)})` : '–'}</dd>
        <dt>{t('total')}</dt><dd>{money(o.total)}</dd>
        <dt>{t('balance')}</dt><dd>{money(o.total - o.paidTotal - o.creditedTotal)}</dd>
        <dt>{t('created')}</dt><dd>{dateTime(o.createdAt)}</dd>
        {d.invoices.map((i) => [<dt key={`${i.id}t`}>{t('invoice')}</dt>, <dd key={i.id}>{i.invoiceNumber} · OCR {i.ocr} · {t('dueDate')} {i.dueDate}</dd>])}
      </dl>
      <h3>{t('lines')}</h3>
      <table>
        <tbody>
          {o.lines.map((l) => <tr key={l.id}><td>{l.code}</td><td>{l.description}</td><td className="num">{l.quantity}</td><td className="num">{money(l.lineTotal)}</td></tr>)}
        </tbody>
      </table>
      {d.moneyEvents.length ? (
        <>
          <h3>{t('payments')}</h3>
          <ul>{d.moneyEvents.map((m) => <li key={m.id}>{dateTime(m.at)} · {m.kind} · {money(m.amount)} · {reason(m.reason)}</li>)}</ul>
        </>
      ) : null}
      {d.cancellationRequests.length ? (
        <div className="card" data-testid="cancellation-requests">
          <h3>{t('requests')}</h3>
          <ul>{d.cancellationRequests.map((r) => <li key={r.id}>{dateTime(r.at)} · {reason(r.reason)} · {r.requestedByName}{r.note ? ` · ${r.note}` : ''}</li>)}</ul>
        </div>
      ) : null}
      {sent ? <Ok>{t('requestSent', { clinic: d.clinicName })}</Ok> : null}
      {d.cancellable ? (
        <form className="card" onSubmit={(e) => { e.preventDefault(); void request(); }} aria-label={t('requestCancel')}>
          <h3>{t('requestCancel')}</h3>
          <p className="muted">{t('requestCancelHelp')}</p>
          <Select label={t('reason')} value={why} onChange={(e) => setWhy(e.target.value)} error={fieldError(send.error, 'reason')}>
            <option value="">–</option>
            {CancelReason.options.map((r) => <option key={r} value={r}>{reason(r)}</option>)}
          </Select>
          <Field label={t('note')} value={note} onChange={(e) => setNote(e.target.value)} error={fieldError(send.error, 'note')} />
          <ErrorBox error={send.error} />
          <button type="submit" className="primary" disabled={send.busy}>{t('send')}</button>
        </form>
      ) : (
        <p className="muted">{t('notCancellable')}</p>
      )}
    </section>
  );
}
