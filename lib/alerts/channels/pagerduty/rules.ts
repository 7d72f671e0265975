/**
 * What the PagerDuty Events API v2 answers mean
 * (https://developer.pagerduty.com/docs/events-api-v2/overview/#response-codes--retry-logic):
 * 202 accepted; 400 invalid event — with "Invalid routing key" the
 * integration is gone (revoked), anything else is our bug (failed); 429 too
 * many events (retry with backoff); 5xx retry. Pure.
 */
export function isPagerDutyRevoked(status: number, body: string): boolean {
  return status === 400 && /invalid routing key/i.test(body);
}
