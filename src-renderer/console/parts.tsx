import { useState, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes } from 'react';
import { useI18n } from './i18n';

let nextId = 0;
const useId = (given?: string) => useState(() => given ?? `f${++nextId}`)[0];

type FieldProps = InputHTMLAttributes<HTMLInputElement> & { label: string; error?: string | undefined };

/** A labelled input; a field error is announced and tied to the input. */
export function Field({ label, error, id, ...rest }: FieldProps) {
  const fid = useId(id);
  return (
    <label className="field" htmlFor={fid}>
      <span>{label}</span>
      <input id={fid} aria-invalid={error ? true : undefined} aria-describedby={error ? `${fid}-err` : undefined} {...rest} />
      {error ? (
        <small id={`${fid}-err`} className="field-error" role="alert">
          {error}
        </small>
      ) : null}
    </label>
  );
}

type SelectProps = SelectHTMLAttributes<HTMLSelectElement> & { label: string; error?: string | undefined; children: ReactNode };

export function Select({ label, error, id, children, ...rest }: SelectProps) {
  const fid = useId(id);
  return (
    <label className="field" htmlFor={fid}>
      <span>{label}</span>
      <select id={fid} aria-invalid={error ? true : undefined} {...rest}>
        {children}
      </select>
      {error ? (
        <small className="field-error" role="alert">
          {error}
        </small>
      ) : null}
    </label>
  );
}

export function ErrorBox({ error }: { error: unknown }) {
  const { error: text } = useI18n();
  if (!error) return null;
  return (
    <div className="notice notice-error" role="alert">
      {text(error)}
    </div>
  );
}

export function Ok({ children }: { children: ReactNode }) {
  return (
    <div className="notice notice-ok" role="status">
      {children}
    </div>
  );
}

export function Badge({ children, kind = 'plain' }: { children: ReactNode; kind?: 'plain' | 'ok' | 'warn' | 'bad' }) {
  return <span className={`badge badge-${kind}`}>{children}</span>;
}

/** Runs an async action with a busy flag and the error kept for display. */
export function useAction(): { busy: boolean; error: unknown; run: <T>(f: () => Promise<T>) => Promise<T | undefined>; setError: (e: unknown) => void } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return {
    busy,
    error,
    setError,
    async run(f) {
      setBusy(true);
      setError(null);
      try {
        return await f();
      } catch (e) {
        setError(e);
        return undefined;
      } finally {
        setBusy(false);
      }
    },
  };
}
