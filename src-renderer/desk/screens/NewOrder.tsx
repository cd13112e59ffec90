import { useEffect, useId, useMemo, useState, type FormEvent } from 'react';
import type { PatientSummary, PriceItem } from '../../../src-shared/api';
import { vatOfGross, vatSummary } from '../../../src-shared/domain/money';
import { checkLine, oreToText, type LineDraft } from '../line-check';
import { formatPersonnummer } from '../../../src-shared/domain/personnummer';
import { ErrorBox, Field, Notice, useApi } from '../../ui/components';
import { errorBody, useI18n, type MessageKey } from '../../ui/i18n';
import { navigate } from '../router';
import { useSession } from '../session';
import { PatientForm } from './PatientForm';

let lineKey = 1;

export function NewOrder() {
  const api = useApi();
  const i18n = useI18n();
  const { t } = i18n;
  const session = useSession();
  const [priceList, setPriceList] = useState<PriceItem[]>([]);
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<PatientSummary[] | null>(null);
  const [patient, setPatient] = useState<PatientSummary | null>(null);
  const [registering, setRegistering] = useState(false);
  const [lines, setLines] = useState<LineDraft[]>([]);
  const [clinician, setClinician] = useState(session.user.displayName);
  const [note, setNote] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [formError, setFormError] = useState<MessageKey | null>(null);
  const [busy, setBusy] = useState(false);
  const pickId = useId();

  useEffect(() => {
    api['priceList.list']({}).then(setPriceList, setError);
  }, [api]);

  useEffect(() => {
    if (patient || query.trim().length < 2) {
      setFound(null);
      return;
    }
    const timer = setTimeout(() => {
      api['patients.list']({ search: query.slice(0, 200), limit: 8 }).then((p) => setFound(p.items), setError);
    }, 150);
    return () => clearTimeout(timer);
  }, [query, patient, api]);

  const selectPatient = async (id: string) => {
    try {
      const detail = await api['patients.get']({ id });
      const p = detail.patient;
      setPatient({ ...p, balance: detail.balance, orderCount: detail.orders.length });
      setRegistering(false);
    } catch (e) {
      setError(e);
    }
  };

  const addItem = (id: string) => {
    const item = priceList.find((p) => p.id === id);
    if (!item) return;
    setLines((prev) => [
      ...prev,
      { key: lineKey++, priceItemId: item.id, code: item.code, description: item.name, quantity: '1', unitPrice: oreToText(item.unitPrice), discount: '', vatCode: item.vatCode, clinician: '' },
    ]);
  };
  const setLine = (key: number, patch: Partial<LineDraft>) => setLines((prev) => prev.map((l) => (l.key === key ? { ...l, ...patch } : l)));

  const checks = useMemo(() => lines.map(checkLine), [lines]);
  const totals = useMemo(() => {
    const valid = lines.flatMap((l, i) => (checks[i]?.amount != null ? [{ gross: checks[i].amount, vatCode: l.vatCode }] : []));
    return vatSummary(valid);
  }, [lines, checks]);

  const serverError = error ? errorBody(error) : null;
  const serverLineError = (i: number, name: string) =>
    serverError?.field === `lines.${i}.${name}` ? i18n.error(error) : null;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setFormError(null);
    if (!patient) return setFormError('newOrder.needPatient');
    if (lines.length === 0) return setFormError('newOrder.needLine');
    if (checks.some((c) => Object.keys(c.errors).length > 0)) {
      document.querySelector<HTMLInputElement>('.lines [aria-invalid="true"]')?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const res = await api['orders.create']({
        patientId: patient.id,
        clinician: clinician.trim() || null,
        note: note.trim() || null,
        lines: lines.map((l, i) => ({
          priceItemId: l.priceItemId,
          code: l.code,
          description: l.description,
          quantity: checks[i]!.quantity!,
          unitPrice: checks[i]!.unitPrice!,
          discountBp: checks[i]!.discountBp!,
          vatCode: l.vatCode,
          clinician: l.clinician.trim() || null,
        })),
      });
      navigate({ name: 'order', id: res.id });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="screen new-order">
      <div className="screen-head">
        <h1>{t('newOrder.title')}</h1>
      </div>
      <section className="card" aria-labelledby="np-h">
        <h2 id="np-h">{t('newOrder.patient')}</h2>
        {patient ? (
          <div className="chosen-patient" data-testid="chosen-patient">
            <strong>{patient.firstName} {patient.lastName}</strong> · {formatPersonnummer(patient.personnummer)} · {patient.phone ?? '—'}
            <button type="button" className="link" onClick={() => { setPatient(null); setQuery(''); }}>
              {t('newOrder.changePatient')}
            </button>
          </div>
        ) : (
          <>
            <Field
              label={t('newOrder.findPatient')}
              name="patientSearch"
              data-search=""
              autoFocus
              type="search"
              autoComplete="off"
              value={query}
              maxLength={200}
              onChange={(e) => setQuery(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter') {
                  e.preventDefault();
                  if (found?.[0]) void selectPatient(found[0].id);
                }
              }}
            />
            {found ? (
              found.length === 0 ? (
                <p className="muted">{t('newOrder.noPatientFound')}</p>
              ) : (
                <ul className="pick-list" aria-label={t('newOrder.patient')}>
                  {found.map((p) => (
                    <li key={p.id}>
                      <button type="button" onClick={() => void selectPatient(p.id)}>
                        {p.firstName} {p.lastName} · {formatPersonnummer(p.personnummer)} · {p.phone ?? ''}
                      </button>
                    </li>
                  ))}
                </ul>
              )
            ) : null}
            {registering ? (
              <PatientForm initialSearch={query} onCreated={(id) => void selectPatient(id)} />
            ) : (
              <button type="button" className="secondary" onClick={() => setRegistering(true)}>
                {t('newOrder.registerPatient')}
              </button>
            )}
          </>
        )}
      </section>

      <form onSubmit={(e) => void submit(e)} className="card" aria-labelledby="nl-h" noValidate>
        <h2 id="nl-h">{t('newOrder.lines')}</h2>
        <div className="field">
          <label htmlFor={pickId}>{t('newOrder.addFromPriceList')}</label>
          <select id={pickId} value="" onChange={(e) => addItem(e.target.value)} data-testid="price-pick">
            <option value="">{t('newOrder.pickItem')}</option>
            {priceList.map((p) => (
              <option key={p.id} value={p.id}>
                {p.code} {p.name} – {i18n.money(p.unitPrice)} ({t(`vat.${p.vatCode}` as MessageKey)})
              </option>
            ))}
          </select>
        </div>
        {lines.length > 0 ? (
          <table className="lines">
            <thead>
              <tr>
                <th>{t('newOrder.description')}</th>
                <th>{t('newOrder.quantity')}</th>
                <th>{t('newOrder.unitPrice')}</th>
                <th>{t('newOrder.discount')}</th>
                <th>{t('newOrder.vat')}</th>
                <th>{t('newOrder.clinician')}</th>
                <th className="num">{t('newOrder.lineTotal')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {lines.map((l, i) => {
                const c = checks[i]!;
                const err = (name: 'quantity' | 'unitPrice' | 'discount', server: string) => (c.errors[name] ? t(c.errors[name]) : serverLineError(i, server));
                return (
                  <tr key={l.key} data-testid="order-line">
                    <td>
                      <input aria-label={t('newOrder.description')} value={l.description} onChange={(e) => setLine(l.key, { description: e.target.value })} />
                    </td>
                    <td>
                      <LineInput label={t('newOrder.quantity')} name="quantity" value={l.quantity} error={err('quantity', 'quantity')} onChange={(v) => setLine(l.key, { quantity: v })} inputMode="numeric" />
                    </td>
                    <td>
                      <LineInput label={t('newOrder.unitPrice')} name="unitPrice" value={l.unitPrice} error={err('unitPrice', 'unitPrice')} onChange={(v) => setLine(l.key, { unitPrice: v })} inputMode="decimal" />
                    </td>
                    <td>
                      <LineInput label={t('newOrder.discount')} name="discount" value={l.discount} error={err('discount', 'discountBp')} onChange={(v) => setLine(l.key, { discount: v })} inputMode="decimal" />
                    </td>
                    <td>{t(`vat.${l.vatCode}` as MessageKey)}</td>
                    <td>
                      <input aria-label={t('newOrder.clinician')} value={l.clinician} placeholder={clinician} onChange={(e) => setLine(l.key, { clinician: e.target.value })} />
                    </td>
                    <td className="num">{c.amount != null ? i18n.money(c.amount) : '—'}</td>
                    <td>
                      <button type="button" className="link" onClick={() => setLines((prev) => prev.filter((x) => x.key !== l.key))}>
                        {t('common.remove')}
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        ) : null}
        <div className="row">
          <Field label={t('newOrder.clinician')} name="clinician" value={clinician} onChange={(e) => setClinician(e.target.value)} />
          <Field label={t('newOrder.note')} name="note" value={note} onChange={(e) => setNote(e.target.value)} className="grow" />
        </div>
        <dl className="totals" data-testid="totals" aria-live="polite">
          {totals.rows.map((r) => (
            <div key={r.vatCode}>
              <dt>{r.vatCode === 'exempt' ? t('newOrder.exemptAmount') : `${t('newOrder.vat')} ${t(`vat.${r.vatCode}` as MessageKey)}`}</dt>
              <dd>
                {i18n.money(r.gross)}
                {r.vat > 0 ? ` (${t('newOrder.vatAmount')} ${i18n.money(vatOfGross(r.gross, r.vatCode))})` : ''}
              </dd>
            </div>
          ))}
          <div className="grand">
            <dt>{t('newOrder.totals')}</dt>
            <dd data-testid="grand-total">{i18n.money(totals.total.gross)}</dd>
          </div>
        </dl>
        {formError ? <Notice kind="warn">{t(formError)}</Notice> : null}
        <ErrorBox error={error} />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t('newOrder.saving') : t('newOrder.submit')}
        </button>
      </form>
    </div>
  );
}

function LineInput(props: { label: string; name: string; value: string; error: string | null | undefined; onChange: (v: string) => void; inputMode: 'numeric' | 'decimal' }) {
  const id = useId();
  return (
    <div className={props.error ? 'cell-error' : ''}>
      <input id={id} name={props.name} aria-label={props.label} value={props.value} inputMode={props.inputMode} aria-invalid={props.error ? true : undefined} aria-describedby={props.error ? `${id}-e` : undefined} onChange={(e) => props.onChange(e.target.value)} />
      {props.error ? (
        <div id={`${id}-e`} className="msg msg-error" role="alert">
          {props.error}
        </div>
      ) : null}
    </div>
  );
}
