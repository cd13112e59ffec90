/**
 * Where e2e screenshots go: the committed docs/screenshots/ only when asked
 * (`KASSA_SCREENSHOTS=1 npm run test:e2e`), so an ordinary test run leaves the work tree clean.
 */
export function shot(name: string): string {
  return process.env.KASSA_SCREENSHOTS === '1' ? `docs/screenshots/${name}.png` : `test-results/screenshots/${name}.png`;
}
