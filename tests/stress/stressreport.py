#!/usr/bin/env python3
"""stressreport.py - the checks and the tables of soak.sh and crashsafety.sh (stdlib only).

  stressreport.py soak --samples CSV --summary WARM.json --summary MAIN.json --ids FILE... --db USAGE.sqlite
                       --mark NAME=EPOCH... [--mock-stats JSON] [--gw-exit N] [--rss-bound-mb 10] [--fd-bound 2]
                       [--target N] [--meta K=V...] [--md OUT.md] [--json OUT.json]
  stressreport.py crash-round --db USAGE.sqlite --ids FILE --kill-time EPOCH --round N [--summary LOAD.json]
                       [--restart ok|failed] [--serve-ids FILE]         (one JSON line on stdout)
  stressreport.py crash --rounds ROUNDS.jsonl --db USAGE.sqlite --ids FILE... [--meta K=V...] [--md OUT.md]

Exit status: 0 when every check passed, 1 when one failed (the tables say which), 2 on bad input.
"""
import argparse
import csv
import json
import sqlite3
import statistics
import sys


# --- helpers ---------------------------------------------------------------------------------------------------------
def read_ids(paths):
    """{request_id: ack_epoch} from loadclient --ids files ("id TAB epoch" lines)."""
    ids = {}
    for p in paths:
        with open(p) as f:
            for line in f:
                rid, _, t = line.rstrip("\n").partition("\t")
                if rid:
                    ids[rid] = float(t) if t else 0.0
    return ids


def db_connect(path):
    return sqlite3.connect("file:%s?mode=ro" % path, uri=True, timeout=30)


def integrity(path):
    try:
        db = db_connect(path)
        r = db.execute("PRAGMA integrity_check").fetchall()
        db.close()
        return "ok" if r == [("ok",)] else "; ".join(x[0] for x in r[:5])
    except sqlite3.Error as e:
        return "error: %s" % e


def present_ids(path, ids):
    """The subset of ids that have a row (checked in batches)."""
    db = db_connect(path)
    found = set()
    lst = list(ids)
    for i in range(0, len(lst), 500):
        part = lst[i:i + 500]
        q = "SELECT request_id FROM requests WHERE request_id IN (%s)" % ",".join("?" * len(part))
        found.update(r[0] for r in db.execute(q, part))
    db.close()
    return found


def md_table(rows, header=("check", "value")):
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for r in rows:
        out.append("| " + " | ".join(str(x) for x in r) + " |")
    return "\n".join(out)


def meta_dict(items):
    d = {}
    for kv in items or []:
        k, _, v = kv.partition("=")
        d[k] = v
    return d


# --- soak ------------------------------------------------------------------------------------------------------------
def load_samples(path):
    samples, exited = [], None
    with open(path) as f:
        for row in csv.reader(f):
            if len(row) < 2:
                continue
            if row[1] == "exited":
                exited = float(row[0])
                continue
            samples.append((float(row[0]), int(row[1]), int(row[2]), int(row[3]), float(row[4]), int(row[5]),
                            int(row[6]), int(row[2]) - int(row[6])))
    return samples, exited


def window(samples, t0, t1, col):
    vals = [s[col] for s in samples if t0 <= s[0] <= t1]
    return statistics.median(vals) if vals else None


def at_mark(samples, t, col, span=3.0):
    """Median of the samples in the `span` seconds up to t (idle points), else the nearest earlier sample."""
    v = window(samples, t - span, t + 0.5, col)
    if v is None:
        before = [s for s in samples if s[0] <= t + 0.5]
        v = before[-1][col] if before else None
    return v


def soak(a):
    ok = True
    fails = []
    meta = meta_dict(a.meta)
    marks = {}
    for kv in a.mark:
        k, _, v = kv.partition("=")
        marks[k] = float(v)
    samples, exited = load_samples(a.samples)
    if not samples:
        print("stressreport.py: no samples in %s" % a.samples, file=sys.stderr)
        return 2
    sums = [json.load(open(p)) for p in a.summary]
    warm, main = sums[0], sums[-1]
    mock = json.load(open(a.mock_stats)) if a.mock_stats else {}

    # 1. the gateway stayed up (sampler saw no exit before the stop) and exited cleanly on SIGTERM
    alive = exited is None or exited >= marks.get("stop", float("inf"))
    if not alive:
        ok = False
        fails.append("the gateway died during the run")
    if a.gw_exit is not None and a.gw_exit != 0:
        ok = False
        fails.append("the gateway exited with status %d on SIGTERM" % a.gw_exit)

    # 2. client outcomes
    total_sent = sum(s["sent"] for s in sums)
    total_acked = sum(s["acknowledged"] for s in sums)
    if main["sent"] < a.target:
        ok = False
        fails.append("only %d of %d requests were sent" % (main["sent"], a.target))
    broken = {k: v for k, v in main["outcomes"].items() if k in ("conn-error", "timeout", "refused")}
    broken_w = {k: v for k, v in warm["outcomes"].items() if k in ("conn-error", "timeout", "refused")} \
        if len(sums) > 1 else {}
    if broken or broken_w:
        ok = False
        fails.append("client connections broken by the gateway: %s" % json.dumps(
            {k: broken.get(k, 0) + broken_w.get(k, 0) for k in set(broken) | set(broken_w)}))

    # 3. RSS and fds
    ms, me = marks["main_start"], marks["main_end"]
    dur = me - ms
    def points(col):
        in_load = [x[col] for x in samples if ms <= x[0] <= me]
        return {
            "fresh": samples[0][col],
            "warm_idle": at_mark(samples, marks["warm_idle"], col),
            "load_early": window(samples, ms + 0.1 * dur, ms + 0.2 * dur, col),
            "load_late": window(samples, ms + 0.9 * dur, me, col),
            "load_max": max(in_load) if in_load else None,
            "end_idle": at_mark(samples, marks["end_idle"], col),
        }
    rss, fds, socks, evfds, thr, plain = points(1), points(2), points(5), points(6), points(3), points(7)
    bound_kb = a.rss_bound_mb * 1024
    rss_idle_growth = (rss["end_idle"] - rss["warm_idle"]) if None not in (rss["end_idle"], rss["warm_idle"]) else None
    rss_load_growth = (rss["load_late"] - rss["load_early"]) if None not in (rss["load_late"], rss["load_early"]) \
        else None
    rss_flat = rss_idle_growth is not None and rss_idle_growth < bound_kb and \
        (rss_load_growth is None or rss_load_growth < bound_kb)

    in_soak = [x for x in samples if ms <= x[0] <= me]
    gw_cpu = round(in_soak[-1][4] - in_soak[0][4], 1) if len(in_soak) > 1 else None

    def delta(d):
        return None if None in (d["end_idle"], d["warm_idle"]) else d["end_idle"] - d["warm_idle"]
    # Every thread has one eventfd (Qt's event dispatcher); the upstream pool adds a QNetworkAccessManager thread
    # per 6 concurrent upstream calls at the highest concurrency seen and keeps it. So: the fds other than eventfds
    # must come back to the warm idle count (+-fd_bound), and eventfds may grow only with the threads.
    d_plain, d_ev, d_thr, d_fds = delta(plain), delta(evfds), delta(thr), delta(fds)
    fd_flat = d_plain is not None and abs(d_plain) <= a.fd_bound and d_ev is not None and d_ev <= max(0, d_thr or 0)
    if not rss_flat:
        ok = False
        fails.append("RSS grew by more than %g MB" % a.rss_bound_mb)
    if not fd_flat:
        ok = False
        fails.append("open fds after the load are not back: %+g fds besides eventfds (bound ±%d), %+g eventfds for "
                     "%+g threads" % (d_plain or 0, a.fd_bound, d_ev or 0, d_thr or 0))

    # 4. the usage log: one row per request sent, every acknowledged request present
    ids = read_ids(a.ids)
    integ = integrity(a.db)
    db = db_connect(a.db)
    rows = db.execute("SELECT COUNT(*), COUNT(DISTINCT request_id) FROM requests").fetchone()
    by_status = dict(db.execute("SELECT status, COUNT(*) FROM requests GROUP BY status ORDER BY status").fetchall())
    db.close()
    found = present_ids(a.db, ids)
    missing = len(ids) - len(found)
    if integ != "ok":
        ok = False
        fails.append("usage DB integrity_check: %s" % integ)
    if rows[0] != total_sent:
        ok = False
        fails.append("usage DB has %d rows for %d requests sent" % (rows[0], total_sent))
    if rows[0] != rows[1]:
        ok = False
        fails.append("usage DB has duplicate request ids")
    if missing:
        ok = False
        fails.append("%d acknowledged requests have no usage row" % missing)

    def mb(kb):
        return "–" if kb is None else "%.1f MB" % (kb / 1024.0)

    def n(v):
        return "–" if v is None else "%g" % v

    outcomes = main["outcomes"]
    oc = ", ".join("%s: %d" % (k, v) for k, v in sorted(outcomes.items(), key=lambda kv: -kv[1]))
    faults = mock.get("faults", {})
    lines = []
    lines.append("### Soak: %d requests, %d concurrent clients, %.0f %% injected upstream faults%s" % (
        main["target"], main["concurrency"], 100 * float(meta.get("fault_rate", 0)),
        (", %.0f %% client aborts" % (100 * main.get("client_abort_rate", 0))) if main.get("client_abort_rate") else ""))
    lines.append("")
    rows_md = [
        ("binary", meta.get("binary", "")),
        ("requests (after %d warm-up)" % warm["sent"] if len(sums) > 1 else "requests", "%d sent, %d acknowledged"
         % (main["sent"], main["acknowledged"])),
        ("duration / throughput", "%.1f s / %.0f req/s" % (main["elapsed_s"], main["rps"])),
        ("client outcomes", oc),
        ("latency of 200s p50 / p99 / max", "%s / %s / %s ms" % (
            main["latency_ms_200"]["p50"], main["latency_ms_200"]["p99"], main["latency_ms_200"]["max"])),
        ("upstream requests / faults injected", "%s / %s (%s)" % (
            mock.get("requests", "?"), mock.get("fault_total", "?"),
            ", ".join("%s %d" % kv for kv in sorted(faults.items())))),
        ("gateway", "%s; exit status on SIGTERM %s" % ("never died" if alive else "DIED", a.gw_exit)),
        ("CPU s during the soak: gateway / load client (mock upstream, whole run)", "%s / %s (%s) in %.0f s on %s cores"
         % (n(gw_cpu), main.get("client_cpu_s", "?"), mock.get("cpu_s", "?"), dur, meta.get("cores", "?"))),
        ("RSS fresh / warm idle / load early / load late / load max / end idle", " / ".join(
            mb(rss[k]) for k in ("fresh", "warm_idle", "load_early", "load_late", "load_max", "end_idle"))),
        ("RSS growth: idle (end − warm) / under load (late − early)", "%s / %s (bound %g MB): %s" % (
            mb(rss_idle_growth), mb(rss_load_growth), a.rss_bound_mb, "flat" if rss_flat else "NOT FLAT")),
        ("fds fresh / warm idle / load early / load late / load max / end idle", " / ".join(
            n(fds[k]) for k in ("fresh", "warm_idle", "load_early", "load_late", "load_max", "end_idle"))),
        ("sockets fresh / warm idle / load max / end idle", " / ".join(
            n(socks[k]) for k in ("fresh", "warm_idle", "load_max", "end_idle"))),
        ("threads (eventfds) fresh / warm idle / end idle", " / ".join(
            "%s (%s)" % (n(thr[k]), n(evfds[k])) for k in ("fresh", "warm_idle", "end_idle"))),
        ("fds: end idle − warm idle", "%+g in all: %+g besides eventfds (bound ±%d), %+g eventfds for %+g threads: %s"
         % (d_fds or 0, d_plain or 0, a.fd_bound, d_ev or 0, d_thr or 0, "flat" if fd_flat else "NOT FLAT")),
        ("usage DB rows / requests sent (warm-up + soak)", "%d / %d%s" % (
            rows[0], total_sent, "" if rows[0] == total_sent else "  MISMATCH")),
        ("acknowledged requests without a row", "%d of %d" % (missing, len(ids))),
        ("usage DB rows by status", ", ".join("%s: %d" % kv for kv in by_status.items())),
        ("usage DB integrity_check", integ),
        ("verdict", "PASS" if ok else "FAIL: " + "; ".join(fails)),
    ]
    lines.append(md_table(rows_md))
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    if a.md:
        with open(a.md, "w") as f:
            f.write(text)
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"ok": ok, "failures": fails, "rss_kb": rss, "fds": fds, "threads": thr, "sockets": socks,
                       "eventfds": evfds,
                       "rss_idle_growth_kb": rss_idle_growth, "rss_load_growth_kb": rss_load_growth,
                       "db_rows": rows[0], "requests_sent": total_sent, "acknowledged": total_acked,
                       "missing": missing, "integrity": integ, "rows_by_status": by_status,
                       "client": sums, "mock": mock, "meta": meta, "marks": marks}, f, indent=1)
    return 0 if ok else 1


# --- crash safety ------------------------------------------------------------------------------------------------------
def crash_round(a):
    ids = read_ids([a.ids])
    integ = integrity(a.db)
    found = present_ids(a.db, ids) if integ == "ok" or not integ.startswith("error") else set()
    missing = sorted((t, rid) for rid, t in ids.items() if rid not in found)
    db = db_connect(a.db)
    rows = db.execute("SELECT COUNT(*) FROM requests").fetchone()[0]
    db.close()
    load = json.load(open(a.summary)) if a.summary else {}
    rel = [round((t - a.kill_time) * 1000.0, 1) for t, _ in missing]   # < 0: completed before the SIGKILL
    acked_last = sum(1 for t in ids.values() if a.kill_time - t <= 0.25)
    r = {"round": a.round, "kill_after_s": a.kill_after, "acknowledged": len(ids), "present": len(found),
         "missing": len(missing), "missing_acked_rel_kill_ms": [min(rel), max(rel)] if rel else None,
         "acked_in_last_250ms": acked_last, "rows_total": rows, "integrity": integ, "restart": a.restart,
         "sent": load.get("sent"), "outcomes": load.get("outcomes"), "rps": load.get("rps"),
         "missing_sample": [rid for _, rid in missing[-5:]]}
    print(json.dumps(r))
    return 0


def crash(a):
    rounds = [json.loads(line) for line in open(a.rounds) if line.strip()]
    meta = meta_dict(a.meta)
    ok = True
    fails = []
    rows_md = []
    for r in rounds:
        span = r["missing_acked_rel_kill_ms"]
        rows_md.append((r["round"], "%.1f s" % r["kill_after_s"], r["sent"], r["acknowledged"], r["present"],
                        r["missing"], "–" if not span else "%+g … %+g ms" % (span[0], span[1]),
                        r["integrity"], r["restart"]))
        if r["missing"]:
            ok = False
        if r["integrity"] != "ok":
            ok = False
        if r["restart"] != "ok":
            ok = False
    tot_ack = sum(r["acknowledged"] for r in rounds)
    tot_missing = sum(r["missing"] for r in rounds)
    if tot_missing:
        fails.append("%d of %d acknowledged requests were lost by the kills" % (tot_missing, tot_ack))
    if any(r["integrity"] != "ok" for r in rounds):
        fails.append("integrity_check failed after a kill")
    if any(r["restart"] != "ok" for r in rounds):
        fails.append("the gateway did not restart and serve after a kill")
    # final state after a clean stop: integrity, and every acknowledged id of every round still there
    # (except the ones already reported missing: a row cannot appear later)
    final_integ = integrity(a.db)
    ids = read_ids(a.ids)
    found = present_ids(a.db, ids)
    if final_integ != "ok":
        ok = False
        fails.append("final integrity_check: %s" % final_integ)
    lines = ["### Crash safety: %d SIGKILLs under load (%s concurrent clients)" % (len(rounds), meta.get("clients", "?")),
             "", "binary: `%s`" % meta.get("binary", ""), "",
             md_table(rows_md, ("round", "kill after", "requests sent", "acknowledged", "present", "missing",
                                "missing were acked at (relative to SIGKILL)", "integrity_check", "restart + serve")),
             "",
             md_table([("acknowledged in all rounds", tot_ack),
                       ("missing after the kills", "%d (%.3f %%)" % (tot_missing, 100.0 * tot_missing / max(1, tot_ack))),
                       ("present after the final clean stop", "%d of %d (acknowledged + restart probes)" % (
                           len(found), len(ids))),
                       ("final integrity_check", final_integ),
                       ("verdict", "PASS" if ok else "FAIL: " + "; ".join(fails))])]
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    if a.md:
        with open(a.md, "w") as f:
            f.write(text)
    return 0 if ok else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("soak")
    s.add_argument("--samples", required=True)
    s.add_argument("--summary", action="append", required=True)
    s.add_argument("--ids", action="append", required=True)
    s.add_argument("--db", required=True)
    s.add_argument("--mark", action="append", required=True)
    s.add_argument("--mock-stats")
    s.add_argument("--gw-exit", type=int)
    s.add_argument("--rss-bound-mb", type=float, default=10)
    s.add_argument("--fd-bound", type=int, default=2)
    s.add_argument("--target", type=int, default=100000)
    s.add_argument("--meta", action="append")
    s.add_argument("--md")
    s.add_argument("--json")
    r = sub.add_parser("crash-round")
    r.add_argument("--db", required=True)
    r.add_argument("--ids", required=True)
    r.add_argument("--kill-time", type=float, required=True)
    r.add_argument("--kill-after", type=float, default=0)
    r.add_argument("--round", type=int, required=True)
    r.add_argument("--summary")
    r.add_argument("--restart", default="?")
    c = sub.add_parser("crash")
    c.add_argument("--rounds", required=True)
    c.add_argument("--db", required=True)
    c.add_argument("--ids", action="append", required=True)
    c.add_argument("--meta", action="append")
    c.add_argument("--md")
    a = ap.parse_args()
    return {"soak": soak, "crash-round": crash_round, "crash": crash}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
