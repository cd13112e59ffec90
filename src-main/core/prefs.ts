import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';

const PrefsFile = z.record(z.string(), z.record(z.string(), z.json()));

/**
 * Per-user UI memory (the orders list's last filter). Small, not secret, not business data: a
 * JSON file next to the desk's settings, written atomically (temp file + rename).
 */
export class UserPrefs {
  private readonly file: string;
  constructor(dataDir: string) {
    this.file = join(dataDir, 'user-prefs.json');
  }

  private readAll(): z.infer<typeof PrefsFile> {
    try {
      const parsed = PrefsFile.safeParse(JSON.parse(readFileSync(this.file, 'utf8')));
      return parsed.success ? parsed.data : {};
    } catch {
      return {};
    }
  }

  get(userId: string, key: string): z.infer<ReturnType<typeof z.json>> | null {
    return this.readAll()[userId]?.[key] ?? null;
  }

  set(userId: string, key: string, value: z.infer<ReturnType<typeof z.json>>): void {
    const all = this.readAll();
    all[userId] = { ...all[userId], [key]: value };
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(all), { mode: 0o600 });
    renameSync(tmp, this.file);
  }
}
