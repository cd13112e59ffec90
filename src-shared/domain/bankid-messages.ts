/**
 * BankID's recommended user messages ("RFA" texts) for hint codes and errors, Swedish first.
 * Users recognise these texts from every other BankID login, so they are used verbatim rather than
 * re-worded. Hints BankID gives no RFA for (phone and risk related, new in v6.0) carry rfa: null and
 * our own wording. Shared: the desk's main process and the console both show them. UNSURE: the texts are reproduced from the RP guidelines, not diffed against the
 * current developers.bankid.com page.
 */
export type Language = 'sv' | 'en';

export interface UserMessage {
  readonly rfa: string | null;
  readonly sv: string;
  readonly en: string;
}

const INSTALL = 'https://install.bankid.com';

export const RFA = {
  RFA1: { rfa: 'RFA1', sv: 'Starta BankID-appen.', en: 'Start your BankID app.' },
  RFA2: { rfa: 'RFA2', sv: 'Du har inte BankID-appen installerad. Kontakta din bank.', en: 'The BankID app is not installed. Please contact your bank.' },
  RFA3: { rfa: 'RFA3', sv: 'Åtgärden avbruten. Försök igen.', en: 'Action cancelled. Please try again.' },
  RFA4: {
    rfa: 'RFA4',
    sv: 'En identifiering eller underskrift för det här personnumret är redan påbörjad. Försök igen.',
    en: 'An identification or signing for this personal number is already started. Please try again.',
  },
  RFA5: { rfa: 'RFA5', sv: 'Internt tekniskt fel. Försök igen.', en: 'Internal error. Please try again.' },
  RFA6: { rfa: 'RFA6', sv: 'Åtgärden avbruten.', en: 'Action cancelled.' },
  RFA8: {
    rfa: 'RFA8',
    sv: 'BankID-appen svarar inte. Kontrollera att den är startad och att du har internetanslutning. Om du inte har något giltigt BankID kan du skaffa ett hos din bank. Försök sedan igen.',
    en: "The BankID app is not responding. Please check that it's started and that you have internet access. If you don't have a valid BankID you can get one from your bank. Try again.",
  },
  RFA9: {
    rfa: 'RFA9',
    sv: 'Skriv in din säkerhetskod i BankID-appen och välj Identifiera eller Skriv under.',
    en: 'Enter your security code in the BankID app and select Identify or Sign.',
  },
  RFA13: { rfa: 'RFA13', sv: 'Försöker starta BankID-appen.', en: 'Trying to start your BankID app.' },
  RFA14A: {
    rfa: 'RFA14A',
    sv: 'Söker efter BankID, det kan ta en liten stund… Om det har gått några sekunder och inget BankID har hittats har du sannolikt inget BankID som går att använda för den aktuella identifieringen/underskriften i den här datorn. Om du har ett BankID-kort, sätt in det i kortläsaren. Om du inte har något BankID kan du skaffa ett hos din bank. Om du har ett BankID på en annan enhet kan du starta din BankID-app där.',
    en: "Searching for BankID, it may take a little while… If a few seconds have passed and still no BankID has been found, you probably don't have a BankID which can be used for this identification/signing on this computer. If you have a BankID card, please insert it into your card reader. If you don't have a BankID you can get one from your bank. If you have a BankID on another device you can start the BankID app on that device.",
  },
  RFA16: {
    rfa: 'RFA16',
    sv: 'Det BankID du försöker använda är för gammalt eller spärrat. Använd ett annat BankID eller skaffa ett nytt hos din bank.',
    en: 'The BankID you are trying to use is blocked or too old. Please use another BankID or get a new one from your bank.',
  },
  RFA17A: {
    rfa: 'RFA17A',
    sv: `BankID-appen verkar inte finnas i din dator eller telefon. Installera den och skaffa ett BankID hos din bank. Installera appen från din appbutik eller ${INSTALL}.`,
    en: `The BankID app couldn't be found on your computer or mobile device. Please install it and get a BankID from your bank. Install the app from your app store or ${INSTALL}.`,
  },
  RFA17B: {
    rfa: 'RFA17B',
    sv: `Misslyckades att läsa av QR-koden. Starta BankID-appen och läs av QR-koden. Kontrollera att BankID-appen är uppdaterad. Om du inte har BankID-appen måste du installera den och skaffa ett BankID hos din bank. Installera appen från din appbutik eller ${INSTALL}.`,
    en: `Failed to scan the QR code. Start the BankID app and scan the QR code. Check that the BankID app is up to date. If you don't have the BankID app, you need to install it and get a BankID from your bank. Install the app from your app store or ${INSTALL}.`,
  },
  RFA21: { rfa: 'RFA21', sv: 'Identifiering eller underskrift pågår.', en: 'Identification or signing in progress.' },
  RFA22: { rfa: 'RFA22', sv: 'Okänt fel. Försök igen.', en: 'Unknown error. Please try again.' },
  RFA23: { rfa: 'RFA23', sv: 'Fotografera och läs av din ID-handling med BankID-appen.', en: 'Process your machine-readable travel document using the BankID app.' },
} as const satisfies Record<string, UserMessage>;

/** Our own words where BankID recommends no RFA text we know of (UNSURE: check for newer RFAs). */
const OWN = {
  userCallConfirm: { rfa: null, sv: 'Bekräfta i BankID-appen att du pratar i telefon med oss.', en: 'Confirm in the BankID app that you are on a call with us.' },
  userDeclinedCall: { rfa: null, sv: 'Åtgärden avbröts eftersom du angav i BankID-appen att du inte pratar i telefon med oss.', en: 'Cancelled: you indicated in the BankID app that you are not on a call with us.' },
  notSupportedByUserApp: { rfa: null, sv: 'Din BankID-app behöver uppdateras för att kunna användas här. Uppdatera appen och försök igen.', en: 'Your BankID app must be updated to be used here. Update the app and try again.' },
  transactionRiskBlocked: { rfa: null, sv: 'BankID stoppade åtgärden av säkerhetsskäl. Försök igen senare eller kontakta din bank.', en: 'BankID stopped the action for security reasons. Try again later or contact your bank.' },
  complete: { rfa: null, sv: 'Identifieringen är klar.', en: 'Identification complete.' },
} as const satisfies Record<string, UserMessage>;

/** How the user started the order: decides between the QR and the same-device variants. */
export interface MessageContext {
  readonly sameDevice: boolean;
}

export function pendingMessage(hintCode: string | undefined, ctx: MessageContext): UserMessage {
  switch (hintCode) {
    case 'outstandingTransaction':
      return ctx.sameDevice ? RFA.RFA13 : RFA.RFA1;
    case 'noClient':
      return RFA.RFA1;
    case 'started':
      return RFA.RFA14A;
    case 'userMrtd':
      return RFA.RFA23;
    case 'userCallConfirm':
      return OWN.userCallConfirm;
    case 'userSign':
      return RFA.RFA9;
    default:
      return RFA.RFA21;
  }
}

export function failedMessage(hintCode: string | undefined, ctx: MessageContext): UserMessage {
  switch (hintCode) {
    case 'expiredTransaction':
      return RFA.RFA8;
    case 'certificateErr':
      return RFA.RFA16;
    case 'userCancel':
      return RFA.RFA6;
    case 'cancelled':
      return RFA.RFA3;
    case 'startFailed':
      return ctx.sameDevice ? RFA.RFA17A : RFA.RFA17B;
    case 'userDeclinedCall':
      return OWN.userDeclinedCall;
    case 'notSupportedByUserApp':
      return OWN.notSupportedByUserApp;
    case 'transactionRiskBlocked':
      return OWN.transactionRiskBlocked;
    default:
      return RFA.RFA22;
  }
}

export const completeMessage = (): UserMessage => OWN.complete;
export const abortedMessage = (): UserMessage => RFA.RFA6;
