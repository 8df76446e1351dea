/**
 * The local X-Ray daemon: receives segment documents over UDP as the X-Ray daemon does (each
 * datagram a header line `{"format":"json","version":1}` then one segment document) and keeps
 * them in the trace store. The functions' X-Ray SDK sends there when the Lambda runner gives
 * them `AWS_XRAY_DAEMON_ADDRESS` (docs/OPERATIONS.md "Traces"). Unreadable datagrams are counted
 * and dropped, as the daemon drops them.
 */
import { createSocket, type Socket } from "node:dgram";
import type { AddressInfo } from "node:net";
import { asSegmentDocument } from "./segment.ts";
import type { TraceStore } from "./store.ts";

export interface TraceDaemon {
  /** `127.0.0.1:<port>`: the value for AWS_XRAY_DAEMON_ADDRESS. */
  readonly address: string;
  readonly stats: { received: number; unreadable: number };
  stop(): Promise<void>;
}

const HEADER = /^\s*\{\s*"format"\s*:\s*"json"\s*,\s*"version"\s*:\s*1\s*\}\s*$/;

/** The document of one datagram, or undefined when it is not header line + segment JSON. */
export function parseDatagram(datagram: Buffer): unknown {
  const text = datagram.toString("utf8");
  const newline = text.indexOf("\n");
  if (newline < 0 || !HEADER.test(text.slice(0, newline))) return undefined;
  try {
    return asSegmentDocument(JSON.parse(text.slice(newline + 1)));
  } catch {
    return undefined;
  }
}

export async function startTraceDaemon(
  store: TraceStore,
  options: { readonly host?: string; readonly port?: number } = {},
): Promise<TraceDaemon> {
  const host = options.host ?? "127.0.0.1";
  const socket: Socket = createSocket(host.includes(":") ? "udp6" : "udp4");
  const stats = { received: 0, unreadable: 0 };
  socket.on("message", (datagram) => {
    const doc = asSegmentDocument(parseDatagram(datagram));
    if (!doc) {
      stats.unreadable++;
      return;
    }
    stats.received++;
    store.add(doc);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(options.port ?? 0, host, () => {
      socket.off("error", reject);
      resolve();
    });
  });
  socket.on("error", () => undefined); // a send error reported on a receive-only socket: ignored
  socket.unref();
  const { port } = socket.address() as AddressInfo;
  return {
    address: `${host.includes(":") ? `[${host}]` : host}:${port}`,
    stats,
    stop: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
