import { type Axis, formatTick, fraction, niceAxis } from "./scale";

export interface ChartPoint {
  x: number;
  y: number;
}

/**
 * A line chart rendered on the server: the line is an SVG stretched over the
 * plot area (its stroke keeps its width), the axes and their labels are HTML,
 * so text stays readable at any width, with no JavaScript. Colours come from
 * CSS variables that also have a dark-mode set (training.css).
 */
export function LineChart({
  id,
  title,
  xLabel,
  yLabel,
  points,
  formatX = formatTick,
  summary,
  note,
}: {
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  points: ChartPoint[];
  formatX?: (v: number) => string;
  /** What the chart shows, in words, for screen readers. */
  summary: string;
  note?: string;
}) {
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const xAxis = spanAxis(Math.min(...xs), Math.max(...xs));
  const yAxis = niceAxis(Math.min(...ys), Math.max(...ys));
  const at = (p: ChartPoint) =>
    `${(fraction(p.x, xAxis) * 1000).toFixed(1)},${((1 - fraction(p.y, yAxis)) * 1000).toFixed(1)}`;
  const line = points.length > 0 ? `M${points.map(at).join("L")}` : "";
  return (
    <figure className="chart" aria-labelledby={`${id}-title`}>
      <figcaption id={`${id}-title`} className="chart-title">
        {title}
      </figcaption>
      <div className="chart-grid">
        <div className="chart-y-title" aria-hidden="true">
          <span>{yLabel}</span>
        </div>
        <div className="chart-y-ticks" aria-hidden="true">
          {yAxis.ticks.map((t) => (
            <span key={t} style={{ top: `${(1 - fraction(t, yAxis)) * 100}%` }}>
              {formatTick(t)}
            </span>
          ))}
        </div>
        <div className="chart-plot">
          <svg
            viewBox="0 0 1000 1000"
            preserveAspectRatio="none"
            role="img"
            aria-label={`${title}: ${summary}`}
            focusable="false"
          >
            {yAxis.ticks.map((t) => {
              const y = ((1 - fraction(t, yAxis)) * 1000).toFixed(1);
              return (
                <line key={`y${t}`} className="chart-gridline" x1="0" x2="1000" y1={y} y2={y} />
              );
            })}
            {xAxis.ticks.map((t) => {
              const x = (fraction(t, xAxis) * 1000).toFixed(1);
              return (
                <line key={`x${t}`} className="chart-gridline" x1={x} x2={x} y1="0" y2="1000" />
              );
            })}
            {points.length === 1 ? (
              <circle
                className="chart-dot"
                cx={at(points[0] as ChartPoint).split(",")[0]}
                cy={at(points[0] as ChartPoint).split(",")[1]}
                r="6"
              />
            ) : (
              <path className="chart-line" d={line} />
            )}
          </svg>
        </div>
        <div />
        <div />
        <div className="chart-x-ticks" aria-hidden="true">
          {xAxis.ticks.map((t) => (
            <span key={t} style={{ left: `${fraction(t, xAxis) * 100}%` }}>
              {formatX(t)}
            </span>
          ))}
        </div>
        <div />
        <div />
        <div className="chart-x-title" aria-hidden="true">
          {xLabel}
        </div>
      </div>
      {note ? <p className="hint chart-note">{note}</p> : null}
    </figure>
  );
}

/** The x axis: nice ticks, but the line spans the data exactly (no empty margin at the ends). */
function spanAxis(lo: number, hi: number): Axis {
  const nice = niceAxis(lo, hi, 5);
  if (!(hi > lo)) return nice;
  return { min: lo, max: hi, ticks: nice.ticks.filter((t) => t >= lo && t <= hi) };
}
