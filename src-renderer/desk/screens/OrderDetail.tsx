import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { NoticeView, OrderDetail, PaymentOptionView } from '../../../src-shared/api';
import { parseSek } from '../../../src-shared/domain/money';
import { formatPersonnummer } from '../../../src-shared/domain/personnummer';
import { CancelReason, CreditReason } from '../../../src-shared/schemas/commands';
import type { PaymentOption } from '../../../src-shared/schemas/enums';
import { ErrorBox, Modal, Notice, Select, StatusBadge, downloadFile, useApi } from '../../ui/components';
import { useI18n, type MessageKey } from '../../ui/i18n';
import { isShortcut } from '../keys';
import { DeclineDialog, useRequestText } from './Notices';
import { PendingTags } from './parts';

type Dialog = 'issue' | 'cancel' | 'credit' | 'decline' | null;

const EVENT_KEYS: Record<string, MessageKey> = {
  created: 'timeline.created',
  issued: 'timeline.issued',
  edited: 'timeline.edited',
  cancelled: 'timeline.cancellation',
  cancellation: 'timeline.cancellation',
  credited: 'timeline.credit',
  credit: 'timeline.credit',
  payment: 'timeline.payment',
  installment_payment: 'timeline.payment',
  reminder_fee: 'timeline.reminderFee',
  status: 'timeline.status',
};

/** Timeline events in the person's language; a provider job that failed says which call. */
function eventText(t: (k: MessageKey, p?: Record<string, string>) => string, event: string): string {
  const key = EVENT_KEYS[event];
  if (key) return t(key);
  if (/\.(failed|dead)$/.test(event)) return t('timeline.providerFailed', { call: event.replace(/\.(failed|dead)$/, '') });
  return event;
}

export function OrderDetailScreen({ id }: { id: string }) {
  const api = useApi();
  const i18n = useI18n();
  const { t } = i18n;
  const [detail, setDetail] = useState<OrderDetail | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [dialog, setDialog] = useState<Dialog>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const [requests, setRequests] = useState<NoticeView[]>([]);
  const requestText = useRequestText();

  const load = useCallback(
    () =>
      Promise.all([api['orders.get']({ id }), api['notices.list']({ orderId: id, openOnly: true })]).then(([d, n]) => (setDetail(d), setRequests(n), setError(null)), setError),
    [api, id],
  );
  useEffect(() => {
    void load();
    // Provider outcomes (SMS delivered, credit approved) and central requests arrive in the background.
    const timer = setInterval(() => void load(), 2500);
    return () => clearInterval(timer);
  }, [load]);

  // One keystroke from a central cancellation request to the cancel dialog, pre-filled.
  const request = requests[0] ?? null;
  const canCancel = detail?.allowed.cancel ?? false;
  useEffect(() => {
    if (!request || !canCancel) return;
    const onKey = (e: KeyboardEvent) => {
      if ((e.key === 'm' || e.key === 'M') && isShortcut(e)) {
        e.preventDefault();
        setDialog('cancel');
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [request, canCancel]);

  if (!detail) return <div className="screen">{error ? <ErrorBox error={error} /> : t('common.loading')}</div>;
  const { order, patient, invoice, plan } = detail;

  const pdf = async () => {
    try {
      downloadFile(await api['orders.invoicePdf']({ orderId: order.id }));
    } catch (e) {
      setError(e);
    }
  };
  const done = (message: string) => {
    setDialog(null);
    setNotice(message);
    void load();
  };

  return (
    <div className="screen order-detail">
      <div className="screen-head">
        <h1>{t('detail.title', { number: order.orderNumber })}</h1>
        <StatusBadge status={order.status} />
        {order.statusReason !== 'none' ? <span className="reason" data-testid="status-reason">{t(`reason.${order.statusReason}` as MessageKey)}</span> : null}
        <PendingTags pending={detail.pending} />
        <span className="spacer" />
        {detail.allowed.issue ? (
          <button type="button" className="primary" onClick={() => setDialog('issue')}>
            {t('detail.issue')}
          </button>
        ) : null}
        {detail.allowed.cancel ? <button type="button" onClick={() => setDialog('cancel')}>{t('detail.cancel')}</button> : null}
        {detail.allowed.credit ? <button type="button" onClick={() => setDialog('credit')}>{t('detail.credit')}</button> : null}
        {invoice ? <button type="button" onClick={() => void pdf()}>{t('detail.pdf')}</button> : null}
      </div>
      {requests.map((r) => (
        <div key={r.id} className="request-banner" role="alert" data-testid="cancellation-request">
          <span>{requestText(r)}</span>
          <span className="spacer" />
          {r === request && detail.allowed.cancel ? (
            <button type="button" className="danger" aria-keyshortcuts="M" onClick={() => setDialog('cancel')}>
              {t('notices.bannerAction')} <kbd>M</kbd>
            </button>
          ) : r === request ? (
            <span>{t('notices.cannotCancel', { status: t(`status.${order.status}` as MessageKey).toLocaleLowerCase(i18n.language) })}</span>
          ) : null}
          {r === request ? <button type="button" onClick={() => setDialog('decline')}>{t('notices.decline')}</button> : null}
        </div>
      ))}
      {notice ? <Notice kind="ok">{notice}</Notice> : null}
      <ErrorBox error={error} />
      <div className="grid2">
        <section className="card">
          <h2>{t('detail.patient')}</h2>
          <p>
            <a href={`#/patients/${patient.id}`}>{patient.firstName} {patient.lastName}</a>
            <br />
            {formatPersonnummer(patient.personnummer)} · {patient.phone ?? '—'}
            {patient.smsBlockedReason ? <><br /><span className="tag tag-bad">{t('patient.smsBlocked', { reason: patient.smsBlockedReason })}</span></> : null}
          </p>
          <p className="muted">
            {t('detail.created')} {i18n.dateTime(order.createdAt)} · {t('detail.clinician')} {order.clinician ?? '—'}
          </p>
        </section>
        <section className="card">
          <h2>{t('detail.invoice')}</h2>
          {invoice ? (
            <dl className="kv">
              <dt>{t('detail.invoiceNumber')}</dt><dd data-testid="invoice-number">{invoice.invoiceNumber}</dd>
              <dt>{t('detail.ocr')}</dt><dd>{invoice.ocr}</dd>
              <dt>{t('detail.dueDate')}</dt><dd>{i18n.date(invoice.dueDate)}</dd>
              <dt>{t('detail.payment')}</dt>
              <dd>{plan ? t('detail.plan', { months: plan.months, monthly: i18n.money(plan.monthlyAmount) }) : invoice.paymentOption.kind === 'invoice14' ? t('detail.invoice14') : t('issue.months', { months: invoice.paymentOption.months })}</dd>
            </dl>
          ) : (
            <p className="muted">—</p>
          )}
          <dl className="kv">
            <dt>{t('common.total')}</dt><dd>{i18n.money(order.total)}</dd>
            <dt>{t('detail.paid')}</dt><dd>{i18n.money(order.paidTotal)}</dd>
            <dt>{t('detail.credited')}</dt><dd data-testid="credited">{i18n.money(order.creditedTotal)}</dd>
            <dt>{detail.balance < 0 ? t('detail.refund') : t('detail.balance')}</dt><dd data-testid="balance">{i18n.money(Math.abs(detail.balance))}</dd>
          </dl>
        </section>
      </div>
      <section className="card">
        <table className="lines readonly">
          <thead>
            <tr>
              <th>{t('newOrder.description')}</th><th className="num">{t('newOrder.quantity')}</th><th className="num">{t('newOrder.unitPrice')}</th>
              <th className="num">{t('newOrder.discount')}</th><th>{t('newOrder.vat')}</th><th>{t('newOrder.clinician')}</th><th className="num">{t('newOrder.lineTotal')}</th>
            </tr>
          </thead>
          <tbody>
            {order.lines.map((l) => (
              <tr key={l.id}>
                <td>{l.code} {l.description}</td>
                <td className="num">{l.quantity}</td>
                <td className="num">{i18n.money(l.unitPrice)}</td>
                <td className="num">{l.discountBp ? `${(l.discountBp / 100).toLocaleString(i18n.language)} %` : ''}</td>
                <td>{t(`vat.${l.vatCode}` as MessageKey)}</td>
                <td>{l.clinician ?? order.clinician ?? ''}</td>
                <td className="num">{i18n.money(l.lineTotal)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <div className="grid2">
        <section className="card">
          <h2>{t('detail.timeline')}</h2>
          <ol className="timeline" data-testid="timeline">
            {detail.timeline.map((e, i) => (
              <li key={i}>
                <time>{i18n.dateTime(e.at)}</time>{' '}
                {e.status ? <StatusBadge status={e.status} /> : null} <span>{eventText(t, e.event)}</span>
                {e.reason !== 'none' ? <span className="reason"> – {t(`reason.${e.reason}` as MessageKey)}</span> : null}
                {e.amount != null ? <span> · {i18n.money(e.amount)}</span> : null}
                {e.note ? <div className="muted">{e.note}</div> : null}
              </li>
            ))}
          </ol>
        </section>
        <section className="card">
          <h2>{t('detail.sms')}</h2>
          {detail.sms.length === 0 ? (
            <p className="muted">{t('detail.noSms')}</p>
          ) : (
            <ul className="sms" data-testid="sms-list">
              {detail.sms.map((s) => (
                <li key={s.id}>
                  <time>{i18n.dateTime(s.createdAt)}</time> {t(`sms.template.${s.template}` as MessageKey)} → {s.to}{' '}
                  <span className={`tag sms-${s.status}`} data-testid="sms-status">{t(`sms.status.${s.status}`)}</span>
                  {s.errorCode ? <span className="tag tag-bad">{s.errorCode}</span> : null}
                </li>
              ))}
            </ul>
          )}
          <h2>{t('detail.jobs')}</h2>
          {detail.jobs.length === 0 ? (
            <p className="muted">{t('detail.noJobs')}</p>
          ) : (
            <ul className="jobs">
              {detail.jobs.map((j) => (
                <li key={j.id}>
                  {j.kind} <span className={`tag job-${j.status}`}>{t(`job.${j.status}` as MessageKey)}</span> {t('sync.attempts', { attempts: j.attempts, max: j.maxAttempts })}
                  {j.lastError ? <div className="msg msg-error">{j.lastError}</div> : null}
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
      {dialog === 'issue' ? <IssueDialog orderId={order.id} onClose={() => setDialog(null)} onDone={(n) => done(t('issue.done', { number: n }))} /> : null}
      {dialog === 'cancel' ? (
        <CancelDialog
          orderId={order.id}
          request={request}
          onClose={() => setDialog(null)}
          onDone={async () => {
            // The cancellation answers the request: record that it was handled here.
            if (request) await api['notices.handle']({ id: request.id, outcome: 'cancelled' }).catch(() => undefined);
            done(t('status.cancelled'));
          }}
        />
      ) : null}
      {dialog === 'decline' && request ? <DeclineDialog notice={request} onClose={() => setDialog(null)} onDone={() => done(t('notices.handled'))} /> : null}
      {dialog === 'credit' ? <CreditDialog orderId={order.id} creditable={detail.creditable} onClose={() => setDialog(null)} onDone={() => done(t('detail.credited'))} /> : null}
    </div>
  );
}

function optionKey(o: PaymentOption): string {
  return o.kind === 'invoice14' ? 'invoice14' : `m${o.months}`;
}

function IssueDialog({ orderId, onClose, onDone }: { orderId: string; onClose: () => void; onDone: (invoiceNumber: string) => void }) {
  const api = useApi();
  const i18n = useI18n();
  const { t } = i18n;
  const [options, setOptions] = useState<PaymentOptionView[] | null>(null);
  const [choice, setChoice] = useState('invoice14');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    api['orders.paymentOptions']({ orderId }).then((r) => setOptions(r.options), setError);
  }, [api, orderId]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const picked = options?.find((o) => optionKey(o.option) === choice);
    if (!picked) return;
    setBusy(true);
    setError(null);
    try {
      const r = await api['orders.issueInvoice']({ orderId, paymentOption: picked.option });
      onDone(r.invoiceNumber);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal title={t('issue.title')} onClose={onClose}>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <fieldset className="options">
          <legend>{t('issue.choose')}</legend>
          {!options && !error ? <p>{t('common.loading')}</p> : null}
          {options?.map((o) => {
            const key = optionKey(o.option);
            return (
              <label key={key} className={`option ${choice === key ? 'chosen' : ''}`} data-testid={`option-${key}`}>
                <input type="radio" name="payment" value={key} checked={choice === key} onChange={() => setChoice(key)} />
                <span className="option-title">{o.option.kind === 'invoice14' ? t('issue.invoice14') : t('issue.months', { months: o.months })}</span>
                {o.option.kind === 'installments' ? (
                  <span className="option-facts">
                    <strong>{t('issue.monthly', { amount: i18n.money(o.monthlyAmount) })}</strong>
                    <span>{t('issue.totalCost', { amount: i18n.money(o.totalPayable) })}</span>
                    <span>{t('issue.creditCost', { amount: i18n.money(o.creditCost) })}</span>
                    <span>{o.effectiveAnnualRate === 0 ? t('issue.interestFree') : t('issue.effective', { rate: i18n.percent(o.effectiveAnnualRate) })}</span>
                    <span className="muted">{t('issue.nominal', { rate: i18n.percent(o.annualInterestBp / 10_000) })} · {t('issue.fees', { setup: i18n.money(o.setupFee), monthly: i18n.money(o.monthlyFee) })}</span>
                    {o.creditCheck ? <span className="muted">{t('issue.creditCheck')}</span> : null}
                  </span>
                ) : (
                  <span className="option-facts"><strong>{i18n.money(o.totalPayable)}</strong></span>
                )}
              </label>
            );
          })}
        </fieldset>
        <ErrorBox error={error} />
        <div className="actions">
          <button type="button" onClick={onClose}>{t('common.cancel')}</button>
          <button type="submit" className="primary" disabled={busy || !options}>{busy ? t('issue.busy') : t('issue.submit')}</button>
        </div>
      </form>
    </Modal>
  );
}

/** The cancel flow; from a central request it starts with the request's reason and comment. */
function CancelDialog({ orderId, request, onClose, onDone }: { orderId: string; request: NoticeView | null; onClose: () => void; onDone: () => void | Promise<void> }) {
  const api = useApi();
  const { t } = useI18n();
  const [reason, setReason] = useState(() => (request && CancelReason.safeParse(request.reason).success ? request.reason : ''));
  const [note, setNote] = useState(request?.note ?? '');
  const [error, setError] = useState<unknown>(null);
  const [missing, setMissing] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const r = CancelReason.safeParse(reason);
    if (!r.success) return setMissing(true);
    try {
      await api['orders.cancel']({ orderId, reason: r.data, note: note.trim() || null });
      await onDone();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <Modal title={t('cancel.title')} onClose={onClose}>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Select label={`${t('common.reason')} *`} name="reason" value={reason} onChange={(e) => (setReason(e.target.value), setMissing(false))} error={missing ? t('common.required') : null} aria-required="true">
          <option value="">{t('reason.pick')}</option>
          {CancelReason.options.map((r) => <option key={r} value={r}>{t(`reason.${r}` as MessageKey)}</option>)}
        </Select>
        <div className="field">
          <label htmlFor="cancel-note">{t('common.note')}</label>
          <textarea id="cancel-note" value={note} maxLength={500} onChange={(e) => setNote(e.target.value)} />
        </div>
        <ErrorBox error={error} />
        <div className="actions">
          <button type="button" onClick={onClose}>{t('common.close')}</button>
          <button type="submit" className="danger">{t('cancel.submit')}</button>
        </div>
      </form>
    </Modal>
  );
}

function CreditDialog({ orderId, creditable, onClose, onDone }: { orderId: string; creditable: number; onClose: () => void; onDone: () => void }) {
  const api = useApi();
  const i18n = useI18n();
  const { t } = i18n;
  const [mode, setMode] = useState<'full' | 'partial'>('full');
  const [amountText, setAmountText] = useState('');
  const [reason, setReason] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [missing, setMissing] = useState(false);
  const parsed = parseSek(amountText);
  const amountError = mode === 'partial' && amountText !== ''
    ? !parsed.ok || parsed.value <= 0 ? t('error.amount') : parsed.value > creditable ? t('credit.max', { amount: i18n.money(creditable) }) : null
    : null;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const r = CreditReason.safeParse(reason);
    if (!r.success) return setMissing(true);
    const amount = mode === 'full' ? creditable : parsed.ok ? parsed.value : 0;
    if (mode === 'partial' && (amountError || amountText === '')) return;
    try {
      await api['orders.credit']({ orderId, amount, reason: r.data, note: note.trim() || null });
      onDone();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <Modal title={t('credit.title')} onClose={onClose}>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <fieldset>
          <label className="check"><input type="radio" name="mode" checked={mode === 'full'} onChange={() => setMode('full')} /> {t('credit.full', { amount: i18n.money(creditable) })}</label>
          <label className="check"><input type="radio" name="mode" checked={mode === 'partial'} onChange={() => setMode('partial')} /> {t('credit.partial')}</label>
        </fieldset>
        {mode === 'partial' ? (
          <div className={`field ${amountError ? 'field-error' : ''}`}>
            <label htmlFor="credit-amount">{t('credit.amount')}</label>
            <input id="credit-amount" inputMode="decimal" value={amountText} autoFocus onChange={(e) => setAmountText(e.target.value)} aria-invalid={amountError ? true : undefined} />
            {amountError ? <div className="msg msg-error" role="alert">{amountError}</div> : null}
          </div>
        ) : null}
        <Select label={`${t('common.reason')} *`} name="reason" value={reason} onChange={(e) => (setReason(e.target.value), setMissing(false))} error={missing ? t('common.required') : null} aria-required="true">
          <option value="">{t('reason.pick')}</option>
          {CreditReason.options.map((r) => <option key={r} value={r}>{t(`reason.${r}` as MessageKey)}</option>)}
        </Select>
        <div className="field">
          <label htmlFor="credit-note">{t('common.note')}</label>
          <textarea id="credit-note" value={note} maxLength={500} onChange={(e) => setNote(e.target.value)} />
        </div>
        <ErrorBox error={error} />
        <div className="actions">
          <button type="button" onClick={onClose}>{t('common.close')}</button>
          <button type="submit" className="danger">{t('credit.submit')}</button>
        </div>
      </form>
    </Modal>
  );
}
