import { DeskServiceSettings, SERVICE_SETTINGS_ENTITY_ID, type SmsTemplateName } from '../../src-shared/schemas/accounts';
import type { InstallmentMonths } from '../../src-shared/schemas/enums';
import { validateSmsTemplate, type ProviderSettings, type SmsTemplateKey } from '../../src-shared/schemas/providers';
import type { PlanTerms } from '../services/invoices';
import { feedEntity, type CoreDeps } from './deps';

/**
 * The central service settings as this desk last pulled them (the system administrator edits them
 * in the console). Until the first pull, or if the document cannot be read, the service defaults
 * apply: the same values the server starts with.
 */
export function centralSettings(deps: CoreDeps): DeskServiceSettings {
  const parsed = DeskServiceSettings.safeParse(feedEntity(deps, 'service_settings', SERVICE_SETTINGS_ENTITY_ID));
  return parsed.success ? parsed.data : DeskServiceSettings.parse({});
}

/** The installment terms the service offers now, and their pricing (the same for every term). */
export function installmentOffer(settings: DeskServiceSettings): { months: readonly InstallmentMonths[]; terms: (months: number) => PlanTerms } {
  const { months, annualInterestBp, setupFee, monthlyFee } = settings.installments;
  return { months: [...months].sort((a, b) => a - b), terms: () => ({ annualInterestBp, setupFee, monthlyFee }) };
}

// The console names two templates differently from the desk's SMS catalogue.
const DESK_KEY: Record<SmsTemplateName, SmsTemplateKey> = {
  invoice_issued: 'invoice_issued',
  payment_received: 'payment_received',
  plan_started: 'installment_plan_started',
  reminder: 'reminder_before_due',
  overdue: 'overdue',
  cancelled: 'cancelled',
  credited: 'credited',
};

/**
 * The SMS templates a desk sends with: the clinic's own override first, then the central template,
 * then the desk's built-in text. A central template that uses a placeholder the desk's catalogue
 * does not allow for that message (e.g. {invoiceNumber}) is left out, so a console edit can never
 * put something into an SMS the whitelist forbids, nor stop the desk from sending.
 */
export function smsTemplateOverrides(settings: DeskServiceSettings, clinic: ProviderSettings['sms']['templates']): ProviderSettings['sms']['templates'] {
  const out: ProviderSettings['sms']['templates'] = {};
  for (const [name, text] of Object.entries(settings.smsTemplates) as [SmsTemplateName, { sv: string; en: string }][]) {
    const key = DESK_KEY[name];
    for (const language of ['sv', 'en'] as const) {
      if (validateSmsTemplate(key, text[language]).length === 0) out[key] = { ...out[key], [language]: text[language] };
    }
  }
  for (const [key, byLanguage] of Object.entries(clinic) as [SmsTemplateKey, Record<string, string>][]) out[key] = { ...out[key], ...byLanguage };
  return out;
}
