import { z } from "zod";
import { displayName, uuid } from "./fields";

/** `POST /api/alerts/keys`. */
export const keyCreateSchema = z.strictObject({ name: displayName });

export const keyViewSchema = z.object({
  id: uuid,
  name: z.string(),
  prefix: z.string().describe("the key's first characters, to tell keys apart"),
  created_at: z.iso.datetime(),
  last_used_at: z.iso
    .datetime()
    .nullable()
    .describe("updated at most once a minute while the key is used"),
});

export const keyCreatedSchema = z.object({
  id: uuid,
  name: z.string(),
  key: z.string().describe("tak_ + 32 random bytes in base64url; shown only in this answer"),
  prefix: z.string(),
  created_at: z.iso.datetime(),
});
