/**
 * JSON.stringify with every character outside ASCII written as a \u escape. The same JSON value,
 * but the receiver decodes the bytes on its fast ASCII path: a push body with Swedish names took
 * the sync server ~0.4 ms per 110 KB to decode from UTF-8, against ~0.03 ms for ASCII (Node 20),
 * and the server decodes every push while the desk sends one now and then.
 */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(NON_ASCII, escape);
}

const NON_ASCII = /[\u0080-\uffff]/g;
const escape = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
