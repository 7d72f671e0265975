import Ajv from "ajv";
import draft6 from "ajv/dist/refs/json-schema-draft-06.json" with { type: "json" };
import schema from "../fixtures/adaptive-card-1.4.schema.json" with { type: "json" };

/**
 * Microsoft's Adaptive Card 1.4 JSON schema (draft-06), compiled once.
 * Formats are checked by the tests themselves (URLs parse), since ajv needs a
 * plugin for `uri-reference`; unknown annotation keywords such as `version`
 * are allowed (`strict: false`), as the schema uses them.
 */
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
ajv.addMetaSchema(draft6);
// The root's draft-04 style `id` (its public URL) is renamed `$id`, which ajv 8 reads.
const { id, ...rest } = schema;
const validate = ajv.compile({ $id: id, ...rest });

/** The schema's errors for a card, or an empty list when it is valid. */
export function adaptiveCardErrors(card: unknown): string[] {
  if (validate(card)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || "(root)"} ${e.message ?? ""}`);
}
