import { z } from 'zod';

/** Query-string parsing with zod: repeated keys take the last value, empty values count as absent. */
export function parseQuery<S extends z.ZodType>(url: URL, schema: S): z.infer<S> {
  const raw: Record<string, string> = {};
  for (const [key, value] of url.searchParams) if (value !== '') raw[key] = value;
  return schema.parse(raw);
}

export const idParam = z.string().trim().min(1).max(200);
export const isoDateTime = z
  .string()
  .refine((v) => !Number.isNaN(Date.parse(v)), 'must be an ISO 8601 date or date-time')
  .transform((v) => new Date(v));
