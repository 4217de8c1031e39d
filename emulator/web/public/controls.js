// Every call the page makes to the emulator, in one place: the snapshot and its event stream
// (`/_emulator/v1/state`, `/events`) and the control API (`/_emulator/v1/...`, documented in the README; the
// snapshot names its base, so repointing is one line on the server).

export const STATE_BASE = "/_emulator/v1";

export class ControlError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

const path = (...parts) => parts.map((part) => encodeURIComponent(part)).join("/");

/** The control route of one operation: a CPP operation, or an ingestion configure job. */
const operationRoute = (op, action) =>
  op.api === "ingestion" ? `ingestion/jobs/${path(op.id)}/${action}` : `operations/${path(op.id)}/${action}`;

export function createControls({ token = "", controlBase = STATE_BASE, stateBase = STATE_BASE } = {}) {
  const settings = { token, controlBase, stateBase };

  const headers = (extra = {}) => ({
    ...(settings.token ? { Authorization: `Bearer ${settings.token}` } : {}),
    ...extra,
  });

  async function call(method, url, body) {
    const response = await fetch(url, {
      method,
      headers: headers(body === undefined ? {} : { "Content-Type": "application/json" }),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!response.ok) {
      const message =
        parsed?.error?.message ?? parsed?.message ?? `${method} ${url} answered ${response.status}.`;
      throw new ControlError(response.status, message);
    }
    return parsed;
  }

  const control = (method, route, body) => call(method, `${settings.controlBase}/${route}`, body);

  return {
    settings,
    setToken(value) {
      settings.token = value;
    },
    setControlBase(value) {
      if (value) settings.controlBase = value;
    },
    state: () => call("GET", `${settings.stateBase}/state`),
    /** The event stream as a fetch response (a header carries the token, which EventSource cannot send). */
    events: (signal) =>
      fetch(`${settings.stateBase}/events`, { headers: headers({ Accept: "text/event-stream" }), signal }),

    /** The simulated clock, for every operation. */
    advance: (seconds) => control("POST", "advance", { seconds }),
    /** One operation only: moves it on by `seconds` of simulated time. */
    advanceOperation: (op, seconds) => control("POST", operationRoute(op, "advance"), { seconds }),
    finish: (op) => control("POST", operationRoute(op, "finish"), {}),
    /** Fails a running operation at `stepId` (CPP; now if it is the current step) or now (an ingestion job). */
    failAt: (op, stepId, message) =>
      control("POST", operationRoute(op, "fail"), op.api === "ingestion" ? { message } : { stepId, message }),

    refuseGoLive: (publisherId, offerId, refuse) =>
      control("POST", `offers/${path(publisherId, offerId)}/refuse-golive`, { refuse }),
    failNextGoLive: (publisherId, offerId, stepId, message) =>
      control("POST", `offers/${path(publisherId, offerId)}/fail-next`, { kind: "golive", stepId, message }),
    portalEdit: (publisherId, offerId, edit) =>
      control("POST", `offers/${path(publisherId, offerId)}/portal-edit`, edit),
    /** Replaces the pending faults of one offer (`"*", "*"`: of every request). */
    setFaults: (publisherId, offerId, faults) => control("POST", "faults", { publisherId, offerId, faults }),
    refuseProductGoLive: (externalId, refuse) =>
      control("POST", `ingestion/products/${path(externalId)}/refuse-golive`, { refuse }),
    failNextJob: (externalId, target) =>
      control("POST", `ingestion/products/${path(externalId)}/fail-next`, { target }),
  };
}
