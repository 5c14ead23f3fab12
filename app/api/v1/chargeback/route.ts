import { z } from 'zod';
import { billingAccount, chargeLines, chargebackSummary } from '@/db/queries/chargeback';
import { departmentExists } from '@/db/queries/departments';
import { NotFoundError } from '@/lib/engine/errors';
import { FOCUS_COLUMNS, focusFilename, focusRows, monthPeriod, type MonthPeriod } from '@/lib/engine/focus';
import { departmentScope } from '@/lib/http/context';
import { csvResponse, toCsv } from '@/lib/http/csv';
import { idParam, parseQuery } from '@/lib/http/params';
import { withAuth } from '@/lib/http/route';

const MONTH_MESSAGE = 'must be a calendar month as YYYY-MM, e.g. 2026-11';

const query = z
  .object({
    month: z
      .string({ error: MONTH_MESSAGE })
      .transform((text, ctx): MonthPeriod => {
        const period = monthPeriod(text);
        if (!period) {
          ctx.addIssue({ code: 'custom', message: MONTH_MESSAGE });
          return z.NEVER;
        }
        return period;
      }),
    department: idParam.optional(),
    format: z.enum(['json', 'focus']).default('json'),
  })
  .strict();

/** A month's chargeback per department and project: JSON, or a FOCUS 1.2 CSV with `format=focus`. */
export const GET = withAuth('chargeback.read', async ({ ctx, url }) => {
  const q = parseQuery(url, query);
  const departmentId = departmentScope(ctx, q.department);
  if (departmentId && !(await departmentExists(ctx, departmentId))) throw new NotFoundError('No such department.');
  const scope = { db: ctx.db, organisationId: ctx.organisationId, departmentId };
  if (q.format === 'focus') {
    const [account, lines] = await Promise.all([billingAccount(scope), chargeLines(scope, q.month)]);
    return csvResponse(toCsv(FOCUS_COLUMNS, focusRows(lines, account, q.month)), focusFilename(q.month.label));
  }
  return Response.json(await chargebackSummary(scope, q.month), { headers: { 'cache-control': 'no-store' } });
});
