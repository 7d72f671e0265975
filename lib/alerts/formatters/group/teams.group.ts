import type { GroupCard } from "../../grouping/group-card";
import { type GroupMemberView, groupView } from "../../grouping/group-view";
import { truncate, utf8Length } from "../fit";
import {
  escapeTeams,
  TEAMS_COLOURS,
  TEAMS_LIMITS,
  type TeamsPayload,
  type TeamsTextBlock,
  teamsMessage,
} from "../teams.formatter";
import { markdownUrl } from "./member-list";

/** How much of a group a Teams card lists; the rest is "+K more". */
export const TEAMS_GROUP = {
  /** Members listed at most: a screenful, not a scroll. */
  members: 25,
  name: 80,
  line: 160,
} as const;

/**
 * Link text in `[text](url)`: escaped, and square brackets swapped for
 * full-width look-alikes, so a name cannot close the link early.
 */
const linkText = (s: string) => escapeTeams(s.replace(/\[/g, "［").replace(/\]/g, "］"));
const block = (text: string, extra: Partial<TeamsTextBlock> = {}): TeamsTextBlock => ({
  type: "TextBlock",
  text,
  wrap: true,
  ...extra,
});

/** "[mistral-7b](url) — torch.OutOfMemoryError: CUDA out of memory." */
function memberBlock(m: GroupMemberView): TeamsTextBlock {
  const name = `[${linkText(truncate(m.name, TEAMS_GROUP.name)) || "—"}](${markdownUrl(m.url)})`;
  const line = m.line ? ` — ${escapeTeams(truncate(m.line, TEAMS_GROUP.line))}` : "";
  return block(`${name}${line}`, { spacing: "Small" });
}

/**
 * A group message for a Teams Workflows webhook: an Adaptive Card 1.4 with
 * the headline with count and type, the summary, the newest members (model
 * linking to its job, key line), "+K more" linking to the history filtered
 * to the group, and a "View in History" action. Members are added while the
 * JSON stays within TEAMS_LIMITS.bodyBytes, so any batch fits. Pure.
 */
export function formatTeamsGroup(card: GroupCard): TeamsPayload {
  const view = groupView(card, TEAMS_GROUP.members);
  const head = [
    block(escapeTeams(truncate(view.headline, TEAMS_LIMITS.headline)) || "Alerts", {
      size: "Large",
      weight: "Bolder",
      color: TEAMS_COLOURS[view.level],
    }),
    block(escapeTeams(truncate(view.summary, TEAMS_LIMITS.summary)) || "…"),
  ];
  const more = (k: number) =>
    block(`+${k} more — [see all ${view.total} in history](${markdownUrl(view.historyUrl)})`, {
      isSubtle: true,
      spacing: "Medium",
    });
  const payload = (members: TeamsTextBlock[]): TeamsPayload => {
    const left = view.total - members.length;
    return teamsMessage({
      fallbackText: truncate(`${view.headline}: ${view.summary}`, 300),
      body: [...head, ...members, ...(left > 0 ? [more(left)] : [])],
      actions: [{ type: "Action.OpenUrl", title: "View in History", url: view.historyUrl }],
    });
  };

  // Measured with the largest "+K more" it can carry; each member adds its block and a comma.
  let size = utf8Length(JSON.stringify(payload([]))) + 1;
  const members: TeamsTextBlock[] = [];
  for (const m of view.members) {
    const b = memberBlock(m);
    const add = utf8Length(JSON.stringify(b)) + 1;
    if (size + add > TEAMS_LIMITS.bodyBytes) break;
    members.push(b);
    size += add;
  }
  return payload(members);
}
