import type { z } from 'zod';

export interface FieldIssue {
  readonly field: string;
  readonly message: string;
}

/** Turns a zod error into field-named issues: "lines.0.quantity: must be at least 1". */
export function zodIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({
    field: issue.path.length ? issue.path.map(String).join('.') : '(root)',
    message: issue.message,
  }));
}

export function formatZodError(error: z.ZodError): string {
  return zodIssues(error)
    .slice(0, 10)
    .map((i) => `${i.field}: ${i.message}`)
    .join('; ');
}
