// Draws one operation's steps on a time axis (SVG): each step a bar from its start to its end, coloured by its
// status, the running step filled up to now, a line at "now" while the operation runs.

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 1000;
const LABEL = 300;
const NAME_CHARS = 30;
const ROW = 24;
const AXIS = 22;

/** Colours by step status (the API's words). */
export const STATUS_COLOURS = {
  complete: "#2e7d32",
  inProgress: "#1565c0",
  notStarted: "#b0bec5",
  blocked: "#c62828",
  canceled: "#ef6c00",
  waitingForPublisherReview: "#f9a825",
};

/** Short words for the label column (the API's word is in the tooltip). */
const STATUS_WORDS = { waitingForPublisherReview: "awaiting review" };

/** "45 s", "12 min", "6 h 12 min", "3 d 1 h". */
export function formatDuration(seconds) {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

function el(name, attributes = {}, text) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Tick spacing in seconds giving about five ticks over `span`. */
function tickStep(span) {
  const steps = [60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 2 * 86400, 7 * 86400];
  return steps.find((step) => span / step <= 6) ?? Math.ceil(span / 6 / 86400) * 86400;
}

/**
 * An `<svg>` for `operation` (a snapshot operation: createdAt, endsAt, ended, steps[{name, status, progress,
 * start, end}]) at simulated time `nowIso`.
 */
export function renderTimeline(operation, nowIso) {
  const t0 = Date.parse(operation.createdAt);
  const now = Date.parse(nowIso);
  const end = Math.max(Date.parse(operation.endsAt), operation.ended ? t0 : now, t0 + 1000);
  const span = (end - t0) / 1000;
  const plot = WIDTH - LABEL - 12;
  const x = (ms) => LABEL + Math.max(0, Math.min(1, (ms - t0) / (end - t0))) * plot;
  const height = AXIS + operation.steps.length * ROW + 16;
  const svg = el("svg", {
    viewBox: `0 0 ${WIDTH} ${height}`,
    class: "timeline",
    role: "img",
    "aria-label": `Timeline of ${operation.label} ${operation.id}: ${operation.steps.map((s) => `${s.name} ${s.status}`).join(", ")}`,
  });

  const step = tickStep(span);
  for (let t = 0; t <= span + 1; t += step) {
    const tx = x(t0 + t * 1000);
    svg.append(el("line", { x1: tx, x2: tx, y1: AXIS - 4, y2: height, class: "grid" }));
    svg.append(
      el("text", { x: tx, y: AXIS - 8, class: "tick", "text-anchor": "middle" }, `+${formatDuration(t)}`),
    );
  }

  operation.steps.forEach((s, i) => {
    const y = AXIS + i * ROW;
    const colour = STATUS_COLOURS[s.status] ?? "#78909c";
    const row = el("g", { class: `step step-${s.status}`, "data-step": s.name });
    row.append(
      el(
        "title",
        {},
        `${s.name}: ${s.status}${s.progress ? ` (${s.progress}%)` : ""}${s.messages.length ? ` — ${s.messages.join(" ")}` : ""}`,
      ),
    );
    const name = s.name.length > NAME_CHARS ? `${s.name.slice(0, NAME_CHARS - 1)}…` : s.name;
    row.append(el("text", { x: 8, y: y + ROW / 2 + 4, class: "step-name" }, name));
    row.append(
      el(
        "text",
        { x: LABEL - 8, y: y + ROW / 2 + 4, class: "step-status", "text-anchor": "end", fill: colour },
        STATUS_WORDS[s.status] ?? s.status,
      ),
    );
    const start = Date.parse(s.start);
    const stop = Date.parse(s.end);
    const x1 = x(start);
    const x2 = x(stop);
    if (stop - start < 1000 && !(s.status === "notStarted" && operation.ended)) {
      // A step that takes no time: a diamond at its moment.
      const cy = y + ROW / 2;
      row.append(
        el("path", {
          d: `M${x1} ${cy - 7} L${x1 + 7} ${cy} L${x1} ${cy + 7} L${x1 - 7} ${cy} Z`,
          fill: colour,
        }),
      );
    } else if (s.status === "notStarted" && operation.ended) {
      // Never reached: nothing to draw.
    } else if (s.status === "notStarted") {
      row.append(
        el("rect", {
          x: x1,
          y: y + 5,
          width: Math.max(2, x2 - x1),
          height: ROW - 10,
          rx: 3,
          class: "planned",
        }),
      );
    } else if (s.status === "inProgress") {
      row.append(
        el("rect", {
          x: x1,
          y: y + 4,
          width: Math.max(2, x2 - x1),
          height: ROW - 8,
          rx: 3,
          fill: colour,
          opacity: 0.25,
        }),
      );
      row.append(
        el("rect", {
          x: x1,
          y: y + 4,
          width: Math.max(2, x(now) - x1),
          height: ROW - 8,
          rx: 3,
          fill: colour,
        }),
      );
      if (x2 - x1 > 60)
        row.append(
          el(
            "text",
            { x: Math.min(x(now), x2) + 4, y: y + ROW / 2 + 4, class: "bar-label" },
            `${s.progress}%`,
          ),
        );
    } else {
      row.append(
        el("rect", { x: x1, y: y + 4, width: Math.max(2, x2 - x1), height: ROW - 8, rx: 3, fill: colour }),
      );
      if (s.status === "blocked") {
        row.append(
          el(
            "text",
            { x: Math.min(x2 + 6, WIDTH - 120), y: y + ROW / 2 + 4, class: "bar-label failed" },
            "✕ failed here",
          ),
        );
      }
    }
    svg.append(row);
  });

  if (!operation.ended) {
    const nx = x(now);
    svg.append(el("line", { x1: nx, x2: nx, y1: AXIS - 4, y2: height - 12, class: "now" }));
    svg.append(el("text", { x: nx, y: height - 2, class: "now-label", "text-anchor": "middle" }, "now"));
  }
  return svg;
}
