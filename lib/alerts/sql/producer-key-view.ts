/** A producer key as its owner sees it: never the key, never its hash. */
export interface ProducerKeyView {
  id: string;
  name: string;
  prefix: string;
  created_at: Date;
  last_used_at: Date | null;
}

/** The columns of a `ProducerKeyView`, for `select`/`returning`. */
export const PRODUCER_KEY_VIEW = "id, name, prefix, created_at, last_used_at";
