/**
 * The local entities a command changes optimistically, from its name and payload. Used to protect
 * an optimistic row from being overwritten by a pull while its mutation is still unanswered, and
 * to roll it back to the server's copy when the server rejects the mutation.
 */
export function touchedEntities(name: string, payload: unknown): { entity: string; id: string }[] {
  const p = (payload ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  const out: { entity: string; id: string }[] = [];
  const add = (entity: string, id: string | null) => {
    if (id) out.push({ entity, id });
  };
  switch (name) {
    case 'patient.create':
    case 'patient.update':
      add('patient', str(p.id));
      break;
    case 'order.create':
    case 'order.update_draft':
      add('order', str(p.id));
      break;
    case 'invoice.issue':
      add('order', str(p.orderId));
      add('invoice', str(p.invoiceId));
      break;
    case 'order.cancel':
    case 'order.credit':
      add('order', str(p.orderId));
      break;
    case 'notice.handle':
      add('notice', str(p.noticeId));
      break;
    default:
      break;
  }
  return out;
}

/**
 * The id of the money event a command writes optimistically on the desk, which the server records
 * under the same id (order.cancel: the mutation id; order.credit: the command's creditId). When the
 * server rejects the command, this event is voided on the desk.
 */
export function localMoneyEventId(name: string, mutationId: string, payload: unknown): string | null {
  if (name === 'order.cancel') return mutationId;
  if (name === 'order.credit') {
    const creditId = ((payload ?? {}) as Record<string, unknown>).creditId;
    return typeof creditId === 'string' ? creditId : null;
  }
  return null;
}
