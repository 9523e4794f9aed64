// The native port: ids, timeouts, drops and reconnection (extension/modules/host.js).
import { test } from "node:test";
import assert from "node:assert/strict";
import { HostClient, HostError } from "../../extension/modules/host.js";
import { FakePort, recorded } from "./fake-messenger.mjs";

function client(host, opts = {}) {
  const ports = [];
  const c = new HostClient({ connect: () => { const p = new FakePort(host); ports.push(p); return p; }, timeoutMs: 200, ...opts });
  return { c, ports };
}

test("one port serves many requests; replies are matched by id even out of order", async () => {
  const { c, ports } = client(null);
  const a = c.request({ type: "check", recipients: [] });
  const b = c.request({ type: "hello" });
  assert.equal(ports.length, 1);
  const [ma, mb] = ports[0].sent;
  assert.notEqual(ma.id, mb.id);
  ports[0].reply({ ...recorded("hello").reply, id: mb.id });
  ports[0].reply({ ...recorded("clean").reply, id: ma.id });
  assert.equal((await a).type, "result");
  assert.equal((await b).type, "hello");
  assert.equal(c.connections, 1);
});

test("a host that does not answer times out, and the next request opens a new port", async () => {
  const { c, ports } = client(null);
  const started = Date.now();
  await assert.rejects(c.request({ type: "check", recipients: [] }), (e) => e instanceof HostError && e.code === "timeout");
  assert.ok(Date.now() - started < 1000);
  assert.equal(ports[0].connected, false, "the hung port is closed");
  const next = c.request({ type: "hello" });
  assert.equal(ports.length, 2);
  ports[1].reply({ ...recorded("hello").reply, id: ports[1].sent[0].id });
  assert.equal((await next).type, "hello");
});

test("a late reply on an abandoned port is ignored", async () => {
  const { c, ports } = client(null);
  await assert.rejects(c.request({ type: "hello" }));
  ports[0].connected = true; // the old host speaks up after all
  ports[0].reply({ ...recorded("hello").reply, id: ports[0].sent[0].id });
  assert.equal(c.pending.size, 0);
});

test("a drop fails every pending request at once with the browser's reason", async () => {
  const { c, ports } = client(null, { timeoutMs: 10000 });
  const a = c.request({ type: "check", recipients: [] });
  const b = c.request({ type: "check", recipients: [] });
  ports[0].drop("No such native application typoguard");
  for (const p of [a, b]) {
    await assert.rejects(p, (e) => e.code === "disconnected" && /No such native application/.test(e.message));
  }
  assert.equal(c.connected, false);
});

test("a reply with id null fails the oldest request instead of leaving it hanging", async () => {
  const { c, ports } = client(null, { timeoutMs: 10000 });
  const a = c.request({ type: "check" });
  const b = c.request({ type: "check" });
  ports[0].reply({ type: "error", id: null, code: "bad_json", message: "x" });
  assert.equal((await a).code, "bad_json");
  ports[0].reply({ ...recorded("clean").reply, id: ports[0].sent[1].id });
  assert.equal((await b).verdict, "ok");
});

test("connectNative throwing is 'unavailable', not an exception out of request()", async () => {
  const c = new HostClient({ connect: () => { throw new Error("nativeMessaging not permitted"); } });
  await assert.rejects(c.request({ type: "hello" }), (e) => e.code === "unavailable");
});

test("postMessage on a dead port is 'disconnected'", async () => {
  const { c, ports } = client(null);
  c.ensurePort();
  ports[0].connected = false;
  await assert.rejects(c.request({ type: "hello" }), (e) => e.code === "disconnected");
});
