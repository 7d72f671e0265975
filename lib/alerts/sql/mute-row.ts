import type { MuteScope } from "../mute-link";

/** A mute as the API answers it. */
export interface MuteRow {
  id: string;
  scope: MuteScope;
  value: string;
  muted_until: Date;
  created_via: "web" | "link";
  created_at: Date;
}

/** The columns of a `MuteRow`, for `select`/`returning`. */
export const MUTE_COLUMNS = "id, scope, value, muted_until, created_via, created_at";
