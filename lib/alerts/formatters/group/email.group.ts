import type { GroupCard } from "../../grouping/group-card";
import { groupView } from "../../grouping/group-view";
import { ACCENT, type EmailContent, escapeHtml, SANS, STYLE } from "../email.formatter";
import { truncate } from "../fit";

/** How much of a group an email lists; the rest is "+K more". */
export const EMAIL_GROUP = {
  /** Members listed at most. */
  members: 200,
  name: 120,
  line: 300,
  /**
   * The HTML part's size in UTF-8 bytes. Gmail clips messages past 102 KB
   * behind "[Message clipped]"; this keeps the whole message, text part and
   * headers included, under that.
   */
  htmlBytes: 60_000,
  textBytes: 30_000,
} as const;

const SUBJECT_MAX = 200;
const bytes = (s: string) => Buffer.byteLength(s, "utf8");

/**
 * A group message as an email: the headline with count and type as the
 * subject and heading, the summary, the newest members (model, key line,
 * link) as table rows, "+K more" linking to the history filtered to the
 * group. Rows are added while the HTML stays within EMAIL_GROUP.htmlBytes,
 * so a batch of any size (1,000 members and more) makes an email Gmail does
 * not clip. All user text is escaped. Pure.
 */
export function formatEmailGroup(card: GroupCard): EmailContent {
  const view = groupView(card, EMAIL_GROUP.members);
  const e = escapeHtml;
  const subject = truncate(view.headline.replace(/\s+/g, " ").trim(), SUBJECT_MAX);
  const settings = `${card.appUrl}/settings/alerts`;
  const members = view.members.slice(0, EMAIL_GROUP.members).map((m) => ({
    name: truncate(m.name, EMAIL_GROUP.name),
    line: m.line ? truncate(m.line, EMAIL_GROUP.line) : undefined,
    url: m.url,
  }));

  const shell = (rows: string, moreHtml: string) =>
    htmlShell(view, subject, rows, moreHtml, settings);
  const moreHtml = (k: number) =>
    k > 0
      ? `<tr><td class="px muted" style="padding:16px 32px 0 32px;font-family:${SANS};font-size:14px;line-height:21px;color:#4b5563;">+${k} more — <a class="link" href="${e(view.historyUrl)}" target="_blank" style="color:#2563eb;">see all ${view.total} in history</a></td></tr>`
      : "";
  const rowOf = (m: (typeof members)[number], i: number) => `<tr>
<td class="fg rule" dir="auto" valign="top" style="padding:9px 0;${i > 0 ? "border-top:1px solid #e5e7eb;" : ""}font-family:${SANS};font-size:14px;line-height:20px;color:#111827;word-break:break-word;overflow-wrap:anywhere;"><a class="link" href="${e(m.url)}" target="_blank" style="color:#2563eb;font-weight:600;text-decoration:none;">${e(m.name)}</a>${m.line ? `<br><span class="muted" style="color:#4b5563;">${e(m.line)}</span>` : ""}</td>
</tr>`;

  // Rows while the whole HTML, with its "+K more" line, fits the budget.
  const rows: string[] = [];
  let size = bytes(shell("", moreHtml(view.total)));
  for (const [i, m] of members.entries()) {
    const row = rowOf(m, i);
    if (size + bytes(row) + 1 > EMAIL_GROUP.htmlBytes) break;
    rows.push(row);
    size += bytes(row) + 1;
  }
  const html = shell(rows.join("\n"), moreHtml(view.total - rows.length));

  const textLines = [view.headline, "", view.summary, ""];
  let textSize = bytes(textLines.join("\n"));
  let listedText = 0;
  for (const m of members.slice(0, rows.length)) {
    const entry = `- ${m.name}${m.line ? ` — ${m.line}` : ""}\n  ${m.url}`;
    if (textSize + bytes(entry) + 1 > EMAIL_GROUP.textBytes) break;
    textLines.push(entry);
    textSize += bytes(entry) + 1;
    listedText++;
  }
  const moreText = view.total - listedText;
  if (moreText > 0) textLines.push("", `+${moreText} more: ${view.historyUrl}`);
  textLines.push(
    "",
    `View in History: ${view.historyUrl}`,
    "",
    "--",
    "You get this email because this kind of alert is on in your Training Alerts settings; bursts of alerts come grouped.",
    `Change which alerts you get, or the grouping window: ${settings}`,
  );
  return { subject, text: `${textLines.join("\n")}\n`, html };
}

function htmlShell(
  view: ReturnType<typeof groupView>,
  subject: string,
  rows: string,
  moreHtml: string,
  settings: string,
): string {
  const e = escapeHtml;
  const accent = ACCENT[view.level];
  const list = rows
    ? `<tr><td class="px" style="padding:8px 32px 0 32px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;">
${rows}
</table>
</td></tr>`
    : "";
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="x-apple-disable-message-reformatting">
<meta name="color-scheme" content="light dark">
<meta name="supported-color-schemes" content="light dark">
<title>${e(subject)}</title>
<style>${STYLE}</style>
</head>
<body class="page" style="margin:0;padding:0;background:#f3f4f6;">
<div style="display:none;font-size:1px;line-height:1px;max-height:0;max-width:0;opacity:0;overflow:hidden;mso-hide:all;">${e(view.summary)}</div>
<table role="presentation" class="page" width="100%" cellpadding="0" cellspacing="0" border="0" style="background:#f3f4f6;">
<tr><td align="center" style="padding:24px 12px;">
<table role="presentation" class="container" width="600" cellpadding="0" cellspacing="0" border="0" style="width:600px;max-width:600px;">
<tr><td class="muted" style="padding:0 4px 12px 4px;font-family:${SANS};font-size:13px;line-height:18px;font-weight:600;color:#6b7280;">Training Alerts</td></tr>
<tr><td class="card" style="background:#ffffff;border:1px solid #e5e7eb;border-top:4px solid ${accent};border-radius:8px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0">
<tr><td class="px" style="padding:28px 32px 0 32px;">
<h1 class="fg" dir="auto" style="margin:0;font-family:${SANS};font-size:22px;line-height:30px;font-weight:700;color:#111827;word-break:break-word;overflow-wrap:anywhere;">${e(view.headline)}</h1>
<p class="fg" style="margin:10px 0 0 0;font-family:${SANS};font-size:16px;line-height:24px;color:#111827;">${e(view.summary)}</p>
</td></tr>
${list}
${moreHtml}
<tr><td class="px" style="padding:24px 32px 32px 32px;">
<table role="presentation" cellpadding="0" cellspacing="0" border="0"><tr>
<td align="center" bgcolor="#2563eb" style="background:#2563eb;border-radius:6px;">
<a href="${e(view.historyUrl)}" target="_blank" style="display:inline-block;padding:12px 22px;font-family:${SANS};font-size:15px;line-height:20px;font-weight:600;color:#ffffff;text-decoration:none;border-radius:6px;">View in History</a>
</td></tr></table>
</td></tr>
</table>
</td></tr>
<tr><td class="muted" style="padding:16px 4px 0 4px;font-family:${SANS};font-size:12px;line-height:18px;color:#6b7280;">
Bursts of alerts come grouped into one email. <a class="muted link" href="${e(settings)}" target="_blank" style="color:#6b7280;text-decoration:underline;">Change which alerts you get, or the grouping window</a>.
</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
`;
}
