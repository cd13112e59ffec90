import type { PendingFacts } from '../../../src-shared/api';
import { useI18n } from '../../ui/i18n';

/** Outbox and job facts next to a status: not statuses themselves (domain.md). */
export function PendingTags({ pending }: { pending: PendingFacts }) {
  const { t } = useI18n();
  return (
    <>
      {pending.sync === 'pending' ? <span className="tag tag-pending" data-testid="pending-sync">{t('pending.sync')}</span> : null}
      {pending.sync === 'rejected' ? <span className="tag tag-bad">{t('pending.rejected')}</span> : null}
      {pending.provider === 'pending' ? <span className="tag tag-pending">{t('pending.provider')}</span> : null}
      {pending.provider === 'failed' ? <span className="tag tag-bad">{t('pending.providerFailed')}</span> : null}
      {pending.provider === 'dead' ? <span className="tag tag-bad">{t('pending.providerDead')}</span> : null}
    </>
  );
}
