import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { expect, test, type Page } from '@playwright/test';
import { ensureSystemAdmin } from '../../../src-server/accounts/bootstrap';
import { openServerDb } from '../../../src-server/db/connect';
import { createOrder, login, personnummer } from '../support/desk';
import { Stack } from '../support/stack';

/**
 * The system administrator's console in Chromium, against the real sync server (with the demo
 * clinic), the provider simulators and a real desk: log in, create a clinic and an enrolment code,
 * find an order by patient name across clinics, request its cancellation, and see the request
 * arrive at the clinic's desk through sync. Screenshots go to docs/screenshots/console-*.png.
 */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const SHOTS = join(ROOT, process.env.KASSA_SCREENSHOTS === '1' ? 'docs/screenshots' : 'test-results/screenshots');
const ADMIN = { username: 'sara.system', password: 'konsol-lösenord-2026', pin: '97531', displayName: 'Sara Systemsson' };
const PROTOCOL = { 'x-kassa-protocol': '1', 'content-type': 'application/json' };

const stack = new Stack();
let deskUrl = '';

async function json<T>(url: string, init: RequestInit): Promise<T> {
  const res = await fetch(url, init);
  const body = (await res.json()) as T;
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${url}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `console-${name}.png`), fullPage: true });

test.beforeAll(async () => {
  const r = spawnSync(join(ROOT, 'node_modules/.bin/vite'), ['build', '--config', 'vite.config.ts', '--mode', 'console', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('console build failed');
  mkdirSync(SHOTS, { recursive: true });
  await stack.start(1);
  deskUrl = (await stack.startDesk()).url;
  // The first system administrator, as `npm run server` creates it from the environment.
  const sdb = await openServerDb({ sqliteFile: join(stack.dir, 'server', 'server.sqlite') });
  try {
    await ensureSystemAdmin(sdb, { ...ADMIN, personnummer: null, mustChange: false });
  } finally {
    await sdb.close();
  }
});
test.afterAll(() => stack.stop());

test('a system admin creates a clinic and an enrolment code, finds an order across clinics and requests its cancellation, which reaches the desk', async ({ page }) => {
  // The clinic's receptionist registers an order at the desk.
  await login(page, deskUrl);
  const deskOrderId = await createOrder(page, { pn: personnummer('650303', '234'), first: 'Greta', last: 'Lundgren', phone: '0703334455' });
  await expect(page.getByTestId('pending-sync')).toHaveCount(0, { timeout: 20_000 });

  // The console, in Swedish by default.
  await page.goto(`${stack.serverUrl}/console/`);
  await expect(page.getByRole('heading', { name: 'Kassa – central konsol' })).toBeVisible();
  await shot(page, 'login');
  await page.getByLabel('Användarnamn').fill(ADMIN.username);
  await page.getByLabel('Lösenord').fill('fel lösenord');
  await page.getByLabel('PIN-kod').fill(ADMIN.pin);
  await page.getByRole('button', { name: 'Logga in', exact: true }).click();
  await expect(page.getByRole('alert')).toContainText('Fel användarnamn, lösenord eller PIN-kod');
  await page.getByLabel('Lösenord').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Logga in', exact: true }).click();
  await expect(page.getByTestId('console-user')).toHaveText(ADMIN.displayName);

  // A new clinic and an enrolment code for its first desk.
  await page.getByLabel('Ny klinik').fill('Tandvården Väst');
  await page.getByRole('button', { name: 'Skapa' }).click();
  await expect(page.getByTestId('clinic-name')).toContainText('Tandvården Väst');
  await page.getByRole('button', { name: 'Skapa registreringskod' }).click();
  const code = (await page.getByTestId('enrolment-code').textContent())!.trim();
  expect(code.length).toBeGreaterThanOrEqual(16);
  await shot(page, 'clinic');

  // That code enrols a desk of the new clinic, which records an order for another Lundgren.
  const westId = page.url().split('/').pop()!;
  const enrolled = await json<{ deviceId: string; deviceCredential: string; clinicId: string }>(`${stack.serverUrl}/v1/enrol`, {
    method: 'POST', headers: PROTOCOL, body: JSON.stringify({ code, deviceName: 'Väst kassa 1' }),
  });
  expect(enrolled.clinicId).toBe(westId);
  const session = await json<{ token: string }>(`${stack.serverUrl}/console/api/login`, { method: 'POST', headers: PROTOCOL, body: JSON.stringify({ username: ADMIN.username, password: ADMIN.password, pin: ADMIN.pin }) });
  const staff = await json<{ user: { id: string } }>(`${stack.serverUrl}/console/api/users`, {
    method: 'POST', headers: { ...PROTOCOL, authorization: `Bearer ${session.token}` },
    body: JSON.stringify({ clinicId: westId, username: 'vera.vast', displayName: 'Vera Väst', role: 'staff', password: 'tillfälligt-123', pin: '1357', personnummer: null }),
  });
  const patientId = randomUUID();
  const westOrderId = randomUUID();
  const mutation = (seq: number, name: string, payload: unknown) => ({ mutationId: randomUUID(), deviceId: enrolled.deviceId, seq, name, actorUserId: staff.user.id, payload, clientTime: new Date().toISOString() });
  const pushed = await json<{ results: { status: string }[] }>(`${stack.serverUrl}/v1/sync/push`, {
    method: 'POST', headers: { ...PROTOCOL, authorization: `Device ${enrolled.deviceId}:${enrolled.deviceCredential}` },
    body: JSON.stringify({
      mutations: [
        mutation(1, 'patient.create', { id: patientId, personnummer: personnummer('710707', '345').replace('-', ''), firstName: 'Lars', lastName: 'Lundgren', phone: '+46704445566', language: 'sv' }),
        mutation(2, 'order.create', {
          id: westOrderId, orderNumber: `V${Date.now()}`, patientId, clinician: 'Dr Ek',
          lines: [{ id: randomUUID(), priceItemId: null, code: '101', description: 'Undersökning', quantity: 1, unitPrice: 69_500, vatCode: 'exempt' }],
        }),
      ],
    }),
  });
  expect(pushed.results.map((r) => r.status)).toEqual(['applied', 'applied']);

  // Orders across clinics: the patient name finds both Lundgrens, each with its clinic.
  await page.getByRole('navigation').getByRole('link', { name: 'Ordrar' }).click();
  await page.getByLabel('Sök på patient, personnummer, order- eller fakturanummer').fill('lundgren');
  await page.getByRole('button', { name: 'Sök', exact: true }).click();
  await expect(page.getByTestId('hits')).toHaveText('2 träffar');
  const rows = page.getByTestId('orders').locator('tbody tr');
  await expect(rows).toHaveCount(2);
  await expect(page.getByTestId('orders')).toContainText('Tandvården Väst');
  await expect(page.getByTestId('orders')).toContainText('Tandläkarhuset Söder (demo)');
  await shot(page, 'orders');
  // Narrowed to the desk's patient by first name, then opened.
  await page.getByLabel('Sök på patient, personnummer, order- eller fakturanummer').fill('greta lund');
  await page.getByRole('button', { name: 'Sök', exact: true }).click();
  await expect(rows).toHaveCount(1);
  await rows.first().click();
  await expect(page.getByRole('heading', { name: /^Order / })).toBeVisible();
  await expect(page.locator('dl.facts')).toContainText('Greta Lundgren');

  // Request its cancellation: the reason is required.
  const form = page.getByRole('form', { name: 'Begär makulering' });
  await form.getByRole('button', { name: 'Skicka begäran' }).click();
  await expect(form.getByRole('alert')).toContainText('Obligatoriskt');
  await form.getByLabel('Anledning').selectOption('patient_request');
  await form.getByLabel('Kommentar').fill('Patienten har ringt in och avbokat');
  await form.getByRole('button', { name: 'Skicka begäran' }).click();
  await expect(page.getByText('Begäran om makulering har skickats till Tandläkarhuset Söder (demo).')).toBeVisible();
  await expect(page.getByTestId('cancellation-requests')).toContainText('Patientens begäran');
  await shot(page, 'order');

  // The clinic's desk receives the request through its change feed.
  const deskDb = new Database(join(stack.dir, 'desk1', 'desk.sqlite'), { readonly: true, fileMustExist: true });
  try {
    await expect
      .poll(() => {
        const rowsFound = deskDb.prepare(`SELECT data FROM sync_entities WHERE entity = 'notice'`).all() as { data: string }[];
        return rowsFound.map((r) => JSON.parse(r.data) as { kind: string; orderId: string }).filter((n) => n.kind === 'cancellation_requested').map((n) => n.orderId);
      }, { timeout: 30_000 })
      .toContain(deskOrderId);
  } finally {
    deskDb.close();
  }

  // ...and shows it to the desk's staff: a badge in the navigation, the list of requests, and an
  // unmissable banner on the order with a one-keystroke path to the (pre-filled) cancel flow.
  const desk = await page.context().newPage();
  await login(desk, deskUrl);
  await expect(desk.getByTestId('notices-badge')).toHaveText('1', { timeout: 30_000 });
  await desk.getByRole('navigation').getByRole('link', { name: /Begäranden/ }).click();
  const open = desk.getByTestId('notices-open');
  await expect(open).toContainText('Centralen begär makulering: Patientens begäran, Patienten har ringt in och avbokat. Begärt av Sara Systemsson');
  await open.getByRole('link').first().click();
  await expect(desk.getByRole('heading', { name: /^Order K/ })).toBeVisible();
  expect(desk.url()).toContain(deskOrderId);
  await expect(desk.getByTestId('cancellation-request')).toContainText('Centralen begär makulering: Patientens begäran, Patienten har ringt in och avbokat. Begärt av Sara Systemsson');
  await desk.keyboard.press('m');
  const cancelDialog = desk.getByRole('dialog');
  await expect(cancelDialog.getByLabel('Anledning *')).toHaveValue('patient_request');
  await expect(cancelDialog.getByLabel('Kommentar')).toHaveValue('Patienten har ringt in och avbokat');
  await cancelDialog.getByRole('button', { name: 'Makulera', exact: true }).click();
  await expect(desk.getByTestId('cancellation-request')).toHaveCount(0);
  await expect(desk.getByTestId('notices-badge')).toHaveCount(0);
  await desk.getByRole('navigation').getByRole('link', { name: /Begäranden/ }).click();
  await expect(desk.getByTestId('notices-handled')).toContainText('Hanterad');
  await desk.close();

  // The activity log shows the logins and the request; every chain verifies.
  await page.getByRole('navigation').getByRole('link', { name: 'Aktivitetslogg' }).click();
  await expect(page.getByTestId('activity')).toContainText('order.cancellation_request');
  await expect(page.getByTestId('activity')).toContainText('auth.login');
  await page.getByRole('button', { name: 'Verifiera kedjorna' }).click();
  await expect(page.getByTestId('verify-result')).toContainText('är hela');
  await shot(page, 'activity');

  // The remaining screens, for the record (and the English catalogue once).
  await page.getByRole('navigation').getByRole('link', { name: 'Användare' }).click();
  await expect(page.getByTestId('users')).toContainText('vera.vast');
  await shot(page, 'users');
  await page.getByRole('navigation').getByRole('link', { name: 'Tjänsteinställningar' }).click();
  await expect(page.getByLabel('Länder (ISO-koder, kommaseparerade)')).toHaveValue('SE');
  await page.getByLabel('Påminnelseavgift (kr, högst 60)').fill('75');
  await page.getByRole('button', { name: 'Spara' }).click();
  await expect(page.getByRole('alert').first()).toContainText('60');
  await page.getByLabel('Påminnelseavgift (kr, högst 60)').fill('60');
  await page.getByRole('button', { name: 'Spara' }).click();
  await expect(page.getByText('Sparat.')).toBeVisible();
  await shot(page, 'settings');
  await page.getByRole('navigation').getByRole('link', { name: 'Kliniker' }).click();
  await page.getByRole('button', { name: 'English' }).click();
  await expect(page.getByRole('heading', { name: 'Clinics' })).toBeVisible();
  await expect(page.getByTestId('clinics')).toContainText('Tandvården Väst');
  await shot(page, 'clinics-en');
});
