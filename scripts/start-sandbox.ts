/** The provider simulators for e2e runs; prints {"event":"sandbox", ...SandboxUrls}. */
import { startSandbox, DEMO_ACCOUNT, DEMO_MERCHANT } from '../src-sandbox/index';
import type { SandboxUrls } from './start-desk';

export async function startDemoSandbox(fast = false) {
  const sandbox = await startSandbox(fast ? { paynova: { eventHookRetryIntervalMs: 50 }, twilio: { stepMs: 100 } } : {});
  const urls: SandboxUrls = {
    paynovaUrl: sandbox.paynova.url,
    twilioUrl: sandbox.twilio.url,
    geopluginUrl: sandbox.geoplugin.url,
    credentials: {
      merchantId: DEMO_MERCHANT.merchantId, apiPassword: DEMO_MERCHANT.apiPassword, secretKey: DEMO_MERCHANT.secretKey,
      accountSid: DEMO_ACCOUNT.accountSid, authToken: DEMO_ACCOUNT.authToken,
    },
  };
  return { sandbox, urls };
}

if (process.argv[1]?.endsWith('start-sandbox.ts')) {
  const { sandbox, urls } = await startDemoSandbox(process.argv.includes('--fast'));
  process.stdout.write(`${JSON.stringify({ event: 'sandbox', ...urls })}\n`);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void sandbox.close().then(() => process.exit(0)));
}
