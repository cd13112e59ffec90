import { readStatic } from '../host/static-files';
import { SECURITY_HEADERS, deskCsp } from '../host/csp';
import type { ElectronSurface } from './surface';
import { DESK_SCHEME } from './window';

/** Must run before app 'ready': app:// behaves like a secure, standard origin. */
export function registerDeskScheme(protocol: ElectronSurface['protocol']): void {
  protocol.registerSchemesAsPrivileged([{ scheme: DESK_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
}

/** Serves the built desk from disk with the same CSP as the browser host; nothing else. */
export function serveDesk(protocol: ElectronSurface['protocol'], deskDir: string): void {
  protocol.handle(DESK_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== 'desk' || request.method !== 'GET') return new Response('Not found', { status: 404 });
    const found = await readStatic(deskDir, url.pathname).catch(() => null);
    if (!found) return new Response('Not found', { status: 404 });
    return new Response(new Uint8Array(found.body), {
      status: 200,
      headers: { ...SECURITY_HEADERS, 'Content-Type': found.mime, 'Content-Security-Policy': deskCsp() },
    });
  });
}
