import { HttpError } from "../errors/http-error";
import { uuid } from "./api/fields";

/** The job id from a route's path: a UUID, or 422 naming it. */
export function jobIdParam(params: Record<string, string>): string {
  const id = params.id ?? "";
  if (!uuid.safeParse(id).success)
    throw HttpError.field("id", "the job id in the path must be a UUID");
  return id.toLowerCase();
}

export const jobNotFound = () =>
  new HttpError(
    "not_found",
    "No training job with this id; create it first with PUT /api/training/jobs/{id}.",
  );
