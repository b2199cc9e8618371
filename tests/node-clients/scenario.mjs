// Drives the live stream of a running sample with a real EventSource client (the eventsource package), the way a
// browser or a Node service would. Usage: node scenario.mjs http://127.0.0.1:PORT [maxSubscribers]
// The sample must run with StatsInterval and StreamPingInterval of 1 s. Prints one line per check passed; exits 1 with
// the reason at the first failure, and gives up by itself after 60 s.
import { EventSource } from 'eventsource';

const origin = process.argv[2];
const maxSubscribers = Number(process.argv[3] ?? 3);
const stream = `${origin}/analytics/api/stream`;
const deadline = setTimeout(() => fail('the scenario did not finish within 60 s'), 60_000);
const opened = [];

function fail(reason) {
  console.error(`FAIL: ${reason}`);
  process.exit(1);
}

function pass(check) {
  console.log(`ok: ${check}`);
}

/** Opens an EventSource that records every event, optionally resuming after lastEventId. */
function open(lastEventId) {
  const events = [];
  const waiters = [];
  const source = new EventSource(stream, {
    fetch: (input, init) => fetch(input, {
      ...init,
      headers: lastEventId ? { ...init.headers, 'Last-Event-ID': lastEventId } : init.headers,
    }),
  });
  for (const type of ['connected', 'stats', 'request', 'event', 'ping']) {
    source.addEventListener(type, (e) => {
      const event = { type, id: e.lastEventId, data: JSON.parse(e.data) };
      events.push(event);
      for (const waiter of [...waiters]) {
        if (waiter.match(event)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(event);
        }
      }
    });
  }
  source.onerror = (e) => {
    if (source.readyState === EventSource.CLOSED) {
      fail(`the stream failed: ${e.message ?? e.code ?? 'closed'}`);
    }
  };
  opened.push(source);
  return {
    source,
    events,
    /** Resolves with the first event (already received or to come) that matches, or fails after 15 s. */
    next(match, what) {
      const seen = events.find(match);
      if (seen) {
        return Promise.resolve(seen);
      }
      return new Promise((resolve) => {
        const timer = setTimeout(() => fail(`no ${what} within 15 s; got ${events.map((e) => e.type).join(', ')}`), 15_000);
        waiters.push({ match, resolve: (event) => { clearTimeout(timer); resolve(event); } });
      });
    },
  };
}

async function get(path) {
  const response = await fetch(`${origin}${path}`);
  await response.arrayBuffer();
  return response.status;
}

/** Waits until the request log holds every one of the paths: then the writer has committed and published them. */
async function committed(paths) {
  for (let attempt = 0; attempt < 150; attempt++) {
    const page = await (await fetch(`${origin}/analytics/api/requests?range=15m&limit=200`)).json();
    if (paths.every((p) => page.items.some((item) => item.path === p))) {
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  fail(`the requests ${paths.join(', ')} were never recorded`);
}

const marker = () => `/users/sse-${Math.random().toString(36).slice(2, 10)}/orders/1`;
const ids = (events) => events.map((e) => BigInt(e.id));

// 1. connected first, then a request made after connecting, stats on schedule, and ping.
const first = open();
const connected = await first.next((e) => e.type === 'connected', 'connected event');
if (first.events[0] !== connected || !connected.data.connectionId || !connected.id) {
  fail(`the first event should be connected with an id and a connectionId: ${JSON.stringify(first.events[0])}`);
}
pass(`connected ${connected.data.connectionId} (id ${connected.id})`);

const seenPath = marker();
if ((await get(seenPath)) !== 200) {
  fail(`GET ${seenPath} did not answer 200`);
}
const seen = await first.next((e) => e.type === 'request' && e.data.path === seenPath, `request event for ${seenPath}`);
if (seen.data.route !== '/users/{userId}/orders/{orderId:int}' || seen.data.method !== 'GET' || seen.data.statusCode !== 200) {
  fail(`the request event does not describe the request: ${JSON.stringify(seen.data)}`);
}
pass(`request event for ${seenPath} (id ${seen.id})`);

const stats = await first.next((e) => e.type === 'stats', 'stats event');
if (typeof stats.data.totalRequests !== 'number' || !stats.data.latency) {
  fail(`the stats event is not an overview: ${JSON.stringify(stats.data)}`);
}
const secondStats = await first.next((e) => e.type === 'stats' && e !== stats, 'second stats event');
pass(`stats events on schedule (${stats.data.totalRequests}, then ${secondStats.data.totalRequests} requests in 5 min)`);

await first.next((e) => e.type === 'ping', 'ping event');
pass('ping event');

const received = ids(first.events);
if (received.some((id, i) => i > 0 && id <= received[i - 1])) {
  fail(`event ids do not increase: ${first.events.map((e) => e.id).join(', ')}`);
}
pass(`${received.length} event ids, each greater than the one before`);

// 2. Disconnect; requests made meanwhile are replayed on reconnect with Last-Event-ID, and nothing seen before is.
const lastSeen = first.events.at(-1).id;
first.source.close();
const missed = [marker(), marker()];
for (const path of missed) {
  await get(path);
}
await committed(missed);

const resumed = open(lastSeen);
const resumedConnected = await resumed.next((e) => e.type === 'connected', 'connected event on reconnect');
for (const path of missed) {
  await resumed.next((e) => e.type === 'request' && e.data.path === path, `replayed request event for ${path}`);
}
if (resumed.events.some((e) => e.type === 'request' && e.data.path === seenPath)) {
  fail(`the reconnect replayed ${seenPath}, which the first connection had already received`);
}
if (resumed.events.some((e) => e !== resumedConnected && BigInt(e.id) <= BigInt(lastSeen))) {
  fail(`the reconnect sent events at or before Last-Event-ID ${lastSeen}`);
}
pass(`reconnecting with Last-Event-ID ${lastSeen} replayed the ${missed.length} missed requests and nothing older`);

// 3. The subscriber cap: with the resumed connection open, maxSubscribers - 1 more fit, and the next one gets 503.
// First wait until the server has seen the first connection go (the JSON snapshot counts open connections).
for (let attempt = 0; ; attempt++) {
  const snapshot = await (await fetch(stream, { headers: { accept: 'application/json' } })).json();
  if (snapshot.subscribers === 1) {
    break;
  }
  if (attempt === 150) {
    fail(`the server still counts ${snapshot.subscribers} connections instead of 1`);
  }
  await new Promise((r) => setTimeout(r, 100));
}
const holders = [];
for (let i = 1; i < maxSubscribers; i++) {
  const controller = new AbortController();
  const response = await fetch(stream, { headers: { accept: 'text/event-stream' }, signal: controller.signal });
  if (response.status !== 200) {
    fail(`connection ${i + 1} of ${maxSubscribers} was refused with ${response.status}`);
  }
  holders.push(controller);
}
const refused = await fetch(stream, { headers: { accept: 'text/event-stream' } });
const problem = await refused.text();
if (refused.status !== 503 || !refused.headers.get('retry-after')) {
  fail(`connection ${maxSubscribers + 1} should get 503 with Retry-After, got ${refused.status} ${refused.headers.get('retry-after')}: ${problem}`);
}
pass(`connection ${maxSubscribers + 1} refused: 503, Retry-After ${refused.headers.get('retry-after')}`);

for (const controller of holders) {
  controller.abort();
}
for (const source of opened) {
  source.close();
}
clearTimeout(deadline);
console.log('all checks passed');
