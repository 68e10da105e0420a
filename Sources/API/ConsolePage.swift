/// The web console's single page (`GET /console`): HTML, CSS and plain JavaScript in one document, so
/// the binary serves it offline with no build step and no CDN. It reads only the public HTTP API —
/// Milvus REST v2, the vecnode extensions `cluster/describe`, `collections/get_replicas` and
/// `collections/compact`, `GET /health`, `GET /metrics` and the seed's `POST /search` — and refreshes
/// every second. See docs/console.md.
///
/// URL parameters (for links and the headless-browser test): `?collection=NAME&search=TEXT` runs a text
/// search on load; `search=id:KEY` searches with the vector of the row whose primary key is KEY.
enum ConsolePage {
    static let html: String = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>vecnode console</title>
<style>
:root { --bg:#f5f6f8; --card:#fff; --ink:#1d2330; --mute:#6b7385; --line:#e1e4ea; --ok:#1f8f4e; --bad:#c62f2f; --warn:#b7791f; --acc:#2f5fc6; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background:var(--bg); color:var(--ink); }
header { display:flex; align-items:center; gap:16px; padding:10px 20px; background:#1d2330; color:#fff; flex-wrap:wrap; }
header h1 { font-size:18px; margin:0; font-weight:600; }
header .meta { color:#c5cad6; font-size:13px; }
header form { margin-left:auto; display:flex; gap:6px; align-items:center; }
header input { width:110px; padding:4px 6px; border-radius:4px; border:1px solid #555; }
main { display:grid; grid-template-columns: 1fr 1fr; gap:14px; padding:14px 20px; }
section { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:10px 14px; min-width:0; overflow-x:auto; }
section.wide { grid-column: 1 / -1; }
h2 { font-size:15px; margin:2px 0 8px; }
table { border-collapse:collapse; width:100%; font-size:13px; }
th, td { text-align:left; padding:4px 8px; border-bottom:1px solid var(--line); vertical-align:top; }
th { color:var(--mute); font-weight:600; white-space:nowrap; }
td.num { text-align:right; font-variant-numeric: tabular-nums; }
.badge { display:inline-block; padding:1px 7px; border-radius:9px; font-size:12px; font-weight:600; color:#fff; }
.up { background:var(--ok); } .down { background:var(--bad); } .warn { background:var(--warn); } .idle { background:#8a93a6; }
button { font:inherit; font-size:12px; padding:3px 8px; border-radius:4px; border:1px solid #b9c0cc; background:#fff; cursor:pointer; }
button:hover { border-color:var(--acc); }
button.primary { background:var(--acc); color:#fff; border-color:var(--acc); }
.muted { color:var(--mute); }
.err { color:var(--bad); }
#notice { margin:10px 20px 0; padding:8px 12px; border-radius:6px; display:none; }
#notice.show { display:block; }
#notice.bad { background:#fde8e8; color:#8c1d1d; border:1px solid #f3b4b4; }
#notice.good { background:#e6f6ec; color:#14562f; border:1px solid #a9dcbc; }
#searchForm { display:flex; gap:6px; flex-wrap:wrap; margin-bottom:8px; }
#searchForm input[type=text] { flex:1; min-width:200px; padding:4px 6px; }
pre.fields { margin:0; white-space:pre-wrap; word-break:break-word; font-size:12px; max-height:6em; overflow:auto; }
dialog { border:1px solid var(--line); border-radius:8px; padding:16px 18px; min-width:320px; }
dialog p { margin:0 0 12px; }
dialog .row { display:flex; gap:8px; justify-content:flex-end; }
</style>
</head>
<body>
<header>
  <h1>vecnode console</h1>
  <span class="meta" id="serving">connecting…</span>
  <span class="meta" id="clusterState"></span>
  <span class="meta" id="refreshed"></span>
  <form id="login" autocomplete="off">
    <span class="meta" id="whoami">not signed in</span>
    <input id="user" placeholder="user" aria-label="user">
    <input id="password" type="password" placeholder="password" aria-label="password">
    <button type="submit" class="primary">Sign in</button>
    <button type="button" id="logout">Sign out</button>
  </form>
</header>
<div id="notice" role="status"></div>
<main>
  <section class="wide" id="topology">
    <h2>Topology</h2>
    <table><thead><tr><th>Role</th><th>Node</th><th>Address</th><th>Health</th><th>Uptime</th><th>Load</th><th>Replicas hosted</th><th>Rows hosted</th><th>Note</th></tr></thead>
    <tbody id="nodes"><tr><td colspan="9" class="muted">loading…</td></tr></tbody></table>
  </section>
  <section class="wide" id="collectionsSection">
    <h2>Collections</h2>
    <table><thead><tr><th>Name</th><th>Rows</th><th>Shards</th><th>Load</th><th>Replicas</th><th>Segments (sealed / growing rows)</th><th>Index</th><th>Actions</th></tr></thead>
    <tbody id="collections"><tr><td colspan="8" class="muted">loading…</td></tr></tbody></table>
  </section>
  <section id="replicasSection">
    <h2>Replicas</h2>
    <div id="replicas" class="muted">no loaded collection</div>
  </section>
  <section id="perfSection">
    <h2>Search traffic</h2>
    <table><thead><tr><th>Node</th><th>Endpoint</th><th>QPS</th><th>Mean latency</th><th>p99 (≤)</th><th>Total</th></tr></thead>
    <tbody id="perf"><tr><td colspan="6" class="muted">waiting for two samples…</td></tr></tbody></table>
  </section>
  <section class="wide" id="searchSection">
    <h2>Search</h2>
    <form id="searchForm">
      <select id="searchCollection" aria-label="collection"></select>
      <select id="searchMode" aria-label="mode"><option value="text">text (built-in embedding)</option><option value="id">vector of row id</option></select>
      <input type="text" id="searchText" placeholder="search text, or a primary key in id mode">
      <input type="number" id="searchK" value="5" min="1" max="100" style="width:60px" aria-label="top k">
      <button type="submit" class="primary">Search</button>
    </form>
    <div id="searchStatus" class="muted"></div>
    <table><thead><tr><th>#</th><th>ID</th><th>Score</th><th>Fields</th></tr></thead><tbody id="hits"></tbody></table>
  </section>
</main>
<dialog id="confirm">
  <p id="confirmText"></p>
  <p id="confirmExtra" style="display:none">Replicas: <input type="number" id="confirmReplicas" min="1" max="64" value="1" style="width:60px"></p>
  <div class="row"><button type="button" id="confirmNo">Cancel</button><button type="button" id="confirmYes" class="primary">Confirm</button></div>
</dialog>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
const state = { token: sessionStorage.getItem("vecnode.token") || "", prevNodes: new Map(), prevMetrics: null, collections: [], busy: false, info: new Map() };

class APIFailure extends Error { constructor(code, message) { super(message); this.code = code; } }

function headers() {
  const h = { "Content-Type": "application/json" };
  if (state.token) h["Authorization"] = "Bearer " + state.token;
  return h;
}

// One Milvus REST call: resolves to `data`, rejects with APIFailure(code, message).
async function api(path, body) {
  const r = await fetch("/v2/vectordb/" + path, { method: "POST", headers: headers(), body: JSON.stringify(body || {}) });
  const j = await r.json();
  if (j.code !== 0) throw new APIFailure(j.code, j.message || ("code " + j.code));
  return j.data;
}

function explain(e) {
  if (e instanceof APIFailure && e.code === 1800) return "refused: authentication is on and these credentials are missing or not allowed (code 1800). Sign in above.";
  if (e instanceof APIFailure) return e.message + " (code " + e.code + ")";
  return String(e && e.message || e);
}

function notice(text, good) {
  const n = $("notice");
  n.textContent = text;
  n.className = "show " + (good ? "good" : "bad");
  clearTimeout(notice.timer);
  notice.timer = setTimeout(() => { n.className = ""; }, good ? 4000 : 10000);
}

function fmtUptime(s) {
  if (s === null || s === undefined) return "—";
  s = Math.floor(s);
  const d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60), sec = s % 60;
  if (d) return d + "d " + h + "h";
  if (h) return h + "h " + String(m).padStart(2, "0") + "m";
  if (m) return m + "m " + String(sec).padStart(2, "0") + "s";
  return sec + "s";
}
const fmtNum = (n) => (n === null || n === undefined) ? "—" : Number(n).toLocaleString("en-US");
function fmtMs(sec) { return (sec === null || !isFinite(sec)) ? "—" : (sec * 1000 < 10 ? (sec * 1000).toFixed(2) : (sec * 1000).toFixed(1)) + " ms"; }

// ---- topology -------------------------------------------------------------------------------------
async function refreshHealth() {
  try {
    const r = await fetch("/health");
    const h = await r.json();
    state.servingNode = h.node_id;
    $("serving").textContent = "served by " + h.role + " " + h.node_id + " · up " + fmtUptime(h.uptime_seconds);
  } catch (e) { $("serving").textContent = "server unreachable"; }
}

async function refreshCluster(now) {
  const c = await api("cluster/describe", {});
  $("clusterState").textContent = "cluster: " + c.state;
  const rows = [];
  const perCollection = new Map();
  for (const n of c.nodes) {
    const key = n.role + "/" + n.nodeID;
    const prev = state.prevNodes.get(key);
    let load = "—";
    n.rate = null;
    if (n.searches !== null) {
      if (prev && prev.searches !== null && now > prev.t) {
        n.rate = (n.searches - prev.searches) / ((now - prev.t) / 1000);
        load = n.rate.toFixed(1) + " searches/s";
      } else { load = fmtNum(n.searches) + " searches"; }
    }
    state.prevNodes.set(key, { searches: n.searches, t: now });
    let hostedRows = 0;
    for (const r of n.replicas) {
      hostedRows += r.rowCount;
      const name = r.collectionName || ("#" + r.collectionID);
      const agg = perCollection.get(name) || { sealed: 0, growing: 0, errors: [] };
      if (r.replicaID === minReplica(n, c, r)) { agg.sealed += r.sealedSegments; agg.growing += r.growingRows; }
      if (r.lastError) agg.errors.push("node " + n.nodeID + ": " + r.lastError);
      perCollection.set(name, agg);
    }
    const health = n.healthy ? '<span class="badge up">up</span>' : '<span class="badge down">down</span>';
    const uptime = fmtUptime(n.uptimeSeconds) + (n.uptimeIsObserved && n.uptimeSeconds !== null ? ' <span class="muted">(seen)</span>' : "");
    const errs = n.replicas.filter((r) => r.lastError).map((r) => "shard " + r.shard + ": " + r.lastError);
    const note = [n.message].concat(errs).filter((x) => x).join("; ");
    rows.push("<tr data-role=\"" + esc(n.role) + "\" data-healthy=\"" + n.healthy + "\"><td>" + esc(n.role) + "</td><td class=num>" + esc(n.nodeID) +
      "</td><td>" + esc(n.address) + "</td><td>" + health + "</td><td>" + uptime + "</td><td>" + esc(load) +
      "</td><td class=num>" + n.replicas.length + "</td><td class=num>" + fmtNum(hostedRows) + "</td><td class=\"" + (note ? "err" : "") + "\">" + esc(note) + "</td></tr>");
  }
  $("nodes").innerHTML = rows.join("") || '<tr><td colspan="9" class="muted">no nodes reported</td></tr>';
  state.segments = perCollection;
  state.nodes = c.nodes;
}

// Segments are counted once per shard: from the lowest replica id hosting it (replicas hold the same data).
function minReplica(node, cluster, r) {
  let min = r.replicaID;
  for (const n of cluster.nodes) for (const x of n.replicas) {
    if (x.collectionID === r.collectionID && x.shard === r.shard && x.replicaID < min) min = x.replicaID;
  }
  return min;
}

// ---- collections -----------------------------------------------------------------------------------
async function collectionInfo(name) {
  const [desc, stats] = await Promise.all([
    api("collections/describe", { collectionName: name }),
    api("collections/get_stats", { collectionName: name }),
  ]);
  const info = { name, desc, rows: stats.rowCount, replicas: null, indexes: [] };
  const loaded = desc.load === "LoadStateLoaded";
  const tasks = desc.indexes.map((ix) => api("indexes/describe", { collectionName: name, indexName: ix.indexName }).then((d) => { info.indexes.push(...d); }).catch(() => {}));
  if (loaded) tasks.push(api("collections/get_replicas", { collectionName: name }).then((d) => { info.replicas = d.replicas; }).catch(() => {}));
  await Promise.all(tasks);
  return info;
}

async function refreshCollections() {
  const names = (await api("collections/list", {})).slice(0, 100).sort();
  const infos = await Promise.all(names.map((n) => collectionInfo(n).catch((e) => ({ name: n, error: explain(e) }))));
  state.collections = infos;
  const rows = [];
  for (const c of infos) {
    state.info.set(c.name, c);
    if (c.error) { rows.push("<tr><td>" + esc(c.name) + '</td><td colspan="7" class="err">' + esc(c.error) + "</td></tr>"); continue; }
    const load = c.desc.load.replace("LoadState", "");
    const loadBadge = '<span class="badge ' + (load === "Loaded" ? "up" : load === "Loading" ? "warn" : "idle") + '">' + esc(load) + "</span>";
    let replicas = "—";
    if (c.replicas) {
      const degraded = c.replicas.filter((r) => !r.healthy).length;
      replicas = c.replicas.length + (degraded ? ' <span class="badge down">' + degraded + " degraded</span>" : ' <span class="badge up">healthy</span>');
    }
    const seg = state.segments && state.segments.get(c.name);
    const segments = seg ? seg.sealed + " sealed / " + fmtNum(seg.growing) + " growing" : "—";
    const index = c.indexes.length ? c.indexes.map((ix) => esc(ix.indexName) + " " + esc(ix.indexType || "") + ": " + esc(ix.indexState) +
      " (" + fmtNum(ix.indexedRows) + "/" + fmtNum(ix.totalRows) + ")").join("<br>") : '<span class="muted">none</span>';
    const n = esc(c.name);
    const actions = (load === "Loaded"
      ? '<button data-act="release" data-c="' + n + '">Release</button> <button data-act="replicas" data-c="' + n + '">Replicas…</button>'
      : '<button data-act="load" data-c="' + n + '">Load</button>') +
      ' <button data-act="flush" data-c="' + n + '">Flush</button> <button data-act="compact" data-c="' + n + '">Compact</button>';
    rows.push('<tr data-collection="' + n + '"><td>' + n + "</td><td class=num>" + fmtNum(c.rows) + "</td><td class=num>" + esc(c.desc.shardsNum) +
      "</td><td>" + loadBadge + "</td><td>" + replicas + "</td><td>" + segments + "</td><td>" + index + "</td><td>" + actions + "</td></tr>");
  }
  $("collections").innerHTML = rows.join("") || '<tr><td colspan="8" class="muted">no collections</td></tr>';
  renderReplicas(infos);
  const sel = $("searchCollection");
  const current = sel.value || new URLSearchParams(location.search).get("collection") || "";
  const options = names.map((n) => '<option value="' + esc(n) + '"' + (n === current ? " selected" : "") + ">" + esc(n) + "</option>").join("");
  if (sel.dataset.options !== options) { sel.innerHTML = options; sel.dataset.options = options; }
}

function nodeLabel(id) {
  const n = (state.nodes || []).find((x) => x.nodeID === id && x.role !== "proxy");
  const down = n && !n.healthy;
  return '<span class="' + (down || !n ? "err" : "") + '">' + esc(id) + (n ? " (" + esc(n.address) + ")" : " (unknown)") + (down ? " down" : "") + "</span>";
}

function renderReplicas(infos) {
  const parts = [];
  for (const c of infos) {
    if (!c.replicas || !c.replicas.length) continue;
    parts.push("<h3 style=\"font-size:13px;margin:8px 0 4px\">" + esc(c.name) + "</h3><table><thead><tr><th>Replica</th><th>State</th><th>Shard → leader</th><th>Nodes</th></tr></thead><tbody>");
    for (const r of c.replicas) {
      const shards = r.shards.map((s) => "shard " + esc(s.shard) + " → " + nodeLabel(s.leader)).join("<br>") || '<span class="muted">—</span>';
      parts.push("<tr><td class=num>" + esc(r.replicaID) + "</td><td>" + (r.healthy ? '<span class="badge up">healthy</span>' : '<span class="badge down">degraded</span>') +
        "</td><td>" + shards + "</td><td>" + r.nodes.map(nodeLabel).join(", ") + "</td></tr>");
    }
    parts.push("</tbody></table>");
  }
  $("replicas").innerHTML = parts.join("") || '<span class="muted">no loaded collection</span>';
}

// ---- metrics ---------------------------------------------------------------------------------------
// Parses Prometheus text format into [{name, labels, value}].
function parseMetrics(text) {
  const out = [];
  for (const line of text.split("\n")) {
    if (!line || line[0] === "#") continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels = {};
    if (m[3]) for (const l of m[3].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2].replace(/\\(.)/g, "$1");
    out.push({ name: m[1], labels, value: Number(m[4]) });
  }
  return out;
}

const searchRoutes = ["/v2/vectordb/entities/search", "/v2/vectordb/entities/hybrid_search", "/search"];

// Per search route: count, sum and cumulative buckets (summed over statuses).
function searchStats(samples) {
  const stats = new Map();
  const get = (route) => { if (!stats.has(route)) stats.set(route, { count: 0, sum: 0, buckets: new Map() }); return stats.get(route); };
  for (const s of samples) {
    const route = s.labels.route;
    if (!searchRoutes.includes(route)) continue;
    if (s.name === "vecnode_http_request_duration_seconds_count") get(route).count += s.value;
    else if (s.name === "vecnode_http_request_duration_seconds_sum") get(route).sum += s.value;
    else if (s.name === "vecnode_http_request_duration_seconds_bucket") {
      const b = get(route).buckets; const le = s.labels.le === "+Inf" ? Infinity : Number(s.labels.le);
      b.set(le, (b.get(le) || 0) + s.value);
    }
  }
  return stats;
}

async function refreshMetrics(now, node) {
  const r = await fetch("/metrics");
  const stats = searchStats(parseMetrics(await r.text()));
  const prev = state.prevMetrics;
  state.prevMetrics = { t: now, stats };
  const rows = [];
  for (const [route, s] of stats) {
    const p = prev && prev.stats.get(route);
    const dt = prev ? (now - prev.t) / 1000 : 0;
    const dc = p ? s.count - p.count : 0;
    const qps = dt > 0 ? (dc / dt).toFixed(1) : "—";
    const mean = dc > 0 ? (s.sum - p.sum) / dc : (s.count > 0 ? s.sum / s.count : null);
    // p99 upper bound from the bucket deltas (or the totals before a second sample).
    let p99 = null;
    const total = dc > 0 ? dc : s.count;
    if (total > 0) {
      for (const le of [...s.buckets.keys()].sort((a, b) => a - b)) {
        const c = s.buckets.get(le) - (dc > 0 && p ? (p.buckets.get(le) || 0) : 0);
        if (c >= 0.99 * total) { p99 = le; break; }
      }
    }
    rows.push("<tr><td>" + esc(node) + "</td><td>" + esc(route) + "</td><td class=num>" + qps + "</td><td class=num>" + fmtMs(mean) +
      "</td><td class=num>" + (p99 === null ? "—" : p99 === Infinity ? "&gt; max bucket" : fmtMs(p99)) + "</td><td class=num>" + fmtNum(s.count) + "</td></tr>");
  }
  for (const n of state.nodes || []) {
    if (n.searches === null) continue;
    rows.push("<tr><td>" + esc(n.role + " " + n.nodeID) + "</td><td class=muted>shard searches</td><td class=num>" + (n.rate === null ? "—" : n.rate.toFixed(1)) + "</td><td class=num>—</td><td class=num>—</td><td class=num>" + fmtNum(n.searches) + "</td></tr>");
  }
  $("perf").innerHTML = rows.join("") || '<tr><td colspan="6" class="muted">no searches yet</td></tr>';
}

// ---- refresh loop ----------------------------------------------------------------------------------
async function refresh() {
  if (state.busy) return;
  state.busy = true;
  const now = Date.now();
  try {
    await refreshHealth();
    let authProblem = null;
    try { await refreshCluster(now); } catch (e) {
      if (e instanceof APIFailure && e.code === 1800) authProblem = e;
      $("nodes").innerHTML = '<tr><td colspan="9" class="err">' + esc(explain(e)) + "</td></tr>";
    }
    try { await refreshCollections(); } catch (e) {
      $("collections").innerHTML = '<tr><td colspan="8" class="err">' + esc(explain(e)) + "</td></tr>";
    }
    try { await refreshMetrics(now, state.servingNode || "this node"); } catch (e) { /* metrics optional */ }
    $("whoami").textContent = state.token ? "signed in as " + state.token.split(":")[0] : (authProblem ? "sign in required" : "not signed in");
    $("refreshed").textContent = "updated " + new Date(now).toLocaleTimeString();
  } finally { state.busy = false; }
}

// ---- actions ---------------------------------------------------------------------------------------
function confirmAction(text, withReplicas, initial) {
  return new Promise((resolve) => {
    const d = $("confirm");
    $("confirmText").textContent = text;
    $("confirmExtra").style.display = withReplicas ? "" : "none";
    $("confirmReplicas").value = initial || 1;
    const done = (ok) => { d.close(); $("confirmYes").onclick = $("confirmNo").onclick = null; resolve(ok); };
    $("confirmYes").onclick = () => done(true);
    $("confirmNo").onclick = () => done(false);
    d.showModal();
  });
}

async function act(action, name) {
  const c = state.info.get(name);
  const current = c && c.replicas ? c.replicas.length : 1;
  const texts = {
    load: "Load collection “" + name + "” for search?",
    release: "Release collection “" + name + "”? Searches on it will fail until it is loaded again.",
    replicas: "Change the replica number of “" + name + "” (now " + current + ")?",
    flush: "Flush collection “" + name + "”: seal its growing data into indexed segments?",
    compact: "Compact collection “" + name + "”: merge its small sealed segments?",
  };
  if (!(await confirmAction(texts[action], action === "replicas" || action === "load", current))) return;
  try {
    if (action === "load" || action === "replicas") {
      const n = parseInt($("confirmReplicas").value, 10);
      if (!(n >= 1 && n <= 64)) { notice("replica number must be 1…64"); return; }
      await api("collections/load", { collectionName: name, replicaNumber: n });
    } else {
      const paths = { release: "collections/release", flush: "collections/flush", compact: "collections/compact" };
      await api(paths[action], { collectionName: name });
    }
    notice(action + " " + name + ": done", true);
  } catch (e) { notice(action + " " + name + " " + explain(e)); }
  refresh();
}

document.addEventListener("click", (ev) => {
  const b = ev.target.closest("button[data-act]");
  if (b) act(b.dataset.act, b.dataset.c);
});

// ---- search ----------------------------------------------------------------------------------------
async function seedSearch(body) {
  const r = await fetch("/search", { method: "POST", headers: headers(), body: JSON.stringify(body) });
  const j = await r.json();
  if (!r.ok) throw new APIFailure(j.code || r.status, j.error || ("HTTP " + r.status));
  return j;
}

async function runSearch(collection, mode, text, k) {
  const status = $("searchStatus");
  $("hits").innerHTML = "";
  if (!collection) { status.textContent = "no collection to search"; return; }
  if (!text) { status.textContent = "type something to search for"; return; }
  status.textContent = "searching…";
  const started = performance.now();
  try {
    let body;
    if (mode === "id") {
      const desc = (state.info.get(collection) || {}).desc || await api("collections/describe", { collectionName: collection });
      const pk = desc.fields.find((f) => f.primaryKey);
      const vec = desc.fields.find((f) => f.type === "FloatVector");
      if (!vec) throw new Error("collection " + collection + " has no FloatVector field");
      const key = pk && pk.type === "Int64" ? Number(text) : text;
      if (pk && pk.type === "Int64" && !Number.isSafeInteger(key)) throw new Error("the primary key of " + collection + " is an integer");
      const rows = await api("entities/get", { collectionName: collection, id: [key], outputFields: [vec.name] });
      if (!rows.length) throw new Error("no row with id " + text + " in " + collection);
      body = { collection, vector: rows[0][vec.name], top_k: k };
    } else {
      body = { collection, query: text, top_k: k };
    }
    const res = await seedSearch(body);
    const ms = (performance.now() - started).toFixed(1);
    status.textContent = res.results.length + " hits from " + res.collection + " in " + ms + " ms";
    $("hits").innerHTML = res.results.map((h, i) => {
      const fields = {};
      for (const [k2, v] of Object.entries(h.fields)) fields[k2] = Array.isArray(v) && v.length > 8 ? "[" + v.length + " numbers]" : v;
      return '<tr class="hit"><td class=num>' + (i + 1) + "</td><td>" + esc(h.id) + "</td><td class=num>" + esc(Number(h.score).toFixed(4)) +
        '</td><td><pre class="fields">' + esc(JSON.stringify(fields)) + "</pre></td></tr>";
    }).join("");
  } catch (e) { status.innerHTML = '<span class="err">' + esc(explain(e)) + "</span>"; }
}

$("searchForm").addEventListener("submit", (ev) => {
  ev.preventDefault();
  runSearch($("searchCollection").value, $("searchMode").value, $("searchText").value.trim(), Math.max(1, Math.min(100, parseInt($("searchK").value, 10) || 5)));
});

$("login").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const u = $("user").value.trim(), p = $("password").value;
  if (!u) { notice("enter a user name"); return; }
  state.token = u + ":" + p;
  sessionStorage.setItem("vecnode.token", state.token);
  $("password").value = "";
  notice("signed in as " + u, true);
  refresh();
});
$("logout").addEventListener("click", () => { state.token = ""; sessionStorage.removeItem("vecnode.token"); refresh(); });

(async () => {
  await refresh();
  const params = new URLSearchParams(location.search);
  const q = params.get("search");
  if (q) {
    const byID = q.startsWith("id:");
    $("searchMode").value = byID ? "id" : "text";
    $("searchText").value = byID ? q.slice(3) : q;
    await runSearch(params.get("collection") || $("searchCollection").value, byID ? "id" : "text", $("searchText").value, 5);
  }
  setInterval(refresh, 1000);
})();
</script>
</body>
</html>
"""#
}
