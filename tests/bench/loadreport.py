#!/usr/bin/env python3
"""Markdown report from the JSON lines of tests/bench/loadbench.sh (Python 3 standard library only).

  loadreport.py report RAW.jsonl [--micro MICRO.json] [-o REPORT.md]
      the report (stdout without -o): machine, method, raw medians per target x scenario, added latency,
      ratios against nginx and claude-code-router, memory, linearity, issue 8's targets (pass / miss),
      the micro-benchmarks (Google Benchmark JSON) and the noise of the run.
  loadreport.py meta --repo DIR [key=value ...]
      one JSON line describing the machine and the checkout (used by loadbench.sh at the start of a run).

Line kinds in RAW.jsonl: meta, note, body2x, idle (RSS snapshots), run (one harness/bench.sh run with
target, scenario, round), check (stream validation, usage log), end.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
from collections import defaultdict

GATEWAYS = ["switchyard", "nginx", "ccr"]
THROUGHPUT = ["s_c8", "s_c32", "s_c128"]
SCENARIOS = ["ns_c1", "s_c1"] + THROUGHPUT + ["lin_1x", "lin_2x"]
SCENARIO_TEXT = {
    "ns_c1": "non-streaming, 1 connection",
    "s_c1": "streaming 200 chunks, 1 connection",
    "s_c8": "streaming, 8 concurrent",
    "s_c32": "streaming, 32 concurrent",
    "s_c128": "streaming, 128 concurrent",
    "lin_1x": "linearity: streaming, 8 concurrent, 57 KB body",
    "lin_2x": "linearity: streaming, 8 concurrent, doubled body",
}
MIN_CPU_S = 0.1  # /proc CPU times tick at 10 ms: below this much gateway CPU a per-request figure is noise


# --------------------------------------------------------------------------------------------------------
# meta: the machine and the checkout
# --------------------------------------------------------------------------------------------------------

def _run(cmd, cwd=None):
    try:
        p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=20)
        return (p.stdout or p.stderr).strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def _read(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return ""


def collect_meta(repo, extra):
    cpu = ""
    for line in _read("/proc/cpuinfo").splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = 0
    for line in _read("/proc/meminfo").splitlines():
        if line.startswith("MemTotal:"):
            mem_kb = int(line.split()[1])
    commit = _run(["git", "rev-parse", "HEAD"], cwd=repo)
    dirty = bool(_run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=repo))
    meta = {
        "kind": "meta",
        "cpu_model": cpu,
        "cores": os.cpu_count(),
        "mem_gb": round(mem_kb / 1048576, 1),
        "kernel": platform.release(),
        "debian": _read("/etc/debian_version"),
        "qt": _run(["dpkg-query", "-W", "-f=${Version}", "libqt6core6"]),
        "nginx": _run(["nginx", "-v"]).replace("nginx version: ", ""),
        "node": _run(["node", "-v"]),
        "git_commit": commit,
        "git_branch": _run(["git", "rev-parse", "--abbrev-ref", "HEAD"], cwd=repo),
        "git_dirty": dirty,
        "git_subject": _run(["git", "log", "-1", "--format=%s"], cwd=repo),
    }
    for kv in extra:
        k, _, v = kv.partition("=")
        meta[k] = v
    return meta


# --------------------------------------------------------------------------------------------------------
# loading and summarising
# --------------------------------------------------------------------------------------------------------

def load(path):
    rows = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                try:
                    rows.append(json.loads(line))
                except ValueError:
                    pass
    return rows


def get(d, dotted):
    for k in dotted.split("."):
        if not isinstance(d, dict) or d.get(k) is None:
            return None
        d = d[k]
    return d


def median(vals):
    v = [x for x in vals if x is not None]
    return statistics.median(v) if v else None


def cpu_ms_per_req(run):
    """CPU milliseconds per request (= cpu_s_per_1k); None when the run used too little CPU to measure."""
    cpu, ok = run.get("cpu_s"), run.get("ok")
    if cpu is None or not ok or cpu < MIN_CPU_S:
        return None
    n = ok + (run.get("warmup") or 0) + (run.get("errors") or 0)  # warmup ran inside the CPU window
    return cpu * 1000.0 / n


class Run:
    """Everything one loadbench.sh run recorded, indexed for the tables."""

    def __init__(self, rows):
        self.meta, self.end, self.body2x = {}, {}, {}
        self.notes, self.checks = [], []
        self.idle = defaultdict(dict)     # target -> label -> snapshot
        self.runs = defaultdict(dict)     # (target, scenario) -> round -> run
        for r in rows:
            kind = r.get("kind")
            if kind == "meta":
                self.meta.update(r)
            elif kind == "end":
                self.end = r
            elif kind == "body2x":
                self.body2x = r
            elif kind == "note":
                self.notes.append(r.get("text", ""))
            elif kind == "check":
                self.checks.append(r)
            elif kind == "idle":
                self.idle[r["target"]][r["label"]] = r
            elif kind == "run":
                r["cpu_ms"] = cpu_ms_per_req(r)
                self.runs[(r["target"], r["scenario"])][r["round"]] = r
        self.targets = [t for t in ["direct"] + GATEWAYS if any(k[0] == t for k in self.runs)]

    def rounds(self, target, scenario):
        return self.runs.get((target, scenario), {})

    def med(self, target, scenario, path):
        return median(get(r, path) for r in self.rounds(target, scenario).values())

    def added(self, target, scenario, path):
        """Median over rounds of (target - direct) for the same round: latency the gateway adds."""
        d = self.rounds("direct", scenario)
        diffs = []
        for rnd, r in self.rounds(target, scenario).items():
            a, b = get(r, path), get(d.get(rnd), path)
            if a is not None and b is not None:
                diffs.append(a - b)
        return median(diffs)

    def paired_ratio(self, a, b, scenario, path):
        """Median over rounds of a/b measured in the same round."""
        ra, rb = self.rounds(a, scenario), self.rounds(b, scenario)
        vals = []
        for rnd in ra:
            x, y = get(ra[rnd], path), get(rb.get(rnd), path)
            if x is not None and y:
                vals.append(x / y)
        return median(vals)

    def rss_mb(self, target, label):
        s = self.idle.get(target, {}).get(label)
        return s["rss_kb"] / 1024.0 if s and s.get("rss_kb") is not None else None

    def peak_mb(self, target, scenario="s_c128"):
        """Highest RSS sampled during any round of SCENARIO (every 100 ms, process tree)."""
        v = [r.get("rss_max_kb") for r in self.rounds(target, scenario).values() if r.get("rss_max_kb")]
        return max(v) / 1024.0 if v else None

    def linearity(self):
        """(median of the per-round CPU ratio 2x/1x, median CPU ms 1x, median CPU ms 2x) for Switchyard."""
        one, two = self.rounds("switchyard", "lin_1x"), self.rounds("switchyard", "lin_2x")
        ratios = [two[r]["cpu_ms"] / one[r]["cpu_ms"] for r in one
                  if r in two and one[r].get("cpu_ms") and two[r].get("cpu_ms") is not None]
        return (median(ratios), median(r.get("cpu_ms") for r in one.values()),
                median(r.get("cpu_ms") for r in two.values()))


# --------------------------------------------------------------------------------------------------------
# formatting
# --------------------------------------------------------------------------------------------------------

def fmt(x, nd=2):
    if x is None:
        return "–"
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, (int, float)):
        if abs(x) >= 1000:
            return f"{x:,.0f}".replace(",", " ")
        if abs(x) >= 100:
            return f"{x:.0f}"
        return f"{x:.{nd}f}"
    return str(x)


def ratio(a, b):
    if a is None or b is None or b <= 0 or a < 0:
        return None
    return a / b


def fmt_ratio(x):
    if x is None:
        return "–"
    if x >= 100:
        return f"{x:.0f}×"
    if x >= 10:
        return f"{x:.1f}×"
    return f"{x:.2f}×"


def mb_of(kb):
    return kb / 1024.0 if kb is not None else None


def mb(x):
    return "–" if x is None else f"{fmt(x, 1)} MB"


def ms(x):
    return "–" if x is None else f"{fmt(x, 3)} ms"


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return out


# --------------------------------------------------------------------------------------------------------
# the report
# --------------------------------------------------------------------------------------------------------

def section_machine(R):
    m = R.meta
    rows = [
        ("date (UTC)", f"{m.get('started', '–')} → {R.end.get('finished', 'unfinished')}"),
        ("CPU", f"{m.get('cpu_model', '–')}, {m.get('cores', '–')} cores, {m.get('mem_gb', '–')} GB RAM"),
        ("kernel", m.get("kernel", "–")),
        ("Debian", m.get("debian", "–")),
        ("Qt (libqt6core6)", m.get("qt", "–")),
        ("git commit (this checkout)", f"`{m.get('git_commit', '')[:12]}` on `{m.get('git_branch', '')}`"
                                       f"{' (uncommitted changes)' if m.get('git_dirty') else ''} — "
                                       f"{m.get('git_subject', '')}"),
        ("switchyard binary", f"`{m.get('switchyard_bin', '–')}`, {m.get('switchyard_build_type', '?')} build, "
                              f"file dated {m.get('switchyard_bin_mtime', '?')}"),
        ("switchyard source", f"`{m.get('switchyard_source') or '?'}`, HEAD "
                              f"`{(m.get('switchyard_source_commit') or '?')[:12]}` at run time (the source dir "
                              "of the binary's CMake build)"),
        ("peers", f"nginx {m.get('nginx', '–')} · claude-code-router {m.get('ccr_version') or 'not run'} "
                  f"on Node {m.get('node', '–')}"),
        ("run", f"{m.get('rounds')} round(s){' (--quick)' if str(m.get('quick')) == '1' else ''}, "
                f"{R.end.get('elapsed_s', '?')} s in total"),
    ]
    return ["## Machine and build", ""] + table(["what", "value"], rows)


def section_method(R):
    m = R.meta
    b2 = R.body2x
    return [
        "## Method", "",
        "One `tests/bench/loadbench.sh` run starts, in a private run directory and on free loopback ports, the C++ "
        "mock upstream of `shared/bench` (OpenAI Chat, 200 content chunks `w0 … w199` per streamed answer), nginx "
        "as a plain relay (1 worker, `proxy_buffering off`), claude-code-router (ccr, the Anthropic → OpenAI "
        "translation peer) and `switchyard --headless` (Anthropic `/v1/messages` → OpenAI Chat, usage log in the "
        "run directory, memory secret store). `direct` is the OpenAI body sent straight to the mock. nginx and "
        "direct get the OpenAI form of the request; ccr and Switchyard get the same 57 KB Claude Code-sized "
        "Anthropic request and translate it. The load client `hb` keeps its connections alive.",
        "",
        f"- `ns_c1`, `s_c1`: {m.get('n1')} requests or {m.get('d1_s')} s, whichever ends first, after "
        f"{m.get('warmup1')} warmup requests, 1 connection (non-streaming / streaming).",
        f"- `s_c8`, `s_c32`, `s_c128`: {m.get('dur_s')} s of streamed requests at 8 / 32 / 128 concurrent "
        "connections after max(8, c) warmup requests.",
        f"- Linearity (`lin_1x`, `lin_2x`, Switchyard only): like `s_c8`, once with the 57 KB body and once with "
        f"a doubled body ({fmt(b2.get('out_bytes'), 0)} bytes, {fmt(b2.get('ratio'))}× — every tool also "
        "present under a new name, every system/message text and tool result written twice; same stream back).",
        f"- {m.get('rounds')} round(s); the target order rotates every round; tables show the median over "
        "rounds. Added latency is the per-round difference to `direct`, and ratios are per-round ratios, "
        "both as medians over rounds, so every comparison is between numbers measured minutes apart.",
        "- CPU is utime+stime of the gateway's process tree from `/proc` (10 ms ticks; a run whose gateway "
        f"used < {MIN_CPU_S} s CPU shows –); CPU ms per request = CPU s per 1000 requests, warmup included.",
        "- RSS is VmRSS of the process tree: idle 2 s after start, sampled every 100 ms during the runs, and "
        "idle after all the load. The tray app is started without `--headless` (QT_QPA_PLATFORM=offscreen), "
        "its RSS read 2 s after it wrote its port file.",
        "- The machine is shared (2 vCPUs for the client, the mock and the gateway); `foreign CPU` below is what "
        "other processes used during a run. Absolute numbers drift; compare ratios within one run.",
    ]


def section_targets(R):
    """Issue 8's targets, pass / miss."""
    rows = []

    def add(name, value, ok, detail=""):
        status = "–" if ok is None else ("**pass**" if ok else "**MISS**")
        rows.append((name, value, status, detail))

    for s in THROUGHPUT:
        c = s[3:]
        rn = R.paired_ratio("switchyard", "nginx", s, "rps")
        add(f"streamed rps at c={c} ≥ 0.5× nginx", fmt_ratio(rn), None if rn is None else rn >= 0.5,
            f"{fmt(R.med('switchyard', s, 'rps'), 0)} vs {fmt(R.med('nginx', s, 'rps'), 0)} req/s")
    for s in THROUGHPUT:
        c = s[3:]
        rc = R.paired_ratio("switchyard", "ccr", s, "rps")
        add(f"streamed rps at c={c} ≥ 50× ccr", fmt_ratio(rc), None if rc is None else rc >= 50,
            f"{fmt(R.med('switchyard', s, 'rps'), 0)} vs {fmt(R.med('ccr', s, 'rps'), 1)} req/s")
    cpus = {s: R.med("switchyard", s, "cpu_ms") for s in ["ns_c1", "s_c1"] + THROUGHPUT}
    measured = {s: v for s, v in cpus.items() if v is not None}
    worst = max(measured.values()) if measured else None
    add("≤ 1 ms CPU per translated request (worst scenario)", ms(worst),
        None if worst is None else worst <= 1.0,
        ", ".join(f"{s} {fmt(v, 3)}" for s, v in cpus.items()))
    a = R.added("switchyard", "ns_c1", "total_ms.p50")
    add("added p50 latency, non-streaming ≤ 1 ms", ms(a), None if a is None else a <= 1.0,
        "over direct, c=1")
    a = R.added("switchyard", "s_c1", "header_ms.p50")
    add("added time to first byte (streaming, p50) ≤ 1 ms", ms(a), None if a is None else a <= 1.0,
        f"first token: +{fmt(R.added('switchyard', 's_c1', 'marker_ms.p50'), 3)} ms")
    idle = R.rss_mb("switchyard", "idle_fresh")
    add("RSS `--headless` idle ≤ 30 MB", mb(idle), None if idle is None else idle <= 30, "fresh start")
    tray = R.idle.get("switchyard_tray", {}).get("idle_fresh")
    tray_mb = tray["rss_kb"] / 1024.0 if tray else None
    bt = (tray or {}).get("build_type", "")
    detail = "not measured (see notes)" if tray is None else f"{bt} build"
    if tray is not None and bt not in ("Release", "RelWithDebInfo"):
        detail += " — indicative only, not a Release build"
    add("RSS tray app idle ≤ 60 MB", mb(tray_mb), None if tray_mb is None else tray_mb <= 60, detail)
    peak = R.peak_mb("switchyard")
    growth = peak - idle if peak is not None and idle is not None else None
    add("RSS growth at 128 streams (peak − idle) ≤ 50 MB", mb(growth),
        None if growth is None else growth <= 50, f"peak {fmt(peak, 1)} MB")
    lin, one, two = R.linearity()
    add("2× request body → ≤ 2.2× CPU", fmt_ratio(lin), None if lin is None else lin <= 2.2,
        f"{fmt(one, 3)} → {fmt(two, 3)} ms CPU per request")
    passed = sum(1 for r in rows if r[2] == "**pass**")
    missed = sum(1 for r in rows if r[2] == "**MISS**")
    return (["## Issue 8 targets", "",
             f"{passed} pass, {missed} miss, {len(rows) - passed - missed} not measured.", ""]
            + table(["target", "switchyard", "status", "detail"], rows))


def section_raw(R):
    rows = []
    for t in R.targets:
        for s in SCENARIOS:
            rs = R.rounds(t, s)
            if not rs:
                continue
            stream = s != "ns_c1"
            rows.append((
                t, s, len(rs), fmt(R.med(t, s, "rps"), 1),
                fmt(R.med(t, s, "total_ms.p50")), fmt(R.med(t, s, "total_ms.p99")),
                fmt(R.med(t, s, "header_ms.p50")), fmt(R.med(t, s, "marker_ms.p50")) if stream else "–",
                fmt(R.med(t, s, "cpu_ms"), 3), fmt(mb_of(R.med(t, s, "rss_max_kb")), 1),
                sum((r.get("errors") or 0) + (r.get("non2xx") or 0) + (r.get("markers_missing") or 0)
                    for r in rs.values()),
                "short" if all((r.get("elapsed_s") or 0) <= 3 for r in rs.values())
                else fmt(R.med(t, s, "foreign_cpu_pct"), 0),
            ))
    return (["## Raw medians", "",
             "Median over rounds; `max RSS` is the highest RSS sampled during a run (median over rounds). For `direct` the CPU and RSS "
             "columns are the mock's. `bad` counts errors, non-2xx answers and answers without the first content "
             "token (all rounds). Foreign CPU is not measurable in runs of 3 s or less (`short`).", ""]
            + table(["target", "scenario", "rounds", "req/s", "total p50 ms", "total p99 ms", "first byte p50 ms",
                     "first token p50 ms", "CPU ms/req", "max RSS MB", "bad", "foreign CPU %"], rows))


def metric_rows(R):
    """(label, better, {target: value}, paired-ratio function or None)."""
    M = []
    for path, label in [("total_ms.p50", "added latency non-streaming p50 (ms)"),
                        ("total_ms.p99", "added latency non-streaming p99 (ms)")]:
        M.append((label, "lower", {t: R.added(t, "ns_c1", path) for t in GATEWAYS}, None))
    for path, label in [("header_ms.p50", "added time to first byte, streaming p50 (ms)"),
                        ("marker_ms.p50", "added time to first token, streaming p50 (ms)"),
                        ("marker_ms.p99", "added time to first token, streaming p99 (ms)")]:
        M.append((label, "lower", {t: R.added(t, "s_c1", path) for t in GATEWAYS}, None))
    for s in THROUGHPUT:
        M.append((f"streamed req/s at c={s[3:]}", "higher", {t: R.med(t, s, "rps") for t in GATEWAYS},
                  lambda peer, s=s: R.paired_ratio("switchyard", peer, s, "rps")))
    for s in ["ns_c1", "s_c1"] + THROUGHPUT:
        M.append((f"CPU ms per request, {s}", "lower", {t: R.med(t, s, "cpu_ms") for t in GATEWAYS},
                  lambda peer, s=s: R.paired_ratio("switchyard", peer, s, "cpu_ms")))
    M.append(("RSS idle, fresh (MB)", "lower", {t: R.rss_mb(t, "idle_fresh") for t in GATEWAYS}, None))
    M.append(("RSS peak during c=128 (MB)", "lower", {t: R.peak_mb(t) for t in GATEWAYS}, None))
    growth = {}
    for t in GATEWAYS:
        p, i = R.peak_mb(t), R.rss_mb(t, "idle_fresh")
        growth[t] = p - i if p is not None and i is not None else None
    M.append(("RSS growth at c=128, peak − idle (MB)", "lower", growth, None))
    M.append(("RSS idle after the load (MB)", "lower", {t: R.rss_mb(t, "idle_after_load") for t in GATEWAYS}, None))
    return M


def section_ratios(R):
    rows = []
    for label, better, vals, paired in metric_rows(R):
        sy = vals.get("switchyard")
        cells = [label, better, fmt(sy, 3 if "latency" in label or "first" in label or "CPU" in label else 1),
                 fmt(vals.get("nginx"), 3 if "CPU" in label or "added" in label else 1),
                 fmt(vals.get("ccr"), 3 if "CPU" in label or "added" in label else 1)]
        for peer in ("nginx", "ccr"):
            r = paired(peer) if paired else ratio(sy, vals.get(peer))
            cells.append(fmt_ratio(r))
        rows.append(cells)
    return (["## Switchyard against nginx and claude-code-router (same run)", "",
             "Ratios are switchyard ÷ peer (per-round ratios, median, where both were measured in every round). "
             "An added latency at or below zero (within the noise of `direct`) gives no ratio.", ""]
            + table(["metric", "better", "switchyard", "nginx", "ccr", "switchyard ÷ nginx", "switchyard ÷ ccr"],
                    rows))


def section_linearity(R):
    lin, one, two = R.linearity()
    rows = []
    for rnd in sorted(R.rounds("switchyard", "lin_1x")):
        a = R.rounds("switchyard", "lin_1x")[rnd]
        b = R.rounds("switchyard", "lin_2x").get(rnd, {})
        rows.append((rnd, fmt(a.get("rps"), 0), fmt(b.get("rps"), 0), fmt(a.get("cpu_ms"), 3),
                     fmt(b.get("cpu_ms"), 3),
                     fmt_ratio(b["cpu_ms"] / a["cpu_ms"]) if a.get("cpu_ms") and b.get("cpu_ms") else "–"))
    b2 = R.body2x
    return (["## Linearity: CPU per request with a doubled request body", "",
             f"57 KB body ({fmt(b2.get('in_bytes'), 0)} bytes) against the doubled one "
             f"({fmt(b2.get('out_bytes'), 0)} bytes), streaming at c=8. Median ratio: **{fmt_ratio(lin)}** "
             "(target ≤ 2.2×; the 200-chunk answer is the same for both, so a linear request path gives less "
             "than 2×).", ""]
            + table(["round", "req/s 1×", "req/s 2×", "CPU ms/req 1×", "CPU ms/req 2×", "ratio"], rows))


def section_micro(micro_path):
    if not micro_path:
        return ["## Micro-benchmarks", "", "Not run (no `bench_translation` binary, or `--no-micro`)."]
    try:
        with open(micro_path) as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        return ["## Micro-benchmarks", "", f"Could not read {os.path.basename(micro_path)}: {e}"]
    ctx = data.get("context", {})
    rows = []
    for b in data.get("benchmarks", []):
        if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "median":
            continue
        unit = b.get("time_unit", "ns")
        extra = []
        if b.get("bytes_per_second"):
            extra.append(f"{b['bytes_per_second'] / 1048576:.1f} MiB/s")
        if b.get("items_per_second"):
            extra.append(f"{b['items_per_second']:,.0f} items/s".replace(",", " "))
        for k, v in b.items():  # user counters
            if k not in ("name", "family_index", "per_family_instance_index", "run_name", "run_type", "repetitions",
                         "repetition_index", "threads", "iterations", "real_time", "cpu_time", "time_unit",
                         "bytes_per_second", "items_per_second", "aggregate_name", "aggregate_unit",
                         "label", "error_occurred", "error_message") and isinstance(v, (int, float)):
                extra.append(f"{k}={fmt(v)}")
        if b.get("label"):
            extra.append(b["label"])
        to_us = {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}.get(unit, None)
        real = b.get("real_time") * to_us if to_us and b.get("real_time") is not None else None
        cpu = b.get("cpu_time") * to_us if to_us and b.get("cpu_time") is not None else None
        rows.append((f"`{b.get('name')}`", fmt(real, 1), fmt(cpu, 1), fmt(b.get("iterations"), 0),
                     ", ".join(extra) or "–"))
    load = ctx.get("load_avg") or []
    head = (f"`bench_translation` (Google Benchmark, `tests/bench/bench_translation.cpp`): one translation step "
            f"at a time, in process, no network. {ctx.get('num_cpus', '?')} CPUs at {ctx.get('mhz_per_cpu', '?')} "
            f"MHz, load average {', '.join(f'{x:.1f}' for x in load) or '?'} when it started (real time above "
            "CPU time means the machine was busy). The Google Benchmark library reports its own build as "
            f"`{ctx.get('library_build_type', '?')}` (Debian's package; this is not Switchyard's build type).")
    return ["## Micro-benchmarks", "", head, ""] + table(
        ["benchmark", "real time µs", "CPU time µs", "iterations", "throughput / counters"], rows)


def section_checks(R):
    rows = []
    for c in R.checks:
        if c.get("check") == "stream":
            probs = "; ".join(str(p) for p in (c.get("problems") or [])) or "–"
            rows.append((f"stream of `{c.get('target')}` (s_c1, round 1) is complete and valid "
                         f"{c.get('format', '')} SSE", "ok" if c.get("ok") else "**FAILED**", probs))
        elif c.get("check") == "usage_log":
            rows.append(("Switchyard wrote its usage log inside the run directory",
                         "ok" if c.get("ok") else "**FAILED**",
                         f"`{c.get('path', '')}`, {fmt(c.get('rows'), 0)} requests logged" if c.get("ok") else "–"))
    out = ["## Checks", ""] + (table(["check", "result", "detail"], rows) if rows else ["None recorded."])
    if R.notes:
        out += ["", "Notes from the run:", ""] + [f"- {n}" for n in R.notes]
    return out


def section_noise(R):
    busy = [r.get("pre_busy_pct") for rs in R.runs.values() for r in rs.values()]
    foreign = [r.get("foreign_cpu_pct") for rs in R.runs.values() for r in rs.values()
               if (r.get("elapsed_s") or 0) > 3]
    foreign = [f for f in foreign if f is not None]
    busy = [b for b in busy if b is not None]
    text = (f"Foreign CPU (other processes, % of the whole machine) during the runs longer than 3 s: median "
            f"{fmt(median(foreign), 0)} %, max {fmt(max(foreign) if foreign else None, 0)} %. "
            if foreign else "No run was long enough to measure foreign CPU. ")
    if busy:
        text += f"Machine busy before a run: median {fmt(median(busy), 0)} %, max {fmt(max(busy), 0)} %. "
    text += ("Above ~10 % the absolute numbers are pessimistic for every target; the ratios hold better, "
             "since the targets share each round.")
    return ["## Noise", "", text]


def report(raw, micro):
    R = Run(load(raw))
    out = [
        "# Switchyard load benchmark",
        "",
        "> This is the results document asked for in issue 8 as `docs/benchmarks.md`. It lives in `tests/bench/` "
        "because the repository's top-level folders are fixed by the product owner. It is generated: run "
        "`tests/bench/loadbench.sh --update-doc` to measure again and replace it (without `--update-doc` the "
        "report only goes to `build-bench/results/<timestamp>/`).",
        "",
    ]
    if str(R.meta.get("quick")) == "1":
        out += ["> **Quick run (`--quick`)**: one round with short runs — a smoke test, not a measurement.", ""]
    for sec in (section_machine(R), section_method(R), section_targets(R), section_ratios(R), section_raw(R),
                section_linearity(R), section_micro(micro), section_checks(R), section_noise(R)):
        out += sec + [""]
    return "\n".join(out)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("report", help="Markdown report from loadbench.sh's raw.jsonl")
    r.add_argument("raw")
    r.add_argument("--micro", help="bench_translation --benchmark_format=json output")
    r.add_argument("-o", "--out", help="write the report here (default: stdout)")
    m = sub.add_parser("meta", help="print one JSON line about this machine and checkout")
    m.add_argument("--repo", default=".")
    m.add_argument("extra", nargs="*", help="key=value pairs added to the line")
    a = ap.parse_args(argv)
    if a.cmd == "meta":
        print(json.dumps(collect_meta(a.repo, a.extra)))
        return 0
    text = report(a.raw, a.micro)
    if a.out:
        with open(a.out, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
