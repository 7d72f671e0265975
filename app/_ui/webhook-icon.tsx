import { type WebhookType, webhookKind } from "@/lib/alerts/client";

/** A type this build does not know (a newer deployment's). */
const UNKNOWN = { fill: "#334155", glyph: "?" };

/** A small badge for the webhook's platform; decorative (the type is also written out). */
export function WebhookIcon({ type }: { type: WebhookType }) {
  const look = webhookKind(type)?.badge ?? UNKNOWN;
  return (
    <svg className="webhook-icon" viewBox="0 0 32 32" width="32" height="32" aria-hidden="true">
      <rect width="32" height="32" rx="7" fill={look.fill} />
      <text
        x="16"
        y="21.5"
        textAnchor="middle"
        fontSize={look.glyph.length > 1 ? 14 : 17}
        fontWeight="700"
        fontFamily="system-ui, sans-serif"
        fill="#fff"
      >
        {look.glyph}
      </text>
    </svg>
  );
}
