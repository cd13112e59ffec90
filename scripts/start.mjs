#!/usr/bin/env node
// `npm start`: builds the desk if needed, then runs scripts/start-all.ts (through tsx) which starts
// the sync server, the simulators and the desk. Electron is used when its binary is present and a
// display is available; otherwise the browser host, with the reason printed.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

// Never require('electron') here: its index.js downloads the binary when it is missing.
function electronStatus() {
  if (process.env.KASSA_BROWSER_HOST === '1') return { reason: 'KASSA_BROWSER_HOST=1 asked for the browser host.' };
  const pkg = join(root, 'node_modules', 'electron');
  const pathFile = join(pkg, 'path.txt');
  if (!existsSync(pathFile)) return { reason: 'the Electron binary has not been downloaded on this machine (node_modules/electron/path.txt is missing).' };
  const exe = join(pkg, 'dist', readFileSync(pathFile, 'utf8').trim());
  if (!existsSync(exe)) return { reason: `the Electron binary ${exe} is missing.` };
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return { reason: 'there is no display (DISPLAY/WAYLAND_DISPLAY unset).' };
  return { exe };
}

if (!existsSync(join(root, 'dist', 'desk', 'index.html'))) {
  console.log('Building the desk (vite)…');
  run(bin('vite'), ['build', '--config', 'vite.config.ts']);
}
if (!existsSync(join(root, 'dist', 'console', 'index.html'))) {
  console.log('Building the console (vite)…');
  run(bin('vite'), ['build', '--config', 'vite.config.ts', '--mode', 'console']);
}
const electron = electronStatus();
if (electron.exe && !existsSync(join(root, 'dist', 'electron', 'main.js'))) {
  run(bin('vite'), ['build', '--config', 'vite.config.ts', '--mode', 'electron']);
  run(bin('vite'), ['build', '--config', 'vite.config.ts', '--mode', 'electron-preload']);
}

const env = { ...process.env };
if (electron.exe) env.KASSA_ELECTRON_BIN = electron.exe;
else env.KASSA_NO_ELECTRON_REASON = electron.reason;

// keytar needs a Secret Service. A desktop session has one; a headless machine (a server, CI, a
// container) has no session bus, so start a private one with an unlocked gnome-keyring for this run.
const headless = process.platform === 'linux' && !process.env.DBUS_SESSION_BUS_ADDRESS;
if (headless) console.log('No D-Bus session: starting a private Secret Service (gnome-keyring) for this run.');
const child = headless
  ? spawn('bash', [join(root, 'scripts', 'with-keyring.sh'), bin('tsx'), join(root, 'scripts', 'start-all.ts')], { cwd: root, stdio: 'inherit', env })
  : spawn(bin('tsx'), [join(root, 'scripts', 'start-all.ts')], { cwd: root, stdio: 'inherit', env });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code) => process.exit(code ?? 0));
