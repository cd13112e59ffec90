/** The provider simulators for e2e runs; prints {"event":"sandbox", ...SandboxUrls}. */
import { startBankIdSimulator, type BankIdSimulator } from '../src-sandbox/bankid/index';
import { startSandbox, DEMO_ACCOUNT, DEMO_MERCHANT } from '../src-sandbox/index';
import type { SandboxUrls } from './start-desk';

/** BankID needs a throwaway PKI made with openssl; without one the other simulators still serve. */
async function startBankIdSandbox(): Promise<BankIdSimulator | null> {
  try {
    return await startBankIdSimulator({ port: 0 });
  } catch (e) {
    process.stderr.write(`BankID simulator not started: ${e instanceof Error ? e.message : String(e)}\n`);
    return null;
  }
}

export async function startDemoSandbox(fast = false) {
  const providers = await startSandbox(fast ? { paynova: { eventHookRetryIntervalMs: 50 }, twilio: { stepMs: 100 } } : {});
  const bankid = await startBankIdSandbox();
  const sandbox = {
    ...providers,
    bankid,
    async close() {
      await Promise.allSettled([providers.close(), bankid?.close()]);
    },
  };
  const urls: SandboxUrls = {
    paynovaUrl: sandbox.paynova.url,
    twilioUrl: sandbox.twilio.url,
    geopluginUrl: sandbox.geoplugin.url,
    credentials: {
      merchantId: DEMO_MERCHANT.merchantId, apiPassword: DEMO_MERCHANT.apiPassword, secretKey: DEMO_MERCHANT.secretKey,
      accountSid: DEMO_ACCOUNT.accountSid, authToken: DEMO_ACCOUNT.authToken,
    },
    // The simulator's throwaway relying-party certificate: the desk puts it in its keychain, the
    // e2e tests drive the simulator's control API with it (it speaks only mutual TLS).
    bankid: bankid ? { url: bankid.url, origin: bankid.origin, ca: bankid.ca, clientPfx: bankid.clientPfx.toString('base64'), passphrase: bankid.passphrase } : null,
  };
  return { sandbox, urls };
}

if (process.argv[1]?.endsWith('start-sandbox.ts')) {
  const { sandbox, urls } = await startDemoSandbox(process.argv.includes('--fast'));
  process.stdout.write(`${JSON.stringify({ event: 'sandbox', ...urls })}\n`);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void sandbox.close().then(() => process.exit(0)));
}
