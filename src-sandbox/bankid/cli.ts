/**
 * The BankID simulator alone: `npx tsx src-sandbox/bankid/cli.ts`. SANDBOX_BANKID_PORT (default
 * 4804) and SANDBOX_BANKID_PKI_DIR (default: a new temp dir) say where it listens and where the
 * throwaway CA, server and relying-party certificates are written for the desk to use.
 */
import { mkdir } from 'node:fs/promises';
import { describeBankIdSimulator } from './describe';
import { createBankIdTestPki } from './pki';
import { startBankIdSimulator } from './server';

const rawPort = process.env.SANDBOX_BANKID_PORT ?? '4804';
const port = Number(rawPort);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`SANDBOX_BANKID_PORT=${rawPort} is not a port number (0–65535).`);
  process.exit(2);
}
const dir = process.env.SANDBOX_BANKID_PKI_DIR;
if (dir) await mkdir(dir, { recursive: true });
const pki = await createBankIdTestPki(dir ? { dir } : {});
const sim = await startBankIdSimulator({ port, tls: pki });
console.log(`${describeBankIdSimulator({ ...sim, pki })}\nCtrl-C stops.`);

const stop = async () => {
  await sim.close();
  await pki.dispose();
  process.exit(0);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
