import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { createOrder, issue, login, personnummer } from './support/desk';
import { Stack } from './support/stack';

const stack = new Stack();
let deskUrl = '';

test.beforeAll(async () => {
  await stack.start(1);
  deskUrl = (await stack.startDesk()).url;
});
test.afterAll(() => stack.stop());

test('cancel an invoiced order as paid elsewhere, with a required reason', async ({ page }) => {
  await login(page, deskUrl);
  await createOrder(page, { pn: personnummer('790101', '123'), first: 'Olle', last: 'Berg', phone: '0701112233' });
  await issue(page);
  // The invoice PDF is made in the core and downloaded through a blob link.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Faktura (PDF)' }).click()]);
  expect(download.suggestedFilename()).toMatch(/^faktura-D1-\d+\.pdf$/);
  const pdf = readFileSync((await download.path())!).toString('latin1');
  expect(pdf.startsWith('%PDF-1.4')).toBe(true);
  expect(pdf).toContain('Bankgiro: 5050-1055');
  expect(pdf).toContain('Momsfri tandv\u00e5rd enligt 10 kap. merv\u00e4rdesskattelagen'); // parentheses are escaped in PDF strings
  await page.getByRole('button', { name: 'Makulera' }).click();
  const dialog = page.getByRole('dialog');
  // The reason is required: submitting without one says so and keeps the dialog and the note.
  await dialog.getByLabel('Kommentar').fill('Betalt med kort i kassan');
  await dialog.getByRole('button', { name: 'Makulera' }).click();
  await expect(dialog.getByRole('alert')).toHaveText('Obligatoriskt');
  await expect(dialog.getByLabel('Kommentar')).toHaveValue('Betalt med kort i kassan');
  await dialog.getByLabel(/Anledning/).selectOption('paid_elsewhere');
  await dialog.getByRole('button', { name: 'Makulera' }).click();
  await expect(page.locator('.screen-head .badge')).toHaveText('Makulerad');
  await expect(page.getByTestId('status-reason')).toHaveText('Betald på annat sätt');
  await expect(page.getByTestId('timeline')).toContainText('Betald på annat sätt');
  // The cancellation SMS goes to the patient.
  await expect(page.getByTestId('sms-list')).toContainText('Makulerad');
});

test('credit part of a paid order', async ({ page }) => {
  await login(page, deskUrl);
  const orderId = await createOrder(page, { pn: personnummer('820202', '456'), first: 'Eva', last: 'Holm', phone: '0702223344' }, ['201', '111']);
  await issue(page);
  // The patient pays at Paynova; the server records it and every desk pulls the new status.
  await expect(page.getByTestId('pending-sync')).toHaveCount(0, { timeout: 20_000 });
  await stack.reportPayment(orderId, 104_000);
  await expect(page.locator('.screen-head .badge')).toHaveText('Betald', { timeout: 30_000 });

  await page.getByRole('button', { name: 'Kreditera' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Del av beloppet').check();
  await dialog.getByLabel('Belopp att kreditera (kr)').fill('2000');
  await expect(dialog.getByRole('alert')).toContainText('Högst');
  await dialog.getByLabel('Belopp att kreditera (kr)').fill('250,50');
  await dialog.getByLabel(/Anledning/).selectOption('goodwill');
  await dialog.getByRole('button', { name: 'Kreditera' }).click();
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await expect(page.getByTestId('credited')).toHaveText(/250,50/);
  // Paid in full, then credited: the clinic owes the patient the credited amount back.
  await expect(page.getByTestId('balance')).toHaveText(/^250,50/);
  await expect(page.getByText('Att återbetala till patienten')).toBeVisible();
  await expect(page.locator('.screen-head .badge')).toHaveText('Betald');
  await expect(page.getByTestId('timeline')).toContainText('Goodwill');
});
