/** `npm run sandbox`: every simulator on fixed ports, with what a person needs to demo. */
import { mkdir } from 'node:fs/promises';
import { createBankIdTestPki, describeBankIdSimulator, startBankIdSimulator } from './bankid/index';
import { startSandbox } from './index';

function port(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65_535) {
    console.error(`${name}=${raw} is not a port number (0–65535).`);
    process.exit(2);
  }
  return n;
}

const sandbox = await startSandbox({
  ports: {
    paynova: port('SANDBOX_PAYNOVA_PORT', 4801),
    twilio: port('SANDBOX_TWILIO_PORT', 4802),
    geoplugin: port('SANDBOX_GEOPLUGIN_PORT', 4803),
  },
});

/** BankID needs a throwaway PKI (openssl); if that fails the other simulators still serve the demo. */
async function startBankId() {
  try {
    const dir = process.env.SANDBOX_BANKID_PKI_DIR;
    if (dir) await mkdir(dir, { recursive: true });
    const pki = await createBankIdTestPki(dir ? { dir } : {});
    const sim = await startBankIdSimulator({ port: port('SANDBOX_BANKID_PORT', 4804), tls: pki });
    return {
      text: describeBankIdSimulator({ ...sim, pki }),
      async close() {
        await sim.close();
        await pki.dispose();
      },
    };
  } catch (e) {
    return { text: `BankID     not started: ${e instanceof Error ? e.message : String(e)}`, close: async () => {} };
  }
}
const bankid = await startBankId();

const { paynova, twilio, geoplugin } = sandbox;
console.log(`Kassa provider sandbox (loopback only, state in memory)

Paynova    ${paynova.url}
  merchant id   ${paynova.merchant.merchantId}
  API password  ${paynova.merchant.apiPassword}
  secret key    ${paynova.merchant.secretKey}
  control       ${paynova.url}/__control/state
                POST /__control/webhook {"url":"http://127.0.0.1:PORT/hooks/paynova"}
                POST /__control/orders/{orderId}/pay | /installments {"months":12} | /fail {"reason":"insufficient_funds"} | /overdue
                POST /__control/credit-check {"governmentId":"191212121212","outcome":"refuse"}

Twilio     ${twilio.url}   (twilio SDK: client.api.baseUrl = "${twilio.url}")
  account SID   ${twilio.account.accountSid}
  auth token    ${twilio.account.authToken}
  control       ${twilio.url}/__control/state
                POST /__control/next-outcome {"to":"+46701234567","outcome":"undelivered","errorCode":30003}

geoPlugin  ${geoplugin.url}/json.gp?ip=…
  control       ${geoplugin.url}/__control/state
                POST /__control/ips {"ip":"1.2.3.4","countryCode":"NG"}   POST /__control/rate-limit {"perMinute":120}

${bankid.text}

Paynova, Twilio, geoPlugin: GET /__control/requests, POST /__control/faults {"route":"^/orders","kind":"http5xx"}, POST /__control/reset
Ctrl-C stops.`);

const stop = async () => {
  await Promise.allSettled([sandbox.close(), bankid.close()]);
  process.exit(0);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
