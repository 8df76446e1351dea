/**
 * HTTP adapter of the Dispatch API port: POST <endpoint>/dispatch with the incident, units and
 * location; the answer `{ etaSeconds, route }` is validated. The caller's AbortSignal (timeout)
 * cancels the request.
 */
import { z } from "zod";
import { DownstreamError } from "../shared/errors.ts";
import type { DispatchApi, DispatchConfirmation, DispatchRequest } from "./dispatch-api.ts";

const AnswerSchema = z.object({
  etaSeconds: z.int().min(0).max(86_400),
  route: z.array(z.string().regex(/^i-[0-9]{1,6}$/)).max(100),
});

export class HttpDispatchApi implements DispatchApi {
  /** `endpoint` may be resolved lazily (e.g. from configuration at first use). */
  constructor(private readonly endpoint: string | (() => Promise<string>)) {}

  async dispatch(request: DispatchRequest, signal: AbortSignal): Promise<DispatchConfirmation> {
    const base = typeof this.endpoint === "string" ? this.endpoint : await this.endpoint();
    const url = `${base.replace(/\/$/, "")}/dispatch`;
    let response: Response;
    try {
      response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(request),
        signal,
      });
    } catch (error) {
      if (signal.aborted) throw error;
      throw new DownstreamError(`Dispatch API at ${url} is unreachable: ${String(error)}`, {
        cause: error,
      });
    }
    if (!response.ok) {
      throw new DownstreamError(
        `Dispatch API at ${url} refused incident ${request.incidentId}: HTTP ${response.status}`,
      );
    }
    const parsed = AnswerSchema.safeParse(await response.json().catch(() => undefined));
    if (!parsed.success) {
      throw new DownstreamError(
        `Dispatch API at ${url} answered an unexpected body: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}; expected { etaSeconds, route }`,
      );
    }
    return parsed.data;
  }
}
