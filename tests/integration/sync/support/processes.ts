import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../../../..');

export interface Child {
  readonly proc: ChildProcess;
  /** Resolves when a line containing `text` has been printed. */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
  kill(): Promise<void>;
  readonly output: () => string;
}

/**
 * The sync server as `npm run server` starts it (package.json), node flags included, so what the
 * tests kill and the benchmark measures is the server as deployed.
 */
export function spawnServer(env: Record<string, string>): Child {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { server: string } };
  const m = /^node((?: --[\w-]+(?:=\S+)?)*) --import tsx (\S+\.ts)$/.exec(pkg.scripts.server);
  if (!m) throw new Error(`package.json scripts.server is not "node [--flags] --import tsx <script>.ts": ${pkg.scripts.server}`);
  return spawnTs(m[2]!, env, m[1]!.trim().split(' ').filter(Boolean));
}

export function spawnTs(script: string, env: Record<string, string>, nodeFlags: readonly string[] = []): Child {
  // node itself (not the tsx wrapper, which forks a child): SIGKILL must hit the real process.
  const proc = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', join(ROOT, script)], { cwd: ROOT, env: { ...process.env, ...env, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  const onData = (d: Buffer) => {
    out += d.toString();
    for (const w of [...waiters]) {
      if (out.includes(w.text)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  proc.stdout!.on('data', onData);
  proc.stderr!.on('data', onData);
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  return {
    proc,
    output: () => out,
    waitFor(text, timeoutMs = 30_000) {
      if (out.includes(text)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`timed out waiting for "${text}"; output:\n${out}`)), timeoutMs);
        waiters.push({ text, resolve: () => (clearTimeout(t), resolve()) });
        void exited.then(() => {
          if (!out.includes(text)) {
            clearTimeout(t);
            reject(new Error(`process exited before "${text}"; output:\n${out}`));
          }
        });
      });
    },
    async kill() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGKILL');
        await exited;
      }
    },
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}
