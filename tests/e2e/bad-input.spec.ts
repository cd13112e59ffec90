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

test('an invalid personnummer is explained as it is typed and nothing typed is lost', async ({ page }) => {
  await login(page, desk1.url);
  await page.keyboard.press('n');
  await page.getByRole('button', { name: 'Registrera ny patient' }).click();
  const form = page.getByTestId('patient-form');
  await form.getByLabel('Förnamn').fill('Kalle');
  await form.getByLabel('Efternamn').fill('Felnummer');
  const good = personnummer('880808', '159');
  const bad = `${good.slice(0, -1)}${(Number(good.slice(-1)) + 1) % 10}`;
  await form.getByLabel('Personnummer').fill(bad);
  await expect(form.getByRole('alert')).toHaveText('Personnumret har fel kontrollsiffra.');
  await form.getByRole('button', { name: 'Registrera patient' }).click();
  await expect(form.getByLabel('Förnamn')).toHaveValue('Kalle');
  await expect(form.getByLabel('Personnummer')).toHaveValue(bad);
  await form.getByLabel('Personnummer').fill(good);
  await expect(form.getByText(/Giltigt personnummer/)).toBeVisible();
});

test('a negative quantity is refused with a clear message and the line is kept', async ({ page }) => {
  await login(page, desk1.url);
  await page.keyboard.press('n');
  await registerPatient(page, { pn: personnummer('770707', '246'), first: 'Lisa', last: 'Minus', phone: '0704445566' });
  await addLine(page, '101');
  await addLine(page, '201');
  const qty = page.getByTestId('order-line').first().getByLabel('Antal');
  await qty.fill('-2');
  await expect(page.getByTestId('order-line').first().getByRole('alert')).toHaveText('Antal måste vara ett heltal, minst 1.');
  await page.getByRole('button', { name: 'Spara order' }).click();
  await expect(page.getByRole('heading', { name: 'Ny order' })).toBeVisible();
  await expect(qty).toHaveValue('-2');
  await expect(page.getByTestId('order-line')).toHaveCount(2);
  await page.screenshot({ path: shot('bad-quantity') });
  await qty.fill('2');
  await page.getByRole('button', { name: 'Spara order' }).click();
  await expect(page.getByRole('heading', { name: /^Order K/ })).toBeVisible();
});

test('a huge paste into the search field is cut with a message and the list keeps working', async ({ page }) => {
  await login(page, desk1.url);
  const search = page.getByLabel(/^Sök/);
  await search.focus();
  // A real paste event carrying half a megabyte of text (a plain-JS string: the page has the DOM).
  await page.evaluate(`(() => {
    const el = document.activeElement;
    const data = new DataTransfer();
    data.setData('text/plain', 'Lindqvist '.repeat(50000));
    el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  })()`);
  await expect(page.getByText('Sökningen är för lång och har kortats till 200 tecken.')).toBeVisible();
  expect((await search.inputValue()).length).toBeLessThanOrEqual(200);
  await expect(page.getByTestId('error')).toHaveCount(0);
  await search.fill('');
  await expect(page.getByTestId('ar-summary')).toBeVisible();
});

test("the server's rejection of a change is shown with its reason and nothing is lost", async ({ page, browser }) => {
  // Two desks register the same personnummer while the server is away; the second push is refused.
  const pn = personnummer('660606', '135');
  await login(page, desk1.url);
  const context2 = await browser.newContext();
  const page2 = await context2.newPage();
  await login(page2, desk2.url);
  await stack.stopServer();
  for (const [p, name] of [[page, 'Först'], [page2, 'Andra']] as const) {
    await p.keyboard.press('n');
    await registerPatient(p, { pn, first: name, last: 'Dubblett', phone: '0705556677' });
  }
  await stack.startServer();
  // One desk's change is applied, the other's is rejected: find the rejected one.
  let rejectedPage = page;
  await expect
    .poll(async () => {
      for (const p of [page, page2]) {
        if (/⚠/.test((await p.getByTestId('sync-pill').textContent()) ?? '')) {
          rejectedPage = p;
          return true;
        }
      }
      return false;
    }, { timeout: 45_000 })
    .toBe(true);
  await rejectedPage.getByTestId('sync-pill').click();
  const rejected = rejectedPage.getByTestId('rejected');
  await expect(rejected).toContainText('Servern avvisade ändringen');
  await expect(rejected).toContainText('personnummer');
  await expect(rejected.getByRole('textbox', { name: 'Ändringens innehåll' })).toHaveValue(/Dubblett/);
  await rejectedPage.screenshot({ path: shot('sync-rejected'), fullPage: true });
  await rejected.getByPlaceholder('Varför slängs ändringen?').fill('Patienten fanns redan');
  await rejected.getByRole('button', { name: 'Släng ändringen' }).click();
  await expect(rejected).toContainText('Inga avvisade ändringar.');
  await context2.close();
});
