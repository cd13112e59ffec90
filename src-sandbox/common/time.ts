/** Paynova's timestamp format in event hooks and order info: "2016-11-06 12:22:19Z" (UTC). */
export function paynovaTimestamp(date: Date): string {
  return date.toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');
}

/** Twilio's date format (RFC 2822): "Wed, 18 Aug 2010 20:01:40 +0000". */
export function rfc2822(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
