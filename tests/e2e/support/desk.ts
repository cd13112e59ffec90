import { expect, type Page } from '@playwright/test';

export const USERS = {
  anna: { username: 'anna', password: 'demo-anna-2026', pin: '1234' },
  erik: { username: 'erik', password: 'demo-erik-2026', pin: '5678' },
} as const;

export async function login(page: Page, url: string, user: { username: string; password: string; pin: string } = USERS.anna): Promise<void> {
  await page.goto(url);
  await page.getByLabel('Användarnamn').fill(user.username);
  await page.getByLabel('Lösenord').fill(user.password);
  await page.getByLabel('PIN-kod').fill(user.pin);
  await page.getByRole('button', { name: 'Logga in', exact: true }).click();
  await expect(page.getByTestId('user')).toBeVisible();
}

/** A valid, Luhn-correct personnummer for a made-up person born on `yymmdd`. */
export function personnummer(yymmdd: string, serial3: string): string {
  const digits = `${yymmdd}${serial3}`;
  let sum = 0;
  for (let i = 0; i < 9; i++) {
    let d = Number(digits[i]) * (i % 2 === 0 ? 2 : 1);
    if (d > 9) d -= 9;
    sum += d;
  }
  return `${yymmdd}-${serial3}${(10 - (sum % 10)) % 10}`;
}

export async function registerPatient(page: Page, p: { pn: string; first: string; last: string; phone: string }): Promise<void> {
  await page.getByRole('button', { name: 'Registrera ny patient' }).click();
  const form = page.getByTestId('patient-form');
  await form.getByLabel('Personnummer').fill(p.pn);
  await form.getByLabel('Förnamn').fill(p.first);
  await form.getByLabel('Efternamn').fill(p.last);
  await form.getByLabel('Mobilnummer').fill(p.phone);
  await form.getByLabel('Gatuadress').fill('Storgatan 1');
  await form.getByLabel('Postnummer').fill('111 22');
  await form.getByLabel('Ort').fill('Stockholm');
  await form.getByRole('button', { name: 'Registrera patient' }).click();
  await expect(page.getByTestId('chosen-patient')).toContainText(`${p.first} ${p.last}`);
}

export async function addLine(page: Page, code: string): Promise<void> {
  const pick = page.getByTestId('price-pick');
  const value = await pick.locator('option', { hasText: new RegExp(`^${code} `) }).getAttribute('value');
  await pick.selectOption(value!);
}

/** Creates a patient and a one-line order from the new-order screen; returns the order page URL id. */
export async function createOrder(page: Page, p: { pn: string; first: string; last: string; phone: string }, codes: string[] = ['101']): Promise<string> {
  await page.getByRole('navigation').getByRole('link', { name: /Ny order/ }).click();
  await expect(page.getByRole('heading', { name: 'Ny order' })).toBeVisible();
  await registerPatient(page, p);
  for (const c of codes) await addLine(page, c);
  await page.getByRole('button', { name: 'Spara order' }).click();
  await expect(page.getByRole('heading', { name: /^Order K/ })).toBeVisible();
  return page.url().split('/').pop()!;
}

export async function issue(page: Page, option: 'invoice14' | 'm3' | 'm6' | 'm12' | 'm18' | 'm24' = 'invoice14'): Promise<void> {
  await page.getByRole('button', { name: 'Skicka faktura' }).click();
  await page.getByTestId(`option-${option}`).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Skicka faktura' }).click();
  await expect(page.getByTestId('invoice-number')).toBeVisible();
}
