/**
 * A latency-injecting TCP proxy for the relay benchmark, loopback only: every chunk is held
 * `delayMs` before it is passed on, in each direction, in order (a one-way delay of 25 ms makes a
 * 50 ms round trip). Bounded: a direction with more than `maxQueuedBytes` in flight pauses its
 * source until the queue drains, so a fast sender cannot grow the proxy's memory without limit.
 */
import net from "node:net";

const MAX_QUEUED_BYTES = 4 * 1024 * 1024;

/** Delays `from` → `to` by `delayMs`, preserving order and pausing `from` when too much is queued. */
function delayedPipe(from, to, delayMs, maxQueuedBytes) {
  let queued = 0;
  let ended = false;
  const pass = (chunk) => {
    queued -= chunk.length;
    if (!to.destroyed) to.write(chunk);
    if (queued <= maxQueuedBytes / 2 && from.isPaused()) from.resume();
  };
  from.on("data", (chunk) => {
    queued += chunk.length;
    if (delayMs <= 0) pass(chunk);
    else setTimeout(pass, delayMs, chunk);
    if (queued > maxQueuedBytes) from.pause();
  });
  from.on("end", () => {
    if (ended) return;
    ended = true;
    setTimeout(() => to.end(), Math.max(0, delayMs));
  });
}

/**
 * Starts a proxy on 127.0.0.1 to `target` (a loopback port). Returns its port, the number of
 * connections it carried, and close().
 * @param {{ targetPort: number, delayMs: number, maxQueuedBytes?: number }} options
 */
export async function startLatencyProxy({ targetPort, delayMs, maxQueuedBytes = MAX_QUEUED_BYTES }) {
  const stats = { connections: 0 };
  const sockets = new Set();
  const server = net.createServer((client) => {
    stats.connections += 1;
    client.setNoDelay(true);
    const upstream = net.connect(targetPort, "127.0.0.1");
    upstream.setNoDelay(true);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
    }
    delayedPipe(client, upstream, delayMs, maxQueuedBytes);
    delayedPipe(upstream, client, delayMs, maxQueuedBytes);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: server.address().port,
    stats,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
