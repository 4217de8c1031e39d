// Every call the page makes to the emulator, in one place. `stateBase` serves the page's own routes (state,
// events, steering one operation); `controlBase` the control API (`/_sim` today, `/_emulator/v1` once it has
// those routes): the snapshot names it, so repointing is one line on the server.

export const STATE_BASE = "/_emulator/v1";

export class ControlError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

const path = (...parts) => parts.map((part) => encodeURIComponent(part)).join("/");

export function createControls({ token = "", controlBase = "/_sim", stateBase = STATE_BASE } = {}) {
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
  const steer = (id, action, body) =>
    call("POST", `${settings.stateBase}/operations/${path(id)}/${action}`, body);

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

    advance: (seconds) => control("POST", "advance", { seconds }),
    finish: (id) => steer(id, "finish"),
    nextStep: (id) => steer(id, "next-step"),
    failAt: (id, step, message) => steer(id, "fail", { step, message }),

    refuseGoLive: (publisherId, offerId, refuse) =>
      control("POST", `offers/${path(publisherId, offerId)}/settings`, { refuseGoLive: refuse }),
    portalEdit: (publisherId, offerId, edit) =>
      control("POST", `offers/${path(publisherId, offerId)}/portal-edit`, edit),
    /** Replaces the pending faults of one offer (`"*", "*"`: of every request). */
    setFaults: (publisherId, offerId, faults) => control("POST", "faults", { publisherId, offerId, faults }),
    failNextJob: (externalId, target, errors) =>
      control("POST", `ingestion/products/${path(externalId)}/fail-next`, {
        target,
        ...(errors ? { errors } : {}),
      }),
  };
}
