/**
 * `npm start` (via scripts/start.mjs): the embedded sync server with the demo clinic, the provider
 * simulators when no real credentials are in the keychain, and one desk — in Electron when the
 * caller says it can run, otherwise in the browser host, whose URL is printed with the reason.
 */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { SecretStore } from '../src-main/secrets/secret-store';
import { describeBankIdSimulator } from '../src-sandbox/bankid/describe';
import { startDemoSandbox } from './start-sandbox';
import { startDesk } from './start-desk';
import { connectPaynovaSandbox, DEMO_SYSTEM_ADMIN, ROOT, startServer } from './start-server';

const dataDir = resolve(process.env.KASSA_DATA_DIR ?? join(ROOT, '.kassa-data'));
const electronReason = process.env.KASSA_NO_ELECTRON_REASON ?? null;
const say = (s: string) => process.stdout.write(`${s}\n`);

const server = await startServer({ dataDir: join(dataDir, 'server'), port: Number(process.env.KASSA_SERVER_PORT ?? 8787), desks: 1 });
say(`Sync server (SQLite, ${join(dataDir, 'server', 'server.sqlite')}): ${server.url}`);

const live = (await new SecretStore('Kassa').get('paynova.merchantId').catch(() => null)) !== null;
const sandbox = live ? null : await startDemoSandbox();
if (sandbox) await connectPaynovaSandbox(server, sandbox.urls);
say(sandbox ? `No provider credentials in the keychain: using the simulators (Paynova ${sandbox.urls.paynovaUrl}, Twilio ${sandbox.urls.twilioUrl}, geoPlugin ${sandbox.urls.geopluginUrl}).` : 'Provider credentials found in the keychain: live mode.');

say('\nDemo logins (username / password / PIN):');
for (const u of server.demo.users) say(`  ${u.username.padEnd(6)} ${u.password.padEnd(16)} ${u.pin}   ${u.displayName} (${u.role})${u.personnummer ? `, BankID ${u.personnummer}` : ''}`);
if (sandbox?.sandbox.bankid) {
  // The desk's BankID login goes to the simulator; a person completes the order as the BankID app would.
  say(`\n${describeBankIdSimulator(sandbox.sandbox.bankid)}`);
}
say(`\nConsole (central administrator): ${server.url}/console/\n  ${DEMO_SYSTEM_ADMIN.username.padEnd(6)} ${DEMO_SYSTEM_ADMIN.password.padEnd(16)} ${DEMO_SYSTEM_ADMIN.pin}   ${DEMO_SYSTEM_ADMIN.displayName} (system_admin)`);

const stops: (() => Promise<void>)[] = [async () => void (await sandbox?.sandbox.close()), () => server.app.close()];

if (electronReason === null) {
  const electronBin = process.env.KASSA_ELECTRON_BIN!;
  say('\nStarting the desk in Electron…');
  const child = spawn(electronBin, [join(ROOT, 'dist/electron/main.js')], {
    stdio: 'inherit',
    env: {
      ...process.env,
      KASSA_SYNC_URL: server.url,
      KASSA_ENROL_CODE: server.enrolmentCodes[0] ?? '',
      KASSA_SANDBOX: sandbox ? JSON.stringify(sandbox.urls) : '',
    },
  });
  child.on('exit', () => void Promise.all(stops.map((s) => s())).then(() => process.exit(0)));
} else {
  const desk = await startDesk({
    dataDir: join(dataDir, 'desk'),
    serverUrl: server.url,
    enrolmentCode: server.enrolmentCodes[0] ?? null,
    deskName: 'Reception 1',
    series: { prefix: 'A', ocrCode: 1 },
    sandbox: sandbox?.urls ?? null,
    port: Number(process.env.KASSA_DESK_PORT ?? 0),
  });
  stops.unshift(() => desk.close());
  say(`\nElectron is not used: ${electronReason}`);
  say(`The desk runs in the browser host instead. Open:\n\n  ${desk.host.url}\n`);
  say('(Chromium: /usr/bin/chromium. The address holds a one-time access token; keep it to yourself.)');
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => void Promise.allSettled(stops.map((s) => s())).then(() => process.exit(0)));
}
