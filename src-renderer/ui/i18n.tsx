import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { makeI18n, type I18n, type Language } from './i18n-core';

export { errorBody, isMessageKey, makeI18n, translate, type I18n, type Language, type MessageKey, type Params } from './i18n-core';

const Ctx = createContext<I18n | null>(null);
const STORAGE_KEY = 'kassa.language';

function initialLanguage(): Language {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved === 'sv' || saved === 'en') return saved;
  } catch {
    // storage may be unavailable; Swedish is the default
  }
  return 'sv';
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [language, setLang] = useState<Language>(initialLanguage);
  const setLanguage = useCallback((l: Language) => {
    setLang(l);
    try {
      localStorage.setItem(STORAGE_KEY, l);
    } catch {
      // not fatal: the choice just is not remembered
    }
    document.documentElement.lang = l;
  }, []);
  const value = useMemo(() => makeI18n(language, setLanguage), [language, setLanguage]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useI18n(): I18n {
  const v = useContext(Ctx);
  if (!v) throw new Error('useI18n outside I18nProvider');
  return v;
}
