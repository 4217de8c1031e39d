/**
 * One signal for a write of a lifecycle (`VmImageVersion`, `OfferConfiguration`): it aborts on the caller's
 * (the native door's Cancel) and at the call's deadline (`customTimeouts`), and the error then says which of the
 * two stopped the write, after how long, and what to do. The operation resources wait with the poller instead
 * (`operation.ts`), whose partial state resumes the wait.
 */

import { AbortedError, type CloudPartnerErrorDetails, PollTimeoutError } from "../core/errors";
import { capitalize } from "../core/rest";
import type { CallControl } from "./operation";

/** What the error says of the stopped call. */
export interface StoppedCall {
  /** "the update of offer x's configuration". */
  what: string;
  /** What a write in flight means and what to run next. */
  next: string;
  /** The error's details (offer, publisher); the cause is added. */
  details: Omit<CloudPartnerErrorDetails, "cause">;
}

/** Runs `run` with the call's signal; a stop by Cancel or the deadline becomes `AbortedError`/`PollTimeoutError`. */
export async function withCallControl<T>(
  control: CallControl,
  verb: "create" | "update" | "delete",
  stopped: () => StoppedCall,
  run: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const startedAt = Date.now();
  let stoppedBy: "cancel" | "deadline" | undefined;
  const onCancel = () => {
    stoppedBy ??= "cancel";
    controller.abort(control.signal?.reason);
  };
  if (control.signal?.aborted) onCancel();
  else control.signal?.addEventListener("abort", onCancel, { once: true });
  const timer =
    control.deadlineMs === undefined
      ? undefined
      : setTimeout(
          () => {
            stoppedBy ??= "deadline";
            controller.abort(new AbortedError("The call's deadline passed."));
          },
          Math.max(0, control.deadlineMs - Date.now()),
        );
  try {
    return await run(controller.signal);
  } catch (error) {
    if (!stoppedBy) throw error;
    const { what, next, details } = stopped();
    const after = `${Math.round((Date.now() - startedAt) / 100) / 10} s`;
    const reason = error instanceof Error ? error.message : String(error);
    const setting = control.deadlineSetting ?? {
      name: `customTimeouts.${verb}`,
      description: `the resource option customTimeouts.${verb}`,
    };
    const context = { ...details, cause: error };
    throw stoppedBy === "deadline"
      ? new PollTimeoutError(
          `${capitalize(setting.description)} ended ${what} after ${after}: ${reason} ${next} To give it longer, raise ${setting.name}.`,
          context,
        )
      : new AbortedError(
          `The Pulumi engine canceled the deployment during ${what} after ${after}: ${reason} ${next}`,
          context,
        );
  } finally {
    clearTimeout(timer);
    control.signal?.removeEventListener("abort", onCancel);
  }
}
