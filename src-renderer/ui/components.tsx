import { createContext, useContext, useEffect, useId, useRef, type ReactNode, type InputHTMLAttributes, type SelectHTMLAttributes } from 'react';
import type { DeskApi } from '../../src-shared/api';
import { useI18n } from './i18n';

const ApiCtx = createContext<DeskApi | null>(null);
export const ApiProvider = ApiCtx.Provider;
export function useApi(): DeskApi {
  const api = useContext(ApiCtx);
  if (!api) throw new Error('useApi outside ApiProvider');
  return api;
}

interface FieldProps extends InputHTMLAttributes<HTMLInputElement> {
  readonly label: string;
  readonly error?: string | null | undefined;
  readonly hint?: string | null | undefined;
}

/** A labelled input whose error and hint are announced and tied to it (aria-describedby). */
export function Field({ label, error, hint, id, className, ...rest }: FieldProps) {
  const auto = useId();
  const inputId = id ?? auto;
  const msgId = `${inputId}-msg`;
  return (
    <div className={`field ${error ? 'field-error' : ''} ${className ?? ''}`}>
      <label htmlFor={inputId}>{label}</label>
      <input id={inputId} aria-invalid={error ? true : undefined} aria-describedby={error || hint ? msgId : undefined} {...rest} />
      {error ? (
        <div id={msgId} className="msg msg-error" role="alert">
          {error}
        </div>
      ) : hint ? (
        <div id={msgId} className="msg msg-hint">
          {hint}
        </div>
      ) : null}
    </div>
  );
}

interface SelectProps extends SelectHTMLAttributes<HTMLSelectElement> {
  readonly label: string;
  readonly error?: string | null | undefined;
  readonly children: ReactNode;
}
export function Select({ label, error, id, children, className, ...rest }: SelectProps) {
  const auto = useId();
  const selectId = id ?? auto;
  return (
    <div className={`field ${error ? 'field-error' : ''} ${className ?? ''}`}>
      <label htmlFor={selectId}>{label}</label>
      <select id={selectId} aria-invalid={error ? true : undefined} {...rest}>
        {children}
      </select>
      {error ? (
        <div className="msg msg-error" role="alert">
          {error}
        </div>
      ) : null}
    </div>
  );
}

/** A plain-language error for a failed call; nothing the person typed is touched. */
export function ErrorBox({ error }: { error: unknown }) {
  const i18n = useI18n();
  if (!error) return null;
  return (
    <div className="error-box" role="alert" data-testid="error">
      {i18n.error(error)}
    </div>
  );
}

export function Notice({ children, kind = 'info' }: { children: ReactNode; kind?: 'info' | 'ok' | 'warn' }) {
  return (
    <div className={`notice notice-${kind}`} role="status">
      {children}
    </div>
  );
}

/** A modal dialog: focus moves in, Esc closes, focus returns to where it was. */
export function Modal({ title, onClose, children }: { title: string; onClose: () => void; children: ReactNode }) {
  const ref = useRef<HTMLDivElement>(null);
  const titleId = useId();
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    const first = ref.current?.querySelector<HTMLElement>('input, select, textarea, button:not(.modal-x)');
    (first ?? ref.current)?.focus();
    return () => before?.focus();
  }, []);
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        className="modal"
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        ref={ref}
        tabIndex={-1}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            onClose();
          }
        }}
      >
        <header>
          <h2 id={titleId}>{title}</h2>
          <button type="button" className="modal-x" aria-label="×" onClick={onClose}>
            ×
          </button>
        </header>
        {children}
      </div>
    </div>
  );
}

export function StatusBadge({ status }: { status: string }) {
  const { t } = useI18n();
  const key = `status.${status}` as Parameters<typeof t>[0];
  return <span className={`badge badge-${status}`}>{t(key)}</span>;
}

/** Saves a file the core produced (base64) through a blob link: no navigation, CSP-friendly. */
export function downloadFile(file: { filename: string; mimeType: string; base64: string }): void {
  const bytes = Uint8Array.from(atob(file.base64), (c) => c.charCodeAt(0));
  const url = URL.createObjectURL(new Blob([bytes], { type: file.mimeType }));
  const a = document.createElement('a');
  a.href = url;
  a.download = file.filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
