/** The desk's screens as hash routes: pure, so it is testable without a DOM. */
export type Route =
  | { name: 'orders' }
  | { name: 'newOrder' }
  | { name: 'order'; id: string }
  | { name: 'patients' }
  | { name: 'patient'; id: string }
  | { name: 'sync' }
  | { name: 'settings' }
  | { name: 'activity' }
  | { name: 'users' }
  | { name: 'notices' };

const UUID = '[0-9a-f-]{36}';

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '');
  let m: RegExpExecArray | null;
  if (path === '/orders/new') return { name: 'newOrder' };
  if ((m = new RegExp(`^/orders/(${UUID})$`).exec(path))) return { name: 'order', id: m[1]! };
  if (path === '/patients') return { name: 'patients' };
  if ((m = new RegExp(`^/patients/(${UUID})$`).exec(path))) return { name: 'patient', id: m[1]! };
  if (path === '/sync') return { name: 'sync' };
  if (path === '/settings') return { name: 'settings' };
  if (path === '/activity') return { name: 'activity' };
  if (path === '/users') return { name: 'users' };
  if (path === '/notices') return { name: 'notices' };
  return { name: 'orders' };
}

export function href(route: Route): string {
  switch (route.name) {
    case 'orders':
      return '#/orders';
    case 'newOrder':
      return '#/orders/new';
    case 'order':
      return `#/orders/${route.id}`;
    case 'patient':
      return `#/patients/${route.id}`;
    default:
      return `#/${route.name}`;
  }
}

