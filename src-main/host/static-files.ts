import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';

const MIME: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

/**
 * Resolves a URL path to a file inside `root`, or null. Decoding happens once, then the result
 * must stay under root: "..", encoded slashes and absolute paths cannot escape.
 */
export async function resolveStatic(root: string, urlPath: string): Promise<{ file: string; mime: string } | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0] ?? '/');
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const rel = decoded === '/' || decoded === '' ? 'index.html' : decoded.replace(/^\/+/, '');
  const base = resolve(root);
  const file = resolve(join(base, normalize(rel)));
  if (file !== base && !file.startsWith(base + sep)) return null;
  try {
    const s = await stat(file);
    if (!s.isFile()) return null;
  } catch {
    return null;
  }
  return { file, mime: MIME[extname(file).toLowerCase()] ?? 'application/octet-stream' };
}

export async function readStatic(root: string, urlPath: string): Promise<{ body: Buffer; mime: string } | null> {
  const found = await resolveStatic(root, urlPath);
  if (!found) return null;
  return { body: await readFile(found.file), mime: found.mime };
}
