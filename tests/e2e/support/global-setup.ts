import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Builds dist/desk from the current tree before any test starts a browser host. */
export default function globalSetup(): void {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
  const r = spawnSync(join(root, 'node_modules/.bin/vite'), ['build', '--config', 'vite.config.ts', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('vite build failed');
}
