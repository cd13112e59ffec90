import { shot } from './support/shots';
import { expect, test } from '@playwright/test';
import { addLine, login, personnummer, registerPatient } from './support/desk';
import { Stack } from './support/stack';

const stack = new Stack();
let deskUrl = '';
let orderHash = '';

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  await stack.start(1);
  deskUrl = (await stack.startDesk()).url;
});
test.afterAll(() => stack.stop());

test('receptionist: register a patient, two-line order, issue with a 12-month plan, SMS sent', async ({ page }) => {
  await login(page, deskUrl);
  await page.screenshot({ path: shot('orders-empty') });

  await page.keyboard.press('n');
  await expect(page.getByRole('heading', { name: 'Ny order' })).toBeVisible();
  const pn = personnummer('850315', '239');
  await registerPatient(page, { pn, first: 'Maja', last: 'Lindqvist', phone: '070-123 45 67' });

  await addLine(page, '103');
  await addLine(page, 'K10');
  await expect(page.getByTestId('order-line')).toHaveCount(2);
  // 975,00 + 3 500,00 (taxed, 25 % inside) = 4 475,00 kr
  await expect(page.getByTestId('grand-total')).toHaveText(/4\s475,00\s*kr/);
  await page.screenshot({ path: shot('new-order'), fullPage: true });
  await page.getByRole('button', { name: 'Spara order' }).click();

  await expect(page.getByRole('heading', { name: /^Order K/ })).toBeVisible();
  await expect(page.locator('.badge').first()).toHaveText('Utkast');
  await page.getByRole('button', { name: 'Skicka faktura' }).click();
  const twelve = page.getByTestId('option-m12');
  await expect(twelve).toContainText('/mån');
  await expect(twelve).toContainText('Effektiv ränta');
  await expect(twelve).toContainText('Totalt att betala');
  await page.screenshot({ path: shot('issue-invoice') });
  await twelve.click();
  await page.getByRole('dialog').getByRole('button', { name: 'Skicka faktura' }).click();

  await expect(page.getByTestId('invoice-number')).toHaveText(/^D1/);
  await expect(page.locator('.badge').first()).toHaveText(/Fakturerad|Delbetalning/);
  // The SMS goes out through the Twilio simulator and its delivery status comes back.
  await expect(page.getByTestId('sms-status').first()).toHaveText(/Skickat|Levererat|I kö|Mottaget|Skickas/, { timeout: 30_000 });
  await expect(page.getByTestId('sms-status').first()).toHaveText(/Skickat|Levererat/, { timeout: 30_000 });
  await expect(page.getByTestId('timeline')).toContainText('Faktura skickad');
  await page.screenshot({ path: shot('order-detail'), fullPage: true });
  // Paynova (simulated) registered and authorized the plan: the credit check passed.
  await expect(page.getByText('paynova.create_authorize')).toBeVisible();
  orderHash = new URL(page.url()).hash;
});

test('receptionist: the status becomes "installments" once Paynova activates the plan', async ({ page }) => {
  // The patient's plan is activated at Paynova; its event hook reaches the sync server, which moves
  // the order, and the desk learns it through pull.
  await login(page, deskUrl);
  await page.evaluate(`location.hash = ${JSON.stringify(orderHash)}`);
  const orderNumber = (await page.getByRole('heading', { name: /^Order K/ }).textContent())!.replace('Order ', '');
  await expect(page.getByText('paynova.finalize')).toBeVisible();
  await expect(page.getByText('paynova.finalize').locator('..')).toContainText('Klart', { timeout: 30_000 });
  await stack.paynovaPay(orderNumber);
  await expect(page.locator('.screen-head .badge')).toHaveText('Delbetalning', { timeout: 45_000 });
  await page.screenshot({ path: shot('order-installments'), fullPage: true });
});
