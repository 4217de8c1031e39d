// The emulator's page: reads the snapshot (GET /_emulator/v1/state, then every change from /_emulator/v1/events)
// and draws offers, operations with their timelines and the request log; its buttons call controls.js.
import { ControlError, createControls } from "./controls.js";
import { formatDuration, renderTimeline } from "./timeline.js";

const TOKEN_KEY = "cloudpartner-emulator-token";
const POLL_MS = 2000;
const RETRY_STREAM_MS = 10000;

/** A `?token=` on the address is kept for this tab (sessionStorage) and taken off the address bar. */
function takeToken() {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get("token");
  if (fromUrl !== null) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete("token");
    window.history.replaceState(null, "", `${url.pathname}${url.search}${url.hash}`);
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? "";
}

const api = createControls({ token: takeToken() });
const $ = (selector) => document.querySelector(selector);
let latest;

/** `h("div", {class: "x", onclick: f}, child, "text")`: elements without innerHTML (ids are user data). */
function h(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function toast(text, kind = "info") {
  const box = $("#toast");
  box.textContent = text;
  box.className = `toast ${kind}`;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => {
    box.className = "toast hidden";
  }, 6000);
}

/** Runs a control call from a button: disables it meanwhile, reports the outcome. */
async function act(button, label, run) {
  button.disabled = true;
  try {
    const result = await run();
    toast(result?.outcome ? `${label}: ${result.outcome}` : `${label}: done`, "ok");
    if (!streaming) await refresh();
  } catch (error) {
    if (error instanceof ControlError && error.status === 401) showLogin(error.message);
    toast(`${label} failed: ${error.message}`, "error");
  } finally {
    button.disabled = false;
  }
}

// ---- connection: event stream, polling when it cannot stream --------------------------------------------

let streaming = false;
let pollTimer;

function setConnection(text, kind) {
  const badge = $("#connection");
  badge.textContent = text;
  badge.className = `badge ${kind}`;
}

function showLogin(message) {
  $("#login").hidden = false;
  $("#login-message").textContent = message ?? "This emulator needs the token it printed when it started.";
  setConnection("token needed", "error");
}

async function refresh() {
  try {
    render(await api.state());
    if (!streaming) setConnection("live (polling)", "warn");
  } catch (error) {
    if (error instanceof ControlError && error.status === 401) showLogin(error.message);
    else setConnection("emulator unreachable", "error");
  }
}

function startPolling() {
  if (pollTimer) return;
  pollTimer = setInterval(refresh, POLL_MS);
}

function stopPolling() {
  clearInterval(pollTimer);
  pollTimer = undefined;
}

async function stream() {
  let response;
  try {
    response = await api.events();
  } catch {
    response = undefined;
  }
  if (response?.status === 401) {
    const body = await response.json().catch(() => ({}));
    showLogin(body?.error?.message);
    return;
  }
  if (!response?.ok || !response.body) {
    startPolling();
    setTimeout(stream, RETRY_STREAM_MS);
    return;
  }
  streaming = true;
  stopPolling();
  setConnection("live", "ok");
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end = buffer.indexOf("\n\n");
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block
          .split("\n")
          .filter((line) => line.startsWith("data:"))
          .map((line) => line.slice(5).trimStart())
          .join("\n");
        if (data) render(JSON.parse(data));
        end = buffer.indexOf("\n\n");
      }
    }
  } catch {
    // The stream broke (emulator restarted, network): poll until it is back.
  }
  streaming = false;
  setConnection("reconnecting…", "warn");
  startPolling();
  setTimeout(stream, POLL_MS);
}

// ---- rendering ------------------------------------------------------------------------------------------

function render(snapshot) {
  latest = snapshot;
  api.setControlBase(snapshot.controlBase);
  $("#login").hidden = true;
  $("#clock").textContent =
    `simulated ${new Date(snapshot.now).toISOString().replace("T", " ").slice(0, 19)} UTC`;
  renderOffers(snapshot);
  renderOperations(snapshot);
  renderRequests(snapshot);
  renderFaultTargets(snapshot);
  document.body.dataset.ready = "true";
}

const keyed = new Map();

/** Re-creates an element only when its data changed, so buttons and inputs survive the many pushes. */
function reuse(key, data, create) {
  const json = JSON.stringify(data);
  const known = keyed.get(key);
  if (known && known.json === json) return known.node;
  const node = create();
  keyed.set(key, { json, node });
  return node;
}

function slotText(slot) {
  if (slot.version !== undefined) return `v${slot.version}`;
  if (slot.id)
    return slot.status ? `${slot.id.split("/").at(-1)} · ${slot.status}` : slot.id.split("/").at(-1);
  return "—";
}

function offerCard(offer) {
  const name = `${offer.publisherId}/${offer.offerId}`;
  const refused = offer.refuseGoLive !== false && offer.refuseGoLive !== undefined;
  const button = (label, run, extra = {}) =>
    h(
      "button",
      { type: "button", ...extra, onclick: (event) => act(event.currentTarget, `${label} (${name})`, run) },
      label,
    );
  const controls =
    offer.api === "cpp"
      ? [
          button(
            refused ? "Allow go-live" : "Refuse go-live",
            () => api.refuseGoLive(offer.publisherId, offer.offerId, !refused),
            { class: refused ? "danger" : "" },
          ),
          button("Fail next go-live at Certification", () =>
            api.failNextGoLive(
              offer.publisherId,
              offer.offerId,
              "displaycertify",
              "Certification failed: the image could not be validated (from the emulator page).",
            ),
          ),
          button("Portal edit of the draft", () =>
            api.portalEdit(offer.publisherId, offer.offerId, {
              displayText: `Edited in the portal at ${latest?.now ?? new Date().toISOString()}`,
            }),
          ),
        ]
      : [
          button(
            refused ? "Allow go-live" : "Refuse go-live",
            () => api.refuseProductGoLive(offer.offerId, !refused),
            { class: refused ? "danger" : "" },
          ),
          button("Fail next preview", () => api.failNextJob(offer.offerId, "preview")),
          button("Fail next go-live", () => api.failNextJob(offer.offerId, "live")),
        ];
  return h(
    "article",
    { class: `offer api-${offer.api}`, dataset: { offer: name } },
    h(
      "h3",
      {},
      h("span", { class: "offer-name" }, offer.api === "ingestion" ? offer.offerId : name),
      h("span", { class: `badge offer-${offer.status}` }, offer.status),
      refused ? h("span", { class: "badge error" }, "go-live refused") : undefined,
    ),
    offer.pendingFailures?.length
      ? h("p", { class: "pending" }, `Pending: ${offer.pendingFailures.join("; ")}`)
      : undefined,
    offer.title ? h("p", { class: "muted" }, offer.title) : undefined,
    h(
      "dl",
      { class: "slots" },
      ["draft", "preview", "live"].map((slot) =>
        h("div", {}, h("dt", {}, slot), h("dd", {}, slotText(offer.submissions[slot] ?? {}))),
      ),
    ),
    h(
      "ul",
      { class: "plans" },
      offer.plans.map((plan) =>
        h(
          "li",
          {},
          h("code", {}, plan.planId),
          plan.title && plan.title !== plan.planId ? ` ${plan.title}` : "",
          h("span", { class: "muted" }, ` · images ${plan.imageVersions.join(", ") || "none"}`),
        ),
      ),
    ),
    h("div", { class: "buttons" }, controls),
  );
}

function renderOffers(snapshot) {
  const list = $("#offers-list");
  const cards = snapshot.offers.map((offer) =>
    reuse(`offer:${offer.api}:${offer.publisherId}/${offer.offerId}`, offer, () => offerCard(offer)),
  );
  list.replaceChildren(...cards);
  $("#offers-count").textContent = `${snapshot.offers.length}`;
}

/** Controls of one running operation: built once per operation, so a typed message survives updates. */
function operationControls(op) {
  const cpp = op.api === "cpp";
  let latestOp = op;
  const select = h("select", { name: "step", "aria-label": "Step to fail at", hidden: !cpp });
  const message = h("input", {
    name: "message",
    type: "text",
    placeholder: "failure message",
    "aria-label": "Failure message",
    value: cpp
      ? "Certification failed: the image could not be validated (from the emulator page)."
      : "Publishing failed (from the emulator page).",
  });
  const failButton = h("button", { type: "button", class: "danger", dataset: { action: "fail" } }, "Fail");
  const stepName = () => select.selectedOptions[0]?.textContent ?? "the current step";
  const label = () => (cpp ? `Fail at ${stepName()}` : "Fail now");
  select.addEventListener("change", () => {
    failButton.textContent = label();
    select.dataset.touched = "true";
  });
  failButton.addEventListener("click", () =>
    act(failButton, `${label()} (${op.label} ${op.offerId})`, () =>
      api.failAt(op, select.value || undefined, message.value),
    ),
  );
  /** Seconds until the current step's end: "End current step" moves this operation on by that much. */
  const untilStepEnd = () => {
    const step =
      latestOp.steps.find((s) => s.status === "inProgress") ??
      latestOp.steps.find((s) => s.status === "notStarted");
    const now = Date.parse(latest?.now ?? new Date().toISOString());
    return step ? Math.max(1, Math.ceil((Date.parse(step.end) - now) / 1000)) : 1;
  };
  const node = h(
    "div",
    { class: "buttons op-controls" },
    h(
      "button",
      {
        type: "button",
        dataset: { action: "next-step" },
        onclick: (event) =>
          act(event.currentTarget, `End the current step of ${op.label} ${op.offerId}`, () =>
            api.advanceOperation(op, untilStepEnd()),
          ),
      },
      "End current step",
    ),
    h(
      "button",
      {
        type: "button",
        dataset: { action: "advance" },
        onclick: (event) =>
          act(event.currentTarget, `Advance ${op.label} ${op.offerId} by 1 h`, () =>
            api.advanceOperation(op, 3600),
          ),
      },
      "+1 h",
    ),
    h(
      "button",
      {
        type: "button",
        dataset: { action: "finish" },
        onclick: (event) =>
          act(event.currentTarget, `Finish ${op.label} ${op.offerId}`, () => api.finish(op)),
      },
      "Finish now",
    ),
    h("span", { class: "separator" }),
    select,
    message,
    failButton,
  );
  node.update = (current) => {
    latestOp = current;
    const firstOpen = current.steps.findIndex((s) => s.status !== "complete");
    const choices = current.steps.slice(Math.max(0, firstOpen));
    const have = [...select.options].map((o) => o.value);
    if (have.join("\n") !== choices.map((s) => s.id).join("\n")) {
      const keep = select.value;
      select.replaceChildren(...choices.map((s) => h("option", { value: s.id }, s.name)));
      const current_ = choices.find((s) => s.name === current.currentStep);
      if (select.dataset.touched && choices.some((s) => s.id === keep)) select.value = keep;
      else select.value = current_?.id ?? choices[0]?.id ?? "";
    }
    failButton.textContent = label();
  };
  return node;
}

const operationNodes = new Map();

function operationCard(op) {
  const title = h("h3");
  const summary = h("p", { class: "summary" });
  const figure = h("div", { class: "timeline-box" });
  const error = h("p", { class: "error-text" });
  const controls = operationControls(op);
  const node = h(
    "article",
    { class: "operation", dataset: { operationId: op.id } },
    title,
    summary,
    figure,
    error,
    controls,
  );
  node.update = (current, nowIso) => {
    node.className = `operation status-${current.status}`;
    node.dataset.status = current.status;
    title.replaceChildren(
      ...[
        h("span", {}, `${current.label} `),
        h(
          "span",
          { class: "offer-name" },
          current.api === "ingestion" ? current.offerId : `${current.publisherId}/${current.offerId}`,
        ),
        current.offerVersion !== undefined
          ? h("span", { class: "muted" }, ` v${current.offerVersion}`)
          : undefined,
        h("span", { class: `badge op-${current.status}` }, current.status),
      ].filter(Boolean),
    );
    summary.replaceChildren(
      h("span", { class: "current-step" }, current.currentStep ?? "—"),
      ` · ${current.progress}% · age ${formatDuration(current.ageSeconds)}`,
      current.ended
        ? ` · ended ${new Date(current.endsAt).toISOString().slice(0, 16).replace("T", " ")}`
        : "",
      " · ",
      h("code", { title: current.apiPath }, current.id),
    );
    figure.replaceChildren(renderTimeline(current, nowIso));
    error.textContent = current.error ?? "";
    error.hidden = !current.error;
    controls.hidden = current.ended;
    if (!current.ended) controls.update(current);
  };
  return node;
}

/** Ended operations shown unless "all" is ticked: the newest few (seeded history is older). */
const ENDED_SHOWN = 4;

function renderOperations(snapshot) {
  const list = $("#operations-list");
  const showEnded = $("#show-ended").checked;
  const running = snapshot.operations.filter((op) => !op.ended);
  const ended = snapshot.operations.filter((op) => op.ended);
  const shown = [...running, ...(showEnded ? ended : ended.slice(0, ENDED_SHOWN))];
  const nodes = shown.map((op) => {
    let node = operationNodes.get(op.id);
    if (!node) {
      node = operationCard(op);
      operationNodes.set(op.id, node);
    }
    node.update(op, snapshot.now);
    return node;
  });
  const ids = new Set(shown.map((op) => op.id));
  for (const id of operationNodes.keys()) if (!ids.has(id)) operationNodes.delete(id);
  list.replaceChildren(...nodes);
  $("#operations-count").textContent = `${running.length} running · ${snapshot.operations.length} in all`;
  $("#operations-empty").hidden = nodes.length > 0;
}

function renderRequests(snapshot) {
  const { requests } = snapshot;
  $("#requests-summary").textContent =
    `${requests.total} requests · ${requests.goLivePosts} go-live POSTs processed` +
    (requests.total > requests.shown ? ` · newest ${requests.shown} shown` : "");
  const rows = requests.entries.map((entry) =>
    h(
      "tr",
      {
        class: [
          entry.status >= 400 || entry.status === 0 ? "bad" : "",
          entry.kind === "golive" && entry.method === "POST" ? "golive" : "",
        ].join(" "),
        title: Object.entries(entry.headers)
          .map(([name, value]) => `${name}: ${value}`)
          .join("\n"),
      },
      h("td", {}, entry.at.slice(11, 19)),
      h("td", {}, entry.method),
      h("td", { class: "path" }, entry.path),
      h("td", {}, entry.status === 0 ? "no answer" : String(entry.status)),
      h("td", {}, entry.kind),
      h("td", {}, entry.offerId ? `${entry.publisherId}/${entry.offerId}` : ""),
      h("td", {}, entry.fault ?? ""),
    ),
  );
  $("#requests-body").replaceChildren(...rows);
}

function renderFaultTargets(snapshot) {
  const select = $("#fault-target");
  const wanted = ["*/*", ...snapshot.offers.map((o) => `${o.publisherId}/${o.offerId}`)];
  const have = [...select.options].map((o) => o.value);
  if (have.join("\n") === wanted.join("\n")) return;
  const keep = select.value;
  select.replaceChildren(
    ...wanted.map((value) => h("option", { value }, value === "*/*" ? "every request" : value)),
  );
  if (wanted.includes(keep)) select.value = keep;
}

// ---- static controls ------------------------------------------------------------------------------------

/** The fault the form describes, in the control API's shape. */
function faultFromForm(form) {
  const data = new FormData(form);
  const kind = String(data.get("fault"));
  const times = Math.max(1, Number(data.get("times")) || 1);
  const method = String(data.get("method") || "");
  const match = method ? { match: { method } } : {};
  switch (kind) {
    case "429":
      return {
        type: "status",
        status: 429,
        retryAfter: String(Number(data.get("retryAfter")) || 30),
        times,
        ...match,
      };
    case "500":
    case "502":
    case "503":
      return { type: "status", status: Number(kind), times, ...match };
    case "reset":
      return { type: "reset", times, ...match };
    case "slow":
      return { type: "hang", ms: Math.max(1, Number(data.get("ms")) || 3000), times, ...match };
    case "lost":
      return { type: "resetAfterProcessing", times, match: { method: "POST" } };
    default:
      throw new Error(`Unknown fault '${kind}'.`);
  }
}

function setup() {
  $("#login").addEventListener("submit", (event) => {
    event.preventDefault();
    const value = $("#token-input").value.trim();
    sessionStorage.setItem(TOKEN_KEY, value);
    api.setToken(value);
    $("#login").hidden = true;
    refresh().then(stream);
  });
  for (const button of document.querySelectorAll("[data-advance]")) {
    button.addEventListener("click", () => {
      const seconds = Number(button.dataset.advance);
      act(button, `Advance the clock ${formatDuration(seconds)}`, () => api.advance(seconds));
    });
  }
  $("#advance-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const seconds = Number(new FormData(event.currentTarget).get("seconds"));
    const button = event.currentTarget.querySelector("button");
    if (!(seconds > 0)) return toast("Advance by a positive number of seconds.", "error");
    act(button, `Advance the clock ${formatDuration(seconds)}`, () => api.advance(seconds));
  });
  $("#fault-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    const [publisherId, ...rest] = String(new FormData(form).get("target")).split("/");
    const offerId = rest.join("/");
    let fault;
    try {
      fault = faultFromForm(form);
    } catch (error) {
      return toast(error.message, "error");
    }
    act(form.querySelector("button[type=submit]"), `Inject ${fault.type} for ${publisherId}/${offerId}`, () =>
      api.setFaults(publisherId, offerId, [fault]),
    );
  });
  $("#clear-faults").addEventListener("click", (event) => {
    const [publisherId, ...rest] = String($("#fault-target").value).split("/");
    act(event.currentTarget, `Clear the faults of ${publisherId}/${rest.join("/")}`, () =>
      api.setFaults(publisherId, rest.join("/"), []),
    );
  });
  $("#fault-kind").addEventListener("change", () => {
    const kind = $("#fault-kind").value;
    $("#retry-after-field").hidden = kind !== "429";
    $("#ms-field").hidden = kind !== "slow";
  });
  $("#show-ended").addEventListener("change", () => latest && renderOperations(latest));
}

setup();
refresh().then(stream);
