import { join } from 'node:path';

/**
 * better-sqlite3 is rebuilt for Electron's ABI by electron-builder and unpacked from the asar
 * (electron-builder.yml asarUnpack); the packaged app must load that copy explicitly.
 */
export function betterSqliteBinding(isPackaged: boolean, resourcesPath: string): string | undefined {
  if (!isPackaged) return undefined;
  return join(resourcesPath, 'app.asar.unpacked', 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
}
