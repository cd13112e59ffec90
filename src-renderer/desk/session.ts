import { createContext, useContext } from 'react';
import type { SessionView } from '../../src-shared/api';

export const SessionCtx = createContext<SessionView | null>(null);
export function useSession(): SessionView {
  const s = useContext(SessionCtx);
  if (!s) throw new Error('useSession outside a session');
  return s;
}
