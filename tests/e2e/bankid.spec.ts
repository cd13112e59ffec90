import { expect, test } from '@playwright/test';
import { animatedQrText, RFA } from '../../src-main/integrations/bankid';
import type { BankIdControlClient } from '../../src-sandbox/bankid/control-client';
import { qrPath } from '../../src-renderer/ui/qr-path';
import { readDemo } from '../../scripts/start-server';
import { shot } from './support/shots';
import { Stack } from './support/stack';

const stack = new Stack();
let deskUrl = '';
let bankid: BankIdControlClient;
const anna = readDemo().users.find((u) => u.username === 'anna')!;

test.beforeAll(async () => {
  await stack.start(1);
  deskUrl = (await stack.startDesk()).url;
  bankid = stack.bankIdControl();
});
test.afterAll(async () => {
  bankid?.close();
  await stack.stop();
});
test.afterEach(() => bankid.reset());

test('a login by BankID in the desk completes against the simulator', async ({ page }) => {
  expect(anna.personnummer).toBeTruthy();
  await page.goto(deskUrl);
  await page.getByRole('button', { name: 'Logga in med BankID' }).click();
  await page.getByRole('button', { name: 'Mobilt BankID (QR-kod)' }).click();

  // A real QR code, drawn as SVG: the code of the order's current animated text.
  const qr = page.locator('svg[data-testid="bankid-qr"]');
  await expect(qr).toBeVisible();
  await expect(qr).toHaveAccessibleName(/QR-kod för BankID/);
  const drawn = (await qr.locator('path').getAttribute('d')) ?? '';
  const [order] = await bankid.orders();
  expect(order).toBeTruthy();
  const seconds = Math.ceil((Date.now() - order!.createdAt) / 1000) + 1;
  const expected = Array.from({ length: seconds + 1 }, (_, t) => qrPath(animatedQrText(order!.qrStartToken, order!.qrStartSecret, t)).d);
  expect(expected).toContain(drawn);
  // …and animated: main computes a new one every second.
  await expect.poll(() => qr.locator('path').getAttribute('d')).not.toBe(drawn);

  // BankID's own words, in Swedish, while the order is pending.
  const hint = page.getByTestId('bankid-hint');
  await expect(hint).toHaveText(RFA.RFA1.sv);
  await bankid.setHint({ hintCode: 'userSign' });
  await expect(hint).toHaveText(RFA.RFA9.sv);
  await page.screenshot({ path: shot('bankid') });
  // The page never holds what only main may know.
  const html = await page.content();
  expect(html).not.toContain(order!.qrStartSecret);
  expect(html).not.toContain(order!.orderRef);

  await bankid.complete({ personalNumber: anna.personnummer!, givenName: 'Anna', surname: 'Receptionist' });
  await expect(page.getByTestId('user')).toContainText('Anna Receptionist');
});

test('a BankID login is cancelled from the keyboard, and a person without an account is refused', async ({ page }) => {
  await page.goto(deskUrl);
  await page.getByRole('button', { name: 'Logga in med BankID' }).click();
  await page.getByRole('button', { name: 'BankID på den här datorn' }).click();
  // "BankID on this computer": the autostart link, and the same-device hint.
  const open = page.getByRole('link', { name: 'Öppna BankID på den här datorn' });
  await expect(open).toHaveAttribute('href', /^bankid:\/\/\/\?autostarttoken=[0-9a-f-]+&redirect=null$/);
  await expect(page.getByTestId('bankid-hint')).toHaveText(RFA.RFA13.sv);
  await expect(page.getByTestId('bankid-qr')).toHaveCount(0);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('bankid-message')).toHaveText(RFA.RFA6.sv);
  await expect.poll(async () => (await bankid.orders()).length).toBe(0);

  await page.getByRole('button', { name: /Försök igen: Mobilt BankID/ }).click();
  await expect(page.getByTestId('bankid-qr')).toBeVisible();
  await bankid.complete({ personalNumber: '191212121212', givenName: 'Tolvan', surname: 'Tolvansson' });
  await expect(page.getByRole('alert')).toContainText('Ingen användare på kliniken har ditt personnummer registrerat');
  await expect(page.getByTestId('user')).toHaveCount(0);
});
