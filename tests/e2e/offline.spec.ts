import { shot } from './support/shots';
import { expect, test } from '@playwright/test';
import { addLine, login, personnummer, registerPatient } from './support/desk';
import { Stack, type Desk } from './support/stack';

const stack = new Stack();
let desk1: Desk;
let desk2: Desk;

test.beforeAll(async () => {
  await stack.start(2);
  desk1 = await stack.startDesk();
  desk2 = await stack.startDesk();
});
test.afterAll(() => stack.stop());

test('offline: an order made without the server is kept, marked pending, synced later, and seen by a second desk', async ({ page, browser }) => {
  await login(page, desk1.url);
  await expect(page.getByTestId('sync-pill')).toHaveText(/Ansluten/);

  await stack.stopServer();
  await page.getByRole('navigation').getByRole('link', { name: /Ny order/ }).click();
  await registerPatient(page, { pn: personnummer('910707', '314'), first: 'Nils', last: 'Offlinesson', phone: '0703334455' });
  await addLine(page, '301');
  await page.getByRole('button', { name: 'Spara order' }).click();
  const heading = page.getByRole('heading', { name: /^Order K/ });
  await expect(heading).toBeVisible();
  const orderNumber = (await heading.textContent())!.replace('Order ', '');

  await expect(page.getByTestId('pending-sync')).toBeVisible();
  await expect(page.getByTestId('sync-pill')).toHaveText(/Ingen kontakt med servern/, { timeout: 30_000 });
  await page.getByRole('navigation').getByRole('link', { name: 'Ordrar' }).click();
  const row = page.getByRole('row').filter({ hasText: orderNumber });
  await expect(row.getByTestId('pending-sync')).toBeVisible();
  await page.screenshot({ path: shot('offline-pending') });

  await stack.startServer();
  await expect(row.getByTestId('pending-sync')).toHaveCount(0, { timeout: 30_000 });
  await expect(page.getByTestId('sync-pill')).toHaveText(/Ansluten/, { timeout: 30_000 });

  const context2 = await browser.newContext();
  const page2 = await context2.newPage();
  await login(page2, desk2.url, { username: 'erik', password: 'demo-erik-2026', pin: '5678' });
  await page2.getByLabel(/^Sök/).fill(orderNumber);
  await expect(page2.getByRole('row').filter({ hasText: orderNumber })).toContainText('Offlinesson', { timeout: 30_000 });
  await context2.close();
});

test('offline login: a user who logged in online before can log in while the server is away, with the right secrets only', async ({ page }) => {
  // anna logged in online in the test above, so her verifier and offline window reached this desk.
  await stack.stopServer();
  await page.goto(desk1.url);
  await page.getByLabel('Användarnamn').fill('anna');
  await page.getByLabel('Lösenord').fill('demo-anna-2026');
  await page.getByLabel('PIN-kod').fill('9999');
  await page.getByRole('button', { name: 'Logga in', exact: true }).click();
  await expect(page.getByRole('alert')).toContainText('Fel användarnamn, lösenord eller PIN-kod');
  await expect(page.getByLabel('Användarnamn')).toHaveValue('anna');
  await page.getByLabel('PIN-kod').fill('1234');
  await page.getByRole('button', { name: 'Logga in', exact: true }).click();
  await expect(page.getByTestId('user')).toContainText('Inloggad utan kontakt med servern');
  // sara has never logged in online, so this desk cannot check her offline: refused, saying why it may be.
  await page.getByRole('button', { name: 'Logga ut' }).click();
  await page.getByLabel('Användarnamn').fill('sara');
  await page.getByLabel('Lösenord').fill('demo-sara-2026');
  await page.getByLabel('PIN-kod').fill('2468');
  await page.getByRole('button', { name: 'Logga in', exact: true }).click();
  await expect(page.getByRole('alert')).toContainText('har kontot inte loggat in med kontakt med servern');
  await stack.startServer();
});
