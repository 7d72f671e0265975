import type { WebhookType } from "@/lib/alerts/client";

const LOOK: Record<WebhookType, { fill: string; glyph: string }> = {
  slack: { fill: "#611f69", glyph: "#" },
  discord: { fill: "#4752c4", glyph: "D" },
  generic: { fill: "#334155", glyph: "{}" },
  teams: { fill: "#4b53bc", glyph: "T" },
  telegram: { fill: "#229ed9", glyph: "✈" },
  ntfy: { fill: "#338574", glyph: "n" },
  pagerduty: { fill: "#06ac38", glyph: "P" },
  mattermost: { fill: "#1e325c", glyph: "M" },
};

/** A small badge for the webhook's platform; decorative (the type is also written out). */
export function WebhookIcon({ type }: { type: WebhookType }) {
  const look = LOOK[type] ?? LOOK.generic;
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
