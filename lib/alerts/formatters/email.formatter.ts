import { type AlertCard, jobUrl, settingsUrl } from "./card";
import { alertError, alertFields } from "./fields";

export interface EmailContent {
  subject: string;
  text: string;
  html: string;
}

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );

/** An alert as an email: subject, plain text and simple inline-styled HTML. Pure. */
export function formatEmail(card: AlertCard): EmailContent {
  const fields = alertFields(card);
  const error = alertError(card);
  const link = jobUrl(card);
  const text = [
    card.title,
    "",
    card.message,
    ...(fields.length ? ["", ...fields.map((f) => `${f.name}: ${f.value}`)] : []),
    ...(error ? ["", error] : []),
    "",
    `View details: ${link}`,
    "",
    `Change which alerts you get: ${settingsUrl(card)}`,
  ].join("\n");
  const rows = fields
    .map(
      (f) =>
        `<tr><td style="padding:4px 12px 4px 0;color:#555">${escapeHtml(f.name)}</td><td style="padding:4px 0;font-weight:600">${escapeHtml(f.value)}</td></tr>`,
    )
    .join("");
  const html = `<!doctype html><html><body style="margin:0;padding:16px;font-family:Arial,Helvetica,sans-serif;color:#111;background:#fff">
<div style="max-width:600px;margin:0 auto">
<h1 style="font-size:20px;margin:0 0 12px">${escapeHtml(card.title)}</h1>
<p style="margin:0 0 12px;white-space:pre-line">${escapeHtml(card.message)}</p>
${rows ? `<table role="presentation" style="border-collapse:collapse;margin:0 0 12px">${rows}</table>` : ""}
${error ? `<pre style="background:#f4f4f4;padding:12px;overflow:auto;font-size:12px;white-space:pre-wrap">${escapeHtml(error)}</pre>` : ""}
<p style="margin:16px 0"><a href="${escapeHtml(link)}" style="background:#2563eb;color:#fff;padding:10px 16px;text-decoration:none;border-radius:4px">View details</a></p>
<p style="font-size:12px;color:#666;margin-top:24px"><a href="${escapeHtml(settingsUrl(card))}" style="color:#666">Change which alerts you get</a></p>
</div></body></html>`;
  return { subject: card.title, text, html };
}
