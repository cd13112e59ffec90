import { shot } from './support/shots';
import { expect, test } from '@playwright/test';
import { createOrder, issue, login, personnummer, USERS } from './support/desk';
import { Stack } from './support/stack';

/** Walks every main screen with some data in it, checks each renders, and saves the screenshots. */
const stack = new Stack();
let deskUrl = '';

test.beforeAll(async () => {
  await stack.start(1);
  deskUrl = (await stack.startDesk()).url;
});
test.afterAll(() => stack.stop());


test('main screens, in Swedish and in English', async ({ page }) => {
  await page.goto(deskUrl);
  await expect(page.getByRole('heading', { name: 'Logga in' })).toBeVisible();
  await page.screenshot({ path: shot('login') });
  await login(page, deskUrl, USERS.erik);

  const people = [
    ['Astrid', 'Nyström', '720314', '111', ['101', '111']],
    ['Bengt', 'Åkesson', '650922', '222', ['501', '701']],
    ['Cecilia', 'Öberg', '930101', '333', ['K10']],
    ['David', 'Ek', '811111', '444', ['800']],
  ] as const;
  for (const [i, [first, last, born, serial, codes]] of people.entries()) {
    await createOrder(page, { pn: personnummer(born, serial), first, last, phone: `07011100${i}0` }, [...codes]);
    if (i % 2 === 0) await issue(page, i === 0 ? 'm12' : 'invoice14');
  }
  await expect(page.getByTestId('sms-list')).toBeVisible({ timeout: 30_000 }).catch(() => undefined);

  await page.getByRole('navigation').getByRole('link', { name: 'Ordrar' }).click();
  await expect(page.getByTestId('ar-summary')).toBeVisible();
  // Keyboard: "/" jumps to the search field; Enter on a focused row opens it; Esc goes back.
  await page.locator('main h1').click();
  await page.keyboard.press('/');
  await expect(page.getByLabel(/^Sök/)).toBeFocused();
  await page.getByRole('grid').focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: /^Order K/ })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('heading', { name: 'Ordrar' })).toBeVisible();
  await expect(page.getByTestId('order-link')).toHaveCount(4);
  await page.screenshot({ path: shot('orders'), fullPage: true });

  await page.getByRole('navigation').getByRole('link', { name: 'Patienter' }).click();
  await expect(page.getByRole('link', { name: /Åkesson, Bengt/ })).toBeVisible();
  await page.screenshot({ path: shot('patients') });
  await page.getByRole('link', { name: /Åkesson, Bengt/ }).click();
  await expect(page.getByTestId('patient-balance')).toBeVisible();
  await page.screenshot({ path: shot('patient-detail') });

  await page.getByRole('navigation').getByRole('link', { name: 'Synk' }).click();
  await expect(page.getByTestId('sync-status')).toContainText('Ansluten');
  await page.screenshot({ path: shot('sync'), fullPage: true });

  await page.getByRole('navigation').getByRole('link', { name: 'Inställningar' }).click();
  await expect(page.getByText('Testläge')).toBeVisible();
  // Written straight to the keychain; only the last four characters ever come back.
  const row = page.getByTestId('secret-geoplugin.apiKey');
  await row.getByRole('textbox').fill('geo-demo-key-1234567890abcd');
  await row.getByRole('button', { name: 'Spara' }).click();
  await expect(row).toContainText('Sparad (…abcd)');
  await expect(page.locator('body')).not.toContainText('geo-demo-key-1234567890');
  await page.screenshot({ path: shot('settings'), fullPage: true });

  await page.getByRole('navigation').getByRole('link', { name: 'Aktivitetslogg' }).click();
  await expect(page.getByTestId('activity')).toContainText('invoice.issue');
  await page.getByLabel('Händelse').fill('auth.');
  await expect(page.getByTestId('activity')).not.toContainText('invoice.issue');
  await page.screenshot({ path: shot('activity') });

  await page.getByRole('combobox', { name: 'Språk' }).selectOption('en');
  await page.getByRole('navigation').getByRole('link', { name: 'Orders' }).click();
  await expect(page.getByRole('heading', { name: 'Orders' })).toBeVisible();
  await expect(page.getByTestId('ar-summary')).toContainText('Outstanding');
  await page.screenshot({ path: shot('orders-en') });

  // Filters are remembered per user, across logins.
  await page.getByRole('combobox', { name: 'Language' }).selectOption('sv');
  await page.getByRole('checkbox', { name: 'Fakturerad' }).check();
  await expect(page.getByTestId('order-link')).toHaveCount(2);
  await page.waitForTimeout(800); // the filter is saved 400 ms after the last change
  await page.getByRole('button', { name: 'Logga ut' }).click();
  await login(page, deskUrl, USERS.erik);
  await expect(page.getByRole('checkbox', { name: 'Fakturerad' })).toBeChecked();
  await expect(page.getByTestId('order-link')).toHaveCount(2);
});
