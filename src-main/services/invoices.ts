import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import { z } from 'zod';
import { todayIn } from '../../src-shared/domain/dates';
import { buildPlan, invoice14, type InstallmentPlan } from '../../src-shared/domain/installments';
import { InvoiceIssue } from '../../src-shared/schemas/commands';
import { Id, InstallmentPlanRecord, type Invoice } from '../../src-shared/schemas/entities';
import { InstallmentMonths, PaymentOption, type OrderStatus } from '../../src-shared/schemas/enums';
import { dateSchema } from '../../src-shared/domain/dates';
import type { Db } from '../db/activity-chain';
import type { LocalStore } from '../db/open';
import { installmentPlanToRow, invoiceToRow, paymentColumns, rowToInstallmentPlan, rowToInvoice } from '../db/queries/mappers';
import type { InvoiceTable } from '../db/tables/core';
import type { Actor } from './actor';
import { parseInput, serviceError, validationError, type ServiceResult } from './errors';
import { allocateInvoiceNumber } from './invoice-series';
import { checkMove, loadOrderRow } from './orders';
import type { WriteOutcome } from './patients';
import { commitCommand, refuse, runWrite, type WriteOptions } from './write';

/** What the desk asks for; the number, OCR and due date are the store's to derive. */
export const IssueInvoiceRequest = z
  .object({
    orderId: Id,
    invoiceId: Id.optional(),
    paymentOption: PaymentOption,
    /** Default: today in Stockholm. */
    issueDate: dateSchema.optional(),
  })
  .strict();
export type IssueInvoiceRequest = z.input<typeof IssueInvoiceRequest>;

/** Plan pricing per term; a system-admin setting in production, passed in by the caller. */
export interface PlanTerms {
  annualInterestBp: number;
  setupFee: number;
  monthlyFee: number;
}
export const DEFAULT_PLAN_TERMS: PlanTerms = { annualInterestBp: 0, setupFee: 29_500, monthlyFee: 3_900 };

export interface IssueOptions extends WriteOptions<IssuedInvoice> {
  planTerms?: (months: number) => PlanTerms;
}

export interface IssuedInvoice extends WriteOutcome {
  invoice: Invoice;
  plan: InstallmentPlanRecord | null;
  status: OrderStatus;
}

/**
 * invoice.issue: in ONE transaction, takes the next number of this device's series, computes the
 * OCR reference and the due date (14 days, or the first installment), builds the installment plan
 * when chosen, moves the order draft → invoiced through the state machine, and records the
 * mutation (the full InvoiceIssue command, derived values included) and the activity record.
 */
export async function issueInvoice(store: LocalStore, actor: Actor, input: unknown, options: IssueOptions = {}): Promise<ServiceResult<IssuedInvoice>> {
  const parsed = parseInput(IssueInvoiceRequest, input);
  if (!parsed.ok) return parsed;
  const request = parsed.value;
  const option = request.paymentOption;
  if (option.kind === 'installments' && !InstallmentMonths.safeParse(option.months).success) {
    return { ok: false, error: serviceError('validation', 'paymentOption.months: must be 3, 6, 12, 18 or 24', 'paymentOption.months') };
  }
  const now = options.now ?? new Date();
  const issueDate = request.issueDate ?? todayIn('Europe/Stockholm', now);
  const terms = options.planTerms ?? (() => DEFAULT_PLAN_TERMS);

  return runWrite(store, async (trx) => {
    const row = await loadOrderRow(trx, actor, request.orderId, 'orderId');
    const next = checkMove(row, { type: 'issue' }, now, 'orderId');
    if (row.total <= 0) refuse(serviceError('validation', 'orderId: an order of 0 kr cannot be invoiced', 'orderId'));

    let plan: InstallmentPlan | null = null;
    let dueDate: string;
    if (option.kind === 'installments') {
      const t = terms(option.months);
      const built = buildPlan({ principal: row.total, months: option.months, ...t, startDate: issueDate });
      if (!built.ok) return refuse(serviceError('validation', `paymentOption: ${built.error.message}`, 'paymentOption', { reason: built.error.code }));
      plan = built.value;
      dueDate = plan.payments[0]!.dueDate;
    } else {
      dueDate = invoice14(row.total, issueDate).dueDate;
    }

    const number = await allocateInvoiceNumber(trx, actor, now);
    const commandParsed = InvoiceIssue.safeParse({
      orderId: row.id,
      invoiceId: request.invoiceId ?? randomUUID(),
      seriesId: number.seriesId,
      invoiceNumber: number.invoiceNumber,
      ocr: number.ocr,
      issueDate,
      dueDate,
      paymentOption: option,
    });
    if (!commandParsed.success) return refuse(validationError(commandParsed.error));
    const command = commandParsed.data;

    const invoice: Invoice = {
      id: command.invoiceId,
      orderId: row.id,
      clinicId: row.clinic_id,
      seriesId: command.seriesId,
      invoiceNumber: command.invoiceNumber,
      ocr: command.ocr,
      issueDate,
      dueDate,
      total: row.total,
      vatTotal: row.vat_total,
      paymentOption: option,
      providerOrderId: null,
      providerTransactionId: null,
    };
    await trx.insertInto('invoices').values(invoiceToRow(invoice, number.sequence, now.toISOString())).execute();

    let planRecord: InstallmentPlanRecord | null = null;
    if (plan && option.kind === 'installments') {
      const t = terms(option.months);
      planRecord = InstallmentPlanRecord.parse({
        orderId: row.id,
        months: option.months,
        annualInterestBp: t.annualInterestBp,
        setupFee: t.setupFee,
        monthlyFee: t.monthlyFee,
        monthlyAmount: plan.monthlyAmount,
        totalPayable: plan.totalPayable,
        effectiveAnnualRate: plan.effectiveAnnualRate,
        firstDueDate: dueDate,
      });
      await trx.insertInto('installment_plans').values(installmentPlanToRow(planRecord, plan.payments)).execute();
    }

    await trx
      .updateTable('orders')
      .set({
        status: next.status,
        status_reason: next.reason,
        activated_at: next.activatedAt,
        ...paymentColumns(option),
        invoice_id: invoice.id,
        invoice_number: invoice.invoiceNumber,
        issue_date: issueDate,
        due_date: dueDate,
        updated_at: now.toISOString(),
      })
      .where('id', '=', row.id)
      .execute();
    const m = await commitCommand(store, trx, actor, 'invoice.issue', command, `order:${row.id}`, { invoiceNumber: invoice.invoiceNumber, total: invoice.total, option: option.kind }, now,
    );
    return { invoice, plan: planRecord, status: next.status, mutationSeq: m.seq, mutationId: m.mutationId };
  }, options.also);
}

export async function getInvoiceForOrder(store: LocalStore, actor: Actor, orderId: string): Promise<{ invoice: Invoice; plan: InstallmentPlanRecord | null } | null> {
  return readInvoiceForOrder(store.db, actor, orderId);
}

/** getInvoiceForOrder on a given connection: inside a write's transaction (an `also` hook) pass its `trx`. */
export async function readInvoiceForOrder(db: Db, actor: Actor, orderId: string): Promise<{ invoice: Invoice; plan: InstallmentPlanRecord | null } | null> {
  const row: Selectable<InvoiceTable> | undefined = await db
    .selectFrom('invoices')
    .selectAll()
    .where('order_id', '=', orderId)
    .where('clinic_id', '=', actor.clinicId)
    .executeTakeFirst();
  if (!row) return null;
  const plan = await db.selectFrom('installment_plans').selectAll().where('order_id', '=', orderId).executeTakeFirst();
  return { invoice: rowToInvoice(row), plan: plan ? rowToInstallmentPlan(plan) : null };
}
