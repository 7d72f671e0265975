/**
 * SQL fragments that render a job's values as the API's JSON, shared by the
 * job list and the job page so both say the same thing the same way.
 */

/** A timestamp as JSON.stringify writes a Date (`…T10:00:01.500Z`), whatever the session zone. */
export const isoUtc = (column: string) =>
  `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * A loss as JSON: a number, or "nan", "inf", "-inf" — the words producers
 * send — since JSON has no NaN or Infinity.
 */
export const lossJson = (column: string) =>
  `case when ${column} is null then 'null'::jsonb
        when ${column} = 'NaN'::float8 then '"nan"'::jsonb
        when ${column} = 'Infinity'::float8 then '"inf"'::jsonb
        when ${column} = '-Infinity'::float8 then '"-inf"'::jsonb
        else to_jsonb(${column}) end`;

/**
 * A job's fields as the API shows them (table alias `j`); `$now` names the
 * parameter holding the caller's clock, so a running job's duration is live.
 */
export const jobFieldsJson = (now: string) => `jsonb_build_object(
  'id', j.id, 'model_name', j.model_name, 'status', j.status,
  'current_step', j.current_step, 'total_steps', j.total_steps,
  'loss', ${lossJson("j.loss")},
  'gpu_count', j.gpu_count,
  'group', case when jsonb_typeof(j.metadata->'group') in ('string', 'number')
                then left(j.metadata->>'group', 200) end,
  'started_at', ${isoUtc("j.started_at")},
  'finished_at', ${isoUtc("j.finished_at")},
  'last_progress_at', ${isoUtc("j.last_progress_at")},
  'created_at', ${isoUtc("j.created_at")},
  'updated_at', ${isoUtc("j.updated_at")},
  'duration_seconds', case when j.started_at is not null then greatest(0, round(extract(epoch from
      coalesce(j.finished_at, greatest(${now}::timestamptz, j.started_at)) - j.started_at)))::bigint end)`;
