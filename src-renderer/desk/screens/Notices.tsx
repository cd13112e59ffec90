import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { DeskApi, NoticeView } from '../../../src-shared/api';
import { ErrorBox, Modal, StatusBadge, useApi } from '../../ui/components';
import { useI18n, type MessageKey } from '../../ui/i18n';
import { href } from '../router';

/** How many central-office requests wait for a person: the navigation shows it as a badge. */
export function useOpenNoticeCount(api: DeskApi, enabled: boolean): number {
  const [count, setCount] = useState(0);
  useEffect(() => {
    if (!enabled) return;
    let alive = true;
    const tick = () =>
      api['notices.list']({ openOnly: true })
        .then((n) => alive && setCount(n.length))
        .catch(() => undefined);
    void tick();
    const timer = setInterval(tick, 3000);
    return () => {
      alive = false;
      clearInterval(timer);
    };
  }, [api, enabled]);
  return enabled ? count : 0;
}

/** "Centralen begär makulering: <reason>, <comment>. Begärt av <name>, <when>." */
export function useRequestText(): (n: NoticeView) => string {
  const i18n = useI18n();
  return (n) =>
    i18n.t('notices.banner', {
      reason: i18n.t(`reason.${n.reason}` as MessageKey),
      comment: n.note ? `, ${n.note}` : '',
      name: n.requestedByName,
      at: i18n.dateTime(n.at),
    });
}

export function Notices() {
  const api = useApi();
  const i18n = useI18n();
  const { t } = i18n;
  const [notices, setNotices] = useState<NoticeView[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = useCallback(() => api['notices.list']({}).then((n) => (setNotices(n), setError(null)), setError), [api]);
  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), 3000);
    return () => clearInterval(timer);
  }, [load]);
  const text = useRequestText();
  if (!notices) return <div className="screen">{error ? <ErrorBox error={error} /> : t('common.loading')}</div>;
  const open = notices.filter((n) => n.open);
  const rest = notices.filter((n) => !n.open);
  const table = (rows: NoticeView[], testId: string) => (
    <table className="list" data-testid={testId}>
      <thead>
        <tr><th>{t('notices.order')}</th><th>{t('notices.requested')}</th><th>{t('notices.state')}</th></tr>
      </thead>
      <tbody>
        {rows.map((n) => (
          <tr key={n.id}>
            <td><a href={href({ name: 'order', id: n.orderId })}>{n.orderNumber}</a> {n.orderStatus ? <StatusBadge status={n.orderStatus} /> : null}</td>
            <td>{text(n)}</td>
            <td>
              {n.handledAt
                ? t('notices.stateHandled', { at: i18n.dateTime(n.handledAt), name: n.handledByName ?? '—' })
                : n.open
                  ? t('notices.stateOpen')
                  : t('notices.stateSettled', { status: t(`status.${n.orderStatus ?? 'cancelled'}` as MessageKey).toLocaleLowerCase(i18n.language) })}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
  return (
    <div className="screen notices">
      <div className="screen-head"><h1>{t('notices.title')}</h1></div>
      <ErrorBox error={error} />
      {notices.length === 0 ? <p className="muted">{t('notices.none')}</p> : null}
      {open.length > 0 ? (
        <section className="card">
          <h2>{t('notices.open')}</h2>
          {table(open, 'notices-open')}
        </section>
      ) : null}
      {rest.length > 0 ? (
        <section className="card">
          <h2>{t('notices.handledList')}</h2>
          {table(rest, 'notices-handled')}
        </section>
      ) : null}
    </div>
  );
}

/** The person decides not to cancel: the request is marked handled with the reason why. */
export function DeclineDialog({ notice, onClose, onDone }: { notice: NoticeView; onClose: () => void; onDone: () => void }) {
  const api = useApi();
  const { t } = useI18n();
  const [note, setNote] = useState('');
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await api['notices.handle']({ id: notice.id, outcome: 'declined', note });
      onDone();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <Modal title={t('notices.declineTitle')} onClose={onClose}>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <div className="field">
          <label htmlFor="decline-note">{t('notices.declineNote')} *</label>
          <textarea id="decline-note" value={note} maxLength={500} aria-required="true" onChange={(e) => setNote(e.target.value)} />
        </div>
        <ErrorBox error={error} />
        <div className="actions">
          <button type="button" onClick={onClose}>{t('common.close')}</button>
          <button type="submit" className="primary">{t('notices.declineSubmit')}</button>
        </div>
      </form>
    </Modal>
  );
}
