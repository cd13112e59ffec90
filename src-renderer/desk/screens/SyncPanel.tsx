import { useCallback, useEffect, useState } from 'react';
import type { JobView, OutboxEntry, SyncStatus } from '../../../src-shared/api';
import { ErrorBox, Notice, useApi } from '../../ui/components';
import { useI18n, type MessageKey } from '../../ui/i18n';
import { pullProgress } from '../sync-progress';

export function SyncPanel() {
  const api = useApi();
  const i18n = useI18n();
  const { t } = i18n;
  const [status, setStatus] = useState<SyncStatus | null>(null);
  const [outbox, setOutbox] = useState<OutboxEntry[]>([]);
  const [jobs, setJobs] = useState<JobView[]>([]);
  const [dead, setDead] = useState<JobView[]>([]);
  const [error, setError] = useState<unknown>(null);

  const load = useCallback(async () => {
    try {
      const [s, o, j, d] = await Promise.all([
        api['sync.status']({}),
        api['sync.outbox']({}),
        api['jobs.list']({ status: 'active' }),
        api['jobs.list']({ status: 'dead' }),
      ]);
      setStatus(s);
      setOutbox(o);
      setJobs(j);
      setDead(d);
    } catch (e) {
      setError(e);
    }
  }, [api]);
  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), 2000);
    return () => clearInterval(timer);
  }, [load]);

  const pending = outbox.filter((o) => o.state === 'pending');
  const rejected = outbox.filter((o) => o.state === 'rejected');
  const act = (p: Promise<unknown>) => p.then(() => (setError(null), load()), setError);
  const pull = status ? pullProgress(status.activity) : null;

  return (
    <div className="screen sync">
      <div className="screen-head">
        <h1>{t('sync.title')}</h1>
        <span className="spacer" />
        <button type="button" className="primary" onClick={() => void act(api['sync.now']({}))}>{t('sync.now')}</button>
      </div>
      <ErrorBox error={error} />
      {status ? (
        <section className="card" data-testid="sync-status">
          <p>
            <strong className={`sync-${status.state}`}>{t(`sync.state.${status.state}` as MessageKey)}</strong>
            {status.serverUrl ? <span className="muted"> · {status.serverUrl}</span> : null}
            <br />
            {t('sync.lastSync')}: {status.lastSyncAt ? i18n.dateTime(status.lastSyncAt) : t('sync.never')}
          </p>
          {status.lastError ? <Notice kind="warn">{status.lastError}</Notice> : null}
          {status.activityUpload.refused ? (
            <div className="msg msg-error" role="alert" data-testid="activity-refused">
              {t('sync.activityRefused')} <span className="muted">{status.activityUpload.refused}</span>
            </div>
          ) : null}
          {status.activityUpload.pending > 0 ? <p className="muted" data-testid="activity-pending">{t('sync.activityPending', { count: i18n.count(status.activityUpload.pending) })}</p> : null}
          {status.progress ? (
            <div className="progress">
              <label>{status.progress.label}</label>
              <progress value={status.progress.done} max={status.progress.total ?? undefined} />
              <span>{status.progress.done}{status.progress.total ? ` / ${status.progress.total}` : ''}</span>
            </div>
          ) : null}
          {pull ? (
            <div className="progress" data-testid="sync-pull-progress">
              <label htmlFor="sync-pull-progress">{t('sync.pulling', { done: i18n.count(pull.done), total: i18n.count(pull.total) })}</label>
              <progress id="sync-pull-progress" value={pull.done} max={pull.total} />
            </div>
          ) : null}
        </section>
      ) : null}
      <section className="card">
        <h2>{t('sync.pending')} ({pending.length})</h2>
        {pending.length === 0 ? <p className="muted">{t('sync.nonePending')}</p> : (
          <ul className="outbox">
            {pending.map((o) => <li key={o.mutationId}><code>{o.name}</code> {o.subject ?? ''} <time className="muted">{i18n.dateTime(o.clientTime)}</time></li>)}
          </ul>
        )}
      </section>
      <section className="card" data-testid="rejected">
        <h2>{t('sync.rejected')} ({rejected.length})</h2>
        {rejected.length === 0 ? <p className="muted">{t('sync.noneRejected')}</p> : rejected.map((o) => <RejectedItem key={o.mutationId} entry={o} onAct={act} />)}
      </section>
      <section className="card">
        <h2>{t('sync.jobs')} ({jobs.length})</h2>
        <JobList jobs={jobs} onRetry={(id) => void act(api['jobs.retry']({ id }))} />
        <h2>{t('sync.jobsDead')} ({dead.length})</h2>
        <JobList jobs={dead} onRetry={(id) => void act(api['jobs.retry']({ id }))} />
      </section>
    </div>
  );
}

function RejectedItem({ entry, onAct }: { entry: OutboxEntry; onAct: (p: Promise<unknown>) => Promise<unknown> }) {
  const api = useApi();
  const i18n = useI18n();
  const { t } = i18n;
  const [text, setText] = useState(() => JSON.stringify(entry.payload, null, 2));
  const [reason, setReason] = useState('');
  const [parseError, setParseError] = useState<string | null>(null);
  const fix = () => {
    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch (e) {
      return setParseError(e instanceof Error ? e.message : String(e));
    }
    setParseError(null);
    void onAct(api['sync.fixRejected']({ mutationId: entry.mutationId, payload }));
  };
  return (
    <article className="rejected-item">
      <p>
        <code>{entry.name}</code> {entry.subject ?? ''} · <time>{i18n.dateTime(entry.clientTime)}</time>
      </p>
      <Notice kind="warn">{t('error.rejectedBy', { reason: entry.reason ?? entry.code ?? '?' })}{entry.field ? ` (${entry.field})` : ''}</Notice>
      <div className="field">
        <label htmlFor={`p-${entry.mutationId}`}>{t('sync.payload')}</label>
        <textarea id={`p-${entry.mutationId}`} rows={6} className="mono" value={text} onChange={(e) => setText(e.target.value)} />
        {parseError ? <div className="msg msg-error" role="alert">{parseError}</div> : null}
      </div>
      <div className="actions">
        <button type="button" className="primary" onClick={fix}>{t('sync.fix')}</button>
        <input aria-label={t('sync.discardReason')} placeholder={t('sync.discardReason')} value={reason} onChange={(e) => setReason(e.target.value)} />
        <button type="button" className="danger" onClick={() => void onAct(api['sync.discardRejected']({ mutationId: entry.mutationId, reason }))}>{t('sync.discard')}</button>
      </div>
    </article>
  );
}

function JobList({ jobs, onRetry }: { jobs: JobView[]; onRetry: (id: string) => void }) {
  const i18n = useI18n();
  const { t } = i18n;
  if (jobs.length === 0) return <p className="muted">{t('common.none')}</p>;
  return (
    <ul className="jobs">
      {jobs.map((j) => (
        <li key={j.id}>
          <code>{j.kind}</code> {j.subject ?? ''} <span className={`tag job-${j.status}`}>{t(`job.${j.status}` as MessageKey)}</span>{' '}
          {t('sync.attempts', { attempts: j.attempts, max: j.maxAttempts })}
          {j.lastError ? <div className="msg msg-error">{j.lastError}</div> : null}
          {j.status === 'dead' || j.status === 'failed' ? <button type="button" onClick={() => onRetry(j.id)}>{t('sync.retry')}</button> : null}
        </li>
      ))}
    </ul>
  );
}
