/**
 * How many SMS segments Twilio bills a body as: GSM-7 when every character is in the GSM 03.38
 * basic set or its extension (extension characters take two septets), else UCS-2. Swedish å ä ö
 * Å Ä Ö are in the basic set, so ordinary Swedish text stays GSM-7.
 */
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENSION = '^{}\\[~]|€\f';
const basic = new Set(GSM_BASIC);
const extension = new Set(GSM_EXTENSION);

export function countSegments(body: string): number {
  const chars = [...body];
  if (chars.every((c) => basic.has(c) || extension.has(c))) {
    const septets = chars.reduce((n, c) => n + (extension.has(c) ? 2 : 1), 0);
    return septets <= 160 ? 1 : Math.ceil(septets / 153);
  }
  // UCS-2 counts UTF-16 code units: an emoji takes two.
  const units = body.length;
  return units <= 70 ? 1 : Math.ceil(units / 67);
}
