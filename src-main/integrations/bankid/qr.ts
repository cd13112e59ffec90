import { createHmac } from 'node:crypto';

/**
 * The animated QR (integrations.md §4). Computed in main because it needs qrStartSecret, which the
 * renderer must never hold: the renderer only gets the finished text to draw.
 */

/** lowerhex(HMAC-SHA256(key = ascii(qrStartSecret), msg = ascii(qrTime))). */
export function qrAuthCode(qrStartSecret: string, qrTime: number): string {
  return createHmac('sha256', Buffer.from(qrStartSecret, 'ascii')).update(Buffer.from(String(qrTime), 'ascii')).digest('hex');
}

/** bankid.{qrStartToken}.{qrTime}.{qrAuthCode} */
export function animatedQrText(qrStartToken: string, qrStartSecret: string, qrTime: number): string {
  return `bankid.${qrStartToken}.${qrTime}.${qrAuthCode(qrStartSecret, qrTime)}`;
}

/** Whole seconds since the auth response arrived. */
export function qrTimeAt(authResponseAt: number, now: number): number {
  return Math.max(0, Math.floor((now - authResponseAt) / 1000));
}

/** Same-device start: the desk opens this so the BankID app on this computer picks the order up. */
export function autoStartUrl(autoStartToken: string): string {
  return `bankid:///?autostarttoken=${encodeURIComponent(autoStartToken)}&redirect=null`;
}
