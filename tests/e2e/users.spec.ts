import { expect, test } from '@playwright/test';
import { login, USERS } from './support/desk';
import { Stack } from './support/stack';

const stack = new Stack();
let deskUrl = '';

test.beforeAll(async () => {
  await stack.start(1);
  deskUrl = (await stack.startDesk()).url;
});
test.afterAll(() => stack.stop());

test('a clinic admin adds a staff user in the desk, and that user logs in after choosing a new password', async ({ page }) => {
  await login(page, deskUrl, USERS.erik);
  await page.getByRole('navigation').getByRole('link', { name: 'Användare' }).click();
  await expect(page.getByTestId('users')).toContainText('anna');
  await page.getByRole('button', { name: 'Lägg till användare' }).first().click();
  const form = page.getByTestId('new-user');
  await form.getByLabel('Användarnamn').fill('nils');
  await form.getByLabel('Namn', { exact: true }).fill('Nils Nyanställd');
  await form.getByLabel('Tillfälligt lösenord').fill('kort');
  await form.getByLabel('Tillfällig PIN-kod').fill('4321');
  await form.getByRole('button', { name: 'Lägg till användare' }).click();
  // The server's password policy, named on the field, and nothing typed is lost.
  await expect(form.getByRole('alert')).toContainText('10');
  await expect(form.getByLabel('Namn', { exact: true })).toHaveValue('Nils Nyanställd');
  await form.getByLabel('Tillfälligt lösenord').fill('tillfalligt-2026');
  await form.getByRole('button', { name: 'Lägg till användare' }).click();
  await expect(page.getByTestId('users')).toContainText('Nils Nyanställd');
  await expect(page.getByTestId('users').getByRole('row').filter({ hasText: 'nils' })).toContainText('Måste byta lösenord');
  await page.screenshot({ path: 'docs/screenshots/users.png' });
  await page.getByRole('button', { name: 'Logga ut' }).click();

  await page.getByLabel('Användarnamn').fill('nils');
  await page.getByLabel('Lösenord', { exact: true }).fill('tillfalligt-2026');
  await page.getByLabel('PIN-kod', { exact: true }).fill('4321');
  await page.getByRole('button', { name: 'Logga in', exact: true }).click();
  await expect(page.getByText('Välj ett nytt lösenord')).toBeVisible();
  await page.getByLabel('Nytt lösenord').fill('nils-eget-losenord-1');
  await page.getByLabel('Ny PIN-kod (valfritt)').fill('9876');
  await page.getByRole('button', { name: 'Logga in', exact: true }).click();
  await expect(page.getByTestId('user')).toContainText('Nils Nyanställd');
  // Staff do not see user management.
  await expect(page.getByRole('navigation').getByRole('link', { name: 'Användare' })).toHaveCount(0);
});
