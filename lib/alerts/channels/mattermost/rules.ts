/**
 * What a Mattermost incoming webhook's answers mean
 * (https://developers.mattermost.com/integrate/webhooks/incoming/): 200 "ok";
 * 400 with `web.incoming_webhook.invalid.app_error` or 404 — the hook was
 * deleted or never existed; 403 — incoming webhooks were switched off or the
 * hook's channel is gone; 429 and 5xx retry. Pure.
 */
export function isMattermostRevoked(status: number, body: string): boolean {
  if (status === 404 || status === 403) return true;
  return status === 400 && /incoming_webhook\.invalid|invalid webhook|disabled/i.test(body);
}
