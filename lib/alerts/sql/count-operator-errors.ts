import type { Queryable } from "../../db/types";
import { OPERATOR_ERROR_PREFIX } from "../channels/open-destination";

/**
 * Deliveries held back by the deployment's own fault (a webhook no key can
 * decrypt), still retrying: /api/health shows the count, so an operator sees
 * it before users do.
 */
export async function countOperatorErrors(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `select count(*)::int as n from alert_deliveries
     where status = 'retrying' and starts_with(last_error, $1)`,
    [OPERATOR_ERROR_PREFIX],
  );
  return rows[0]?.n ?? 0;
}
