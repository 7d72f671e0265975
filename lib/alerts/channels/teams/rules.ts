/**
 * What a Teams Workflows webhook's answers mean: any 2xx is success (Power
 * Automate answers 202 Accepted); 401 with `DirectApiAuthorizationRequired`
 * (the flow's trigger no longer accepts anonymous calls, or its signature was
 * regenerated) and 404 (the flow was deleted) mean the URL is dead; 429 and
 * 5xx retry (Power Automate request limits,
 * https://learn.microsoft.com/power-automate/limits-and-config). Pure.
 */
export function isTeamsRevoked(status: number, body: string): boolean {
  return status === 404 || (status === 401 && /DirectApiAuthorizationRequired/i.test(body));
}
