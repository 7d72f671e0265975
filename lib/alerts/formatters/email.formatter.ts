import type { AlertLevel, AlertView } from "../templates/template.types";
import { errorTail } from "../templates/text";
import { type AlertCard, settingsUrl } from "./card";
import { truncate } from "./fit";
import { type ReportEmail, reportEmail } from "./report.email";
import { cardView, linkUrl } from "./view";

export interface EmailContent {
  subject: string;
  text: string;
  html: string;
}

/** Longer subjects are cut by every client anyway; 300-char model names must not make 1 KB headers. */
const SUBJECT_MAX = 200;
/** How much of an error an email shows: far more than chat, still a screenful. */
const ERROR_TAIL = { maxChars: 3000, maxLines: 30 };

export const ACCENT: Record<AlertLevel, string> = {
  failure: "#dc2626",
  success: "#16a34a",
  warning: "#d97706",
  info: "#2563eb",
};

/**
 * Headers every alert email carries. `List-Unsubscribe` points at the alert
 * settings page, where each type can be switched off; there is no
 * `List-Unsubscribe-Post` (RFC 8058 one-click) because that requires an
 * endpoint that unsubscribes on a bare POST, which this app does not have.
 * `Auto-Submitted` keeps out-of-office replies away (RFC 3834).
 */
export function emailHeaders(appUrl: string): Record<string, string> {
  return {
    "List-Unsubscribe": `<${appUrl}/settings/alerts>`,
    "Auto-Submitted": "auto-generated",
  };
}

export const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );

/**
 * An alert as an email: subject, a plain-text part and an HTML part. The
 * HTML is a table layout with inline styles (Gmail and Outlook drop or ignore
 * most stylesheet rules), at most 600 px wide and fluid below that; a
 * `color-scheme` meta and a `prefers-color-scheme` block give clients that
 * support them a real dark theme, and the light colours are chosen so that
 * clients which invert colours on their own stay readable. All user text is
 * escaped. Pure.
 */
export function formatEmail(card: AlertCard): EmailContent {
  const view = cardView(card);
  const subject = truncate(view.title.replace(/\s+/g, " ").trim(), SUBJECT_MAX);
  const error = view.details ? errorTail(view.details.text, ERROR_TAIL) : undefined;
  const link = linkUrl(card, view);
  const settings = settingsUrl(card);
  const why = isSystemNotice(card.type)
    ? "Training Alerts sends this notice about your alert settings."
    : "You get this email because this kind of alert is on in your Training Alerts settings.";
  // Reports (daily summary, weekly digest) lay their data out in full.
  const report = reportEmail(card);
  return {
    subject,
    text: renderText(view, error, link, settings, why, report, card.mute),
    html: renderHtml(view, subject, error, link, settings, why, report, card.mute),
  };
}

/** Notices about the alert settings themselves, which no preference switches off. */
const isSystemNotice = (type: string) =>
  type === "rate_limit_notice" || type === "webhook_disabled";

function renderText(
  view: AlertView,
  error: string | undefined,
  link: string,
  settings: string,
  why: string,
  report?: ReportEmail,
  mute?: AlertCard["mute"],
): string {
  const width = Math.max(0, ...view.facts.map((f) => f.label.length)) + 2;
  const lines = [view.headline, "", view.summary];
  if (view.facts.length > 0) {
    lines.push("", ...view.facts.map((f) => `${`${f.label}:`.padEnd(width)}${f.value}`));
  }
  if (report) lines.push(...report.text);
  if (view.details && error) {
    lines.push(
      "",
      `${view.details.label} (last lines):`,
      "",
      ...error.split("\n").map((l) => `    ${l}`),
    );
  }
  if (view.hint) lines.push("", view.hint);
  lines.push(
    "",
    `${view.link.label}: ${link}`,
    ...(mute ? [`${mute.label}: ${mute.url}`] : []),
    "",
    "--",
    why,
    `Change which alerts you get: ${settings}`,
  );
  return `${lines.join("\n")}\n`;
}

// Font stacks: Outlook on Windows falls back to Times without an explicit list.
export const SANS = "-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";
export const MONO = "ui-monospace,SFMono-Regular,Menlo,Consolas,'Liberation Mono',monospace";

/** Dark theme and small-screen rules, for the clients that read a <style> block. */
export const STYLE = `
:root { color-scheme: light dark; supported-color-schemes: light dark; }
body { margin: 0; padding: 0; width: 100% !important; -webkit-text-size-adjust: 100%; }
a { color: #2563eb; }
@media (max-width: 620px) {
  .container { width: 100% !important; }
  .px { padding-left: 18px !important; padding-right: 18px !important; }
  .fact-label { width: 104px !important; }
}
@media (prefers-color-scheme: dark) {
  .page { background: #0d1117 !important; }
  .card { background: #161b22 !important; border-left-color: #30363d !important; border-right-color: #30363d !important; border-bottom-color: #30363d !important; }
  .fg { color: #e6edf3 !important; }
  .muted { color: #9aa4b2 !important; }
  .rule { border-color: #30363d !important; }
  .code { background: #0d1117 !important; border-color: #30363d !important; color: #e6edf3 !important; }
  .link { color: #79b8ff !important; }
}
[data-ogsc] .page { background: #0d1117 !important; }
[data-ogsc] .card { background: #161b22 !important; border-left-color: #30363d !important; border-right-color: #30363d !important; border-bottom-color: #30363d !important; }
[data-ogsc] .fg { color: #e6edf3 !important; }
[data-ogsc] .muted { color: #9aa4b2 !important; }
[data-ogsc] .code { background: #0d1117 !important; color: #e6edf3 !important; }
`;

function renderHtml(
  view: AlertView,
  subject: string,
  error: string | undefined,
  link: string,
  settings: string,
  why: string,
  report?: ReportEmail,
  mute?: AlertCard["mute"],
): string {
  const e = escapeHtml;
  const accent = ACCENT[view.level];
  const facts = view.facts
    .map(
      (f, i) => `<tr>
<td class="fact-label muted rule" width="140" valign="top" style="width:140px;padding:9px 12px 9px 0;${i > 0 ? "border-top:1px solid #e5e7eb;" : ""}font-family:${SANS};font-size:14px;line-height:20px;color:#6b7280;">${e(f.label)}</td>
<td class="fg rule" dir="auto" valign="top" style="padding:9px 0;${i > 0 ? "border-top:1px solid #e5e7eb;" : ""}font-family:${SANS};font-size:14px;line-height:20px;font-weight:600;color:#111827;word-break:break-word;overflow-wrap:anywhere;">${e(f.value)}</td>
</tr>`,
    )
    .join("\n");
  const factsRow = facts
    ? `<tr><td class="px" style="padding:8px 32px 0 32px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;">
${facts}
</table>
</td></tr>`
    : "";
  const errorRow =
    view.details && error
      ? `<tr><td class="px" style="padding:20px 32px 0 32px;">
<p class="muted" style="margin:0 0 8px 0;font-family:${SANS};font-size:13px;line-height:18px;font-weight:600;color:#6b7280;">${e(view.details.label)} (last lines)</p>
<pre class="code" dir="ltr" style="margin:0;padding:12px 14px;background:#f6f8fa;border:1px solid #e5e7eb;border-radius:6px;font-family:${MONO};font-size:12px;line-height:18px;color:#1f2937;white-space:pre-wrap;word-wrap:break-word;overflow-wrap:anywhere;">${e(error)}</pre>
</td></tr>`
      : "";
  const hintRow = view.hint
    ? `<tr><td class="px" style="padding:16px 32px 0 32px;">
<p class="muted" style="margin:0;font-family:${SANS};font-size:14px;line-height:21px;color:#4b5563;">💡 ${e(view.hint)}</p>
</td></tr>`
    : "";
  // Hidden preview text; the filler stops clients pulling body text into the preview.
  const preheader = `${e(view.summary)}${"&#847;&zwnj;&nbsp;".repeat(40)}`;

  return `<!DOCTYPE html>
<html lang="en" xmlns="http://www.w3.org/1999/xhtml" xmlns:o="urn:schemas-microsoft-com:office:office">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<meta name="x-apple-disable-message-reformatting">
<meta name="format-detection" content="telephone=no, date=no, address=no, email=no">
<meta name="color-scheme" content="light dark">
<meta name="supported-color-schemes" content="light dark">
<title>${e(subject)}</title>
<style>${STYLE}</style>
<!--[if mso]><noscript><xml><o:OfficeDocumentSettings><o:PixelsPerInch>96</o:PixelsPerInch></o:OfficeDocumentSettings></xml></noscript><![endif]-->
</head>
<body class="page" style="margin:0;padding:0;background:#f3f4f6;">
<div style="display:none;font-size:1px;line-height:1px;max-height:0;max-width:0;opacity:0;overflow:hidden;mso-hide:all;">${preheader}</div>
<table role="presentation" class="page" width="100%" cellpadding="0" cellspacing="0" border="0" style="background:#f3f4f6;">
<tr><td align="center" style="padding:24px 12px;">
<!--[if mso]><table role="presentation" width="600" cellpadding="0" cellspacing="0" border="0"><tr><td><![endif]-->
<table role="presentation" class="container" width="600" cellpadding="0" cellspacing="0" border="0" style="width:600px;max-width:600px;">
<tr><td class="muted" style="padding:0 4px 12px 4px;font-family:${SANS};font-size:13px;line-height:18px;font-weight:600;color:#6b7280;">Training Alerts</td></tr>
<tr><td class="card" style="background:#ffffff;border:1px solid #e5e7eb;border-top:4px solid ${accent};border-radius:8px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0">
<tr><td class="px" style="padding:28px 32px 0 32px;">
<h1 class="fg" style="margin:0;font-family:${SANS};font-size:22px;line-height:30px;font-weight:700;color:#111827;">${e(view.headline)}</h1>
<p class="fg" dir="auto" style="margin:10px 0 0 0;font-family:${SANS};font-size:16px;line-height:24px;color:#111827;word-break:break-word;overflow-wrap:anywhere;">${e(view.summary)}</p>
</td></tr>
${report ? report.html : factsRow}
${errorRow}
${hintRow}
<tr><td class="px" style="padding:24px 32px 32px 32px;">
<table role="presentation" cellpadding="0" cellspacing="0" border="0"><tr>
<td align="center" bgcolor="#2563eb" style="background:#2563eb;border-radius:6px;">
<a href="${e(link)}" target="_blank" style="display:inline-block;padding:12px 22px;font-family:${SANS};font-size:15px;line-height:20px;font-weight:600;color:#ffffff;text-decoration:none;border-radius:6px;">${e(view.link.label)}</a>
</td></tr></table>
</td></tr>
</table>
</td></tr>
<tr><td class="muted" style="padding:16px 4px 0 4px;font-family:${SANS};font-size:12px;line-height:18px;color:#6b7280;">
${e(why)} <a class="muted link" href="${e(settings)}" target="_blank" style="color:#6b7280;text-decoration:underline;">Change which alerts you get</a>.${mute ? ` <a class="muted link" href="${e(mute.url)}" target="_blank" style="color:#6b7280;text-decoration:underline;">${e(mute.label)}</a>.` : ""}
</td></tr>
</table>
<!--[if mso]></td></tr></table><![endif]-->
</td></tr>
</table>
</body>
</html>
`;
}
