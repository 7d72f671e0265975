import {
  type AlertCard,
  EVENT_TYPES,
  GROUP_MESSAGE_TYPE,
  historyPath,
  previewAlert,
  WEBHOOK_TYPES,
  type WebhookType,
} from "@/lib/alerts";
import type { HistoryItemJson } from "../../_lib/api";
import { formatWhen } from "../../_ui/format";
import { DELIVERY_STATUS_LABELS, typeLabel, WEBHOOK_TYPE_LABELS } from "../../_ui/labels";
import { MuteForm, type MuteTarget } from "./mute-form";
import { retryAction } from "./retry-action";

export interface WebhookRef {
  name: string;
  type: WebhookType;
}

const STATUS_TONE: Record<string, string> = {
  sent: "badge-good",
  delivered: "badge-good",
  partial: "badge-warn",
  pending: "badge-info",
  sending: "badge-info",
  retrying: "badge-warn",
  deferred: "badge-info",
  failed: "badge-bad",
  suppressed: "badge-muted",
  skipped: "badge-muted",
  muted: "badge-muted",
};

/** What an alert's Mute form offers: its job, its group label, its type. */
function muteTargets(item: HistoryItemJson): MuteTarget[] {
  const targets: MuteTarget[] = [];
  if (item.job_id) targets.push({ value: `job:${item.job_id}`, label: "this job" });
  const group = item.data.group;
  if (typeof group === "string" && group.trim()) {
    targets.push({ value: `group:${group.trim()}`, label: `the group “${group.trim()}”` });
  }
  if ((EVENT_TYPES as readonly string[]).includes(item.alert_type)) {
    targets.push({
      value: `type:${item.alert_type}`,
      label: `every “${typeLabel(item.alert_type)}” alert`,
    });
  }
  return targets;
}

export function StatusBadge({ status }: { status: string }) {
  const label = DELIVERY_STATUS_LABELS[status] ?? status;
  return <span className={`badge ${STATUS_TONE[status] ?? "badge-muted"}`}>{label}</span>;
}

/** The anchor of an alert's item, so a member can link to its group message. */
export const alertAnchor = (id: string) => `alert-${id}`;

/** The history of a group message's alerts: its label and type (no label: its type since it opened). */
function membersPath(item: HistoryItemJson): string {
  const type = typeof item.data.alert_type === "string" ? item.data.alert_type : undefined;
  return historyPath({
    group: item.group_label,
    alertType: type,
    ...(item.group_label ? {} : { since: new Date(item.created_at) }),
  });
}

/** One alert: a summary line that opens to its deliveries and message previews. */
export function HistoryItem({
  item,
  webhooks,
  zone,
  appUrl,
}: {
  item: HistoryItemJson;
  webhooks: Map<string, WebhookRef>;
  zone: string;
  appUrl: string;
}) {
  const grouped = item.alert_type === GROUP_MESSAGE_TYPE;
  return (
    <li className="history-item" id={alertAnchor(item.id)}>
      <details>
        <summary>
          <span className="history-summary">
            <span className="history-title">{item.title}</span>
            <span className="history-meta">
              <StatusBadge status={item.status} />
              <span className="badge badge-type">{typeLabel(item.alert_type)}</span>
              <time dateTime={item.created_at}>{formatWhen(item.created_at, zone)}</time>
            </span>
          </span>
        </summary>
        <div className="history-body stack">
          <p className="history-message">{item.message}</p>
          {grouped ? (
            <p className="group-message-note" data-testid="group-members">
              One message for a burst of{" "}
              {typeLabel(typeof item.data.alert_type === "string" ? item.data.alert_type : "")}{" "}
              alerts, sent when its window ended. <a href={membersPath(item)}>Show its alerts</a>
            </p>
          ) : null}
          <dl className="facts">
            {item.group_label ? (
              <div>
                <dt>Group</dt>
                <dd>
                  <a href={historyPath({ group: item.group_label })}>{item.group_label}</a>
                </dd>
              </div>
            ) : null}
            {item.job_id ? (
              <div className="span-2">
                <dt>Job</dt>
                <dd>
                  <a href={`/training/monitor?jobId=${item.job_id}`}>
                    <code>{item.job_id}</code>
                  </a>
                </dd>
              </div>
            ) : null}
            {item.deferred_until ? (
              <div>
                <dt>Deferred until</dt>
                <dd>
                  <time dateTime={item.deferred_until}>
                    {formatWhen(item.deferred_until, zone)}
                  </time>{" "}
                  (quiet hours)
                </dd>
              </div>
            ) : null}
            {item.suppressed_reason ? (
              <div>
                <dt>Not sent because</dt>
                <dd>{item.suppressed_reason}</dd>
              </div>
            ) : null}
          </dl>
          <Deliveries item={item} webhooks={webhooks} zone={zone} />
          {item.deliveries.some((d) => d.status === "failed" || d.status === "retrying") ? (
            <form action={retryAction} className="actions">
              <input type="hidden" name="id" value={item.id} />
              <button type="submit">Retry failed deliveries now</button>
            </form>
          ) : null}
          <MuteForm targets={muteTargets(item)} zone={zone} />
          <Previews item={item} webhooks={webhooks} appUrl={appUrl} />
        </div>
      </details>
    </li>
  );
}

function Deliveries({
  item,
  webhooks,
  zone,
}: {
  item: HistoryItemJson;
  webhooks: Map<string, WebhookRef>;
  zone: string;
}) {
  if (item.deliveries.length === 0) {
    return <p className="hint">No deliveries: nothing was sent for this alert.</p>;
  }
  return (
    <section aria-label="Deliveries">
      <h3 className="h4">Deliveries</h3>
      <ul className="deliveries">
        {item.deliveries.map((d) => {
          const hook = d.webhook_id ? webhooks.get(d.webhook_id) : undefined;
          const channel =
            d.channel === "email"
              ? "Email"
              : hook
                ? `${hook.name} (${WEBHOOK_TYPE_LABELS[hook.type]})`
                : `${d.webhook_name ?? "Webhook"} (deleted)`;
          const waiting = d.status === "deferred" || d.status === "retrying";
          return (
            <li key={d.id} className="delivery">
              <div className="delivery-head">
                <strong>{channel}</strong> <StatusBadge status={d.status} />
              </div>
              <dl className="facts compact">
                <div>
                  <dt>Attempts</dt>
                  <dd>{d.attempts}</dd>
                </div>
                {d.last_status_code ? (
                  <div>
                    <dt>{d.channel === "email" ? "Last reply code" : "Last HTTP status"}</dt>
                    <dd>{d.last_status_code}</dd>
                  </div>
                ) : null}
                {d.delivered_at ? (
                  <div>
                    <dt>Delivered</dt>
                    <dd>
                      <time dateTime={d.delivered_at}>{formatWhen(d.delivered_at, zone)}</time>
                    </dd>
                  </div>
                ) : null}
                {waiting && d.next_attempt_at ? (
                  <div>
                    <dt>{d.status === "deferred" ? "Deferred until" : "Next attempt"}</dt>
                    <dd>
                      <time dateTime={d.next_attempt_at}>
                        {formatWhen(d.next_attempt_at, zone)}
                      </time>
                    </dd>
                  </div>
                ) : null}
                {d.group ? (
                  <div className="wide" data-testid="group-message">
                    <dt>Grouped</dt>
                    <dd>
                      Went out in group message{" "}
                      <GroupMessageLink
                        id={d.group.message_alert_id ?? d.group.batch_id}
                        linked={d.group.message_alert_id !== null}
                        label={item.group_label}
                      />{" "}
                      with {d.group.size - 1} other{d.group.size === 2 ? "" : "s"}
                      {d.group.status ? (
                        <>
                          {" "}
                          · <StatusBadge status={d.group.status} />
                        </>
                      ) : null}
                    </dd>
                  </div>
                ) : null}
                {d.last_error ? (
                  <div className="wide">
                    <dt>{d.status === "skipped" || d.status === "suppressed" ? "Why" : "Error"}</dt>
                    <dd className="error-text">{d.last_error}</dd>
                  </div>
                ) : null}
              </dl>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

/** A member's group message: its short id, linked to its item in the group's history. */
function GroupMessageLink({
  id,
  linked,
  label,
}: {
  id: string;
  linked: boolean;
  label: string | null;
}) {
  const code = <code title={id}>{id.slice(0, 8)}</code>;
  if (!linked) return code;
  return <a href={`${historyPath({ group: label })}#${alertAnchor(id)}`}>{code}</a>;
}

/**
 * The message as each of the alert's channels formats it, from the same pure
 * formatters the delivery worker uses. Email is shown when the alert went (or
 * would have gone) by email; each webhook platform it went to gets its payload.
 */
function Previews({
  item,
  webhooks,
  appUrl,
}: {
  item: HistoryItemJson;
  webhooks: Map<string, WebhookRef>;
  appUrl: string;
}) {
  if (item.alert_type === GROUP_MESSAGE_TYPE) {
    // Its members are formatted when the window ends; the history keeps them, not the payload.
    return (
      <p className="hint">
        The message lists its alerts, newest first, with a link to the rest; each alert is shown
        here with its own preview.
      </p>
    );
  }
  const card: AlertCard = {
    id: item.id,
    type: item.alert_type,
    title: item.title,
    message: item.message,
    jobId: item.job_id,
    data: item.data,
    createdAt: new Date(item.created_at),
    appUrl,
  };
  const types = new Set<WebhookType>();
  let email = item.deliveries.length === 0;
  for (const d of item.deliveries) {
    if (d.channel === "email") email = true;
    else types.add((d.webhook_id && webhooks.get(d.webhook_id)?.type) || "generic");
  }
  // Email first, then the webhook kinds in the order the settings list them.
  const kinds: ("email" | WebhookType)[] = [
    ...(email ? (["email"] as const) : []),
    ...WEBHOOK_TYPES.filter((t) => types.has(t)),
  ];
  const previews = kinds.map((kind) => {
    const label = kind === "email" ? "Email" : WEBHOOK_TYPE_LABELS[kind];
    try {
      return { label, body: previewAlert(kind, card) ?? "(this build has no preview for it)" };
    } catch (error) {
      return { label, body: `(could not format: ${(error as Error).message})` };
    }
  });
  return (
    <section aria-label="Message preview">
      <h3 className="h4">Message preview</h3>
      {previews.map((p) => (
        <details key={p.label} className="preview-block">
          <summary>{p.label}</summary>
          <pre>{p.body}</pre>
        </details>
      ))}
    </section>
  );
}
