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
    default:
      break;
  }
  return out;
}
