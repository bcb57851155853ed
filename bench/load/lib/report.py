#!/usr/bin/env python3
"""Summarises raw.csv (scenario,variant,metric,target,rep,value) into summary.csv and a markdown table.

Values are medians over the repetitions. Ratios (and differences) are medians of per-repetition ratios: each repetition ran
direct, ClawSec and mitmproxy back to back, so a ratio within one repetition compares like with like even
when the machine's load drifts between repetitions. Goals are checked here so the table says met or missed.
"""
import csv
import statistics
import sys
from collections import defaultdict

HIGHER_IS_BETTER = {"rps", "mib_s"}
# Differences and ratios already, or yes/no: a ratio to direct says nothing for these.
NO_RATIO = {"added_vs_direct_ms", "new_vs_known_ms", "bg_p99_ratio", "intact"}
NO_COMPARISON = {"errors", "intact", "elapsed_s", "repeat_ms", "first_p90_ms", "bg_p99_alone_ms", "bg_p99_during_ms"}

# (scenario, variant, metric, label, goal) in display order. A goal is (kind, op, threshold[, other target]).
ROWS = []
for s, name in (("S1", "keep-alive"), ("S2", "Connection: close")):
    for c in ("c1", "c10", "c100"):
        n = c[1:]
        goal_rps = ("ratio", ">=", 0.5) if c != "c1" else None
        goal_p99 = ("delta", "<=", 1.0) if s == "S1" and c != "c1" else None
        ROWS.append((s, c, "rps", f"small GET, {name}, {n} conn: req/s", goal_rps))
        ROWS.append((s, c, "p50_ms", f"small GET, {name}, {n} conn: p50 ms", None))
        ROWS.append((s, c, "p99_ms", f"small GET, {name}, {n} conn: p99 ms", goal_p99))
ROWS += [
    ("S3", "c1", "rps", "HTTPS, new TLS connection per request, 1 at once: req/s", None),
    ("S3", "c10", "rps", "HTTPS, new TLS connection per request, 10 at once: req/s", ("ratio", ">=", 0.5)),
    ("S4", "", "first_ms", "first request to a new host: ms (median over the hosts)", None),
    ("S4", "", "repeat_ms", "repeat request, same host, new connection: ms", None),
    ("S4", "", "added_vs_direct_ms", "first request: added ms vs direct", ("abs", "<=", 3.0)),
    ("S4", "", "new_vs_known_ms", "new host vs known host: added ms", ("abs", "<=", 3.0)),
    ("S4", "", "bg_p99_alone_ms", "other traffic p99 ms, alone", None),
    ("S4", "", "bg_p99_during_ms", "other traffic p99 ms, during new hosts", None),
    ("S4", "", "bg_p99_ratio", "other traffic p99, during ÷ alone", ("abs", "<=", 2.0)),
]
for v, label, ratio in (("download_http", "100 MiB download, HTTP", 0.8), ("download_https", "100 MiB download, HTTPS", 0.6),
                        ("upload_http", "100 MiB upload, HTTP", 0.7), ("upload_https", "100 MiB upload, HTTPS", 0.5)):
    ROWS.append(("S5", v, "mib_s", f"{label}: MiB/s", ("ratio", ">=", ratio)))
    ROWS.append(("S5", v, "intact", f"{label}: every byte intact", ("intact", "==", 1)))
ROWS += [
    ("S6", "", "fresh_rss_mb", "RSS just after start: MB", None),
    ("S6", "", "rss_before_mb", "idle RSS after warm-up: MB", ("abs", "<=", 60.0)),
    ("S6", "", "open_s", "open the idle tunnels (1000 by default): s", ("abs", "<=", 5.0)),
    ("S6", "", "per_tunnel_kb", "RSS per idle tunnel: KB", ("abs", "<=", 100.0)),
    ("S6", "", "hold_rss_mb", "RSS holding the tunnels: MB", None),
    ("S6", "", "after_rss_mb", "RSS after closing them: MB", ("after_idle", "<=", 10.0)),
    ("S7", "", "rps", "64 KiB POST, 10 conn, scanning on: req/s", ("ratio_to", ">=", 0.5, "clawsec_noscan")),
    ("S7", "", "p99_ms", "64 KiB POST, 10 conn, scanning on: p99 ms", None),
    ("S7", "noscan", "rps", "64 KiB POST, 10 conn, scanning off (max_scan_bytes 0): req/s", None),
]


def fmt(v):
    if v is None:
        return "—"
    if abs(v) >= 100:
        return f"{v:,.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def main() -> None:
    raw_path, out_md, out_csv = sys.argv[1:4]
    data = defaultdict(dict)  # (scenario, variant, metric, target) -> {rep: value}
    with open(raw_path) as f:
        for row in csv.DictReader(f):
            if row["value"] in ("", "nan"):
                continue
            data[(row["scenario"], row["variant"], row["metric"], row["target"])][row["rep"]] = float(row["value"])

    # S4: added time of a first request over the same request made direct, per repetition.
    for target in ("clawsec", "mitm"):
        direct = data.get(("S4", "", "first_ms", "direct"), {})
        mine = data.get(("S4", "", "first_ms", target), {})
        added = {rep: mine[rep] - direct[rep] for rep in mine if rep in direct}
        if added:
            data[("S4", "", "added_vs_direct_ms", target)] = added
    # S7 scanning off is a ClawSec variant; show it in the ClawSec column of its own row.
    for metric in ("rps", "p99_ms"):
        if ("S7", "", metric, "clawsec_noscan") in data:
            data[("S7", "noscan", metric, "clawsec")] = data[("S7", "", metric, "clawsec_noscan")]

    def values(s, v, m, t):
        return data.get((s, v, m, t), {})

    def median(s, v, m, t):
        vals = list(values(s, v, m, t).values())
        return statistics.median(vals) if vals else None

    def paired_delta(s, v, m, t, other):
        a, b = values(s, v, m, t), values(s, v, m, other)
        pairs = [a[r] - b[r] for r in a if r in b]
        return statistics.median(pairs) if pairs else None

    def paired_ratio(s, v, m, t, other):
        a, b = values(s, v, m, t), values(s, v, m, other)
        pairs = [a[r] / b[r] for r in a if r in b and b[r] != 0]
        return statistics.median(pairs) if pairs else None

    with open(out_csv, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["scenario", "variant", "metric", "target", "median", "min", "max", "n"])
        for (s, v, m, t), reps in sorted(data.items()):
            vals = list(reps.values())
            w.writerow([s, v, m, t, f"{statistics.median(vals):.4g}", f"{min(vals):.4g}", f"{max(vals):.4g}", len(vals)])

    lines = [
        "| # | Measure | direct | ClawSec (min–max) | mitmproxy | ClawSec ÷ direct | mitmproxy ÷ direct | Goal | Met | ClawSec vs mitmproxy |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    missed, ahead, behind = [], 0, 0
    for s, v, m, label, goal in ROWS:
        c = values(s, v, m, "clawsec")
        if not c and not values(s, v, m, "direct"):
            continue
        d_med, c_med, m_med = median(s, v, m, "direct"), median(s, v, m, "clawsec"), median(s, v, m, "mitm")
        c_range = f"{fmt(c_med)} ({fmt(min(c.values()))}–{fmt(max(c.values()))})" if c else "—"
        r_c = paired_ratio(s, v, m, "clawsec", "direct") if m not in NO_RATIO else None
        r_m = paired_ratio(s, v, m, "mitm", "direct") if m not in NO_RATIO else None
        goal_text, met = "", ""
        if goal and c_med is not None:
            kind, op, thr = goal[:3]
            if kind == "ratio":
                got, goal_text = paired_ratio(s, v, m, "clawsec", "direct"), f"≥ {thr}× direct"
            elif kind == "delta":
                got = paired_delta(s, v, m, "clawsec", "direct")
                goal_text = f"≤ direct + {thr:g} ms (got {fmt(got)})"
            elif kind == "abs":
                got, goal_text = c_med, f"{op.replace('<=', '≤').replace('>=', '≥')} {thr:g}"
            elif kind == "ratio_to":
                got = paired_ratio(s, v, m, "clawsec", goal[3])
                goal_text = f"≥ {thr}× scanning off (got {fmt(got)}×)"
            elif kind == "intact":
                got, goal_text = min(c.values()), "all runs"
            elif kind == "after_idle":
                idle = median(s, v, "rss_before_mb", "clawsec")
                got = c_med - idle if idle is not None else None
                goal_text = f"≤ idle + {thr:g} MB"
            ok = got is not None and {"<=": got <= thr, ">=": got >= thr, "==": got == thr}[op]
            met = "yes" if ok else "**no**"
            if not ok:
                missed.append(label)
        versus = ""
        if m not in NO_COMPARISON and c_med is not None and m_med is not None:
            if m in ("added_vs_direct_ms", "new_vs_known_ms"):
                # Differences can be near zero or negative: say which is smaller, not by what factor.
                better = c_med <= m_med
                versus = "ahead" if better else "**behind**"
            elif c_med > 0 and m_med > 0:
                adv = c_med / m_med if m in HIGHER_IS_BETTER else m_med / c_med
                better = adv >= 1
                versus = f"ahead {adv:.2f}×" if better else f"**behind** {adv:.2f}×"
            if versus:
                ahead, behind = (ahead + 1, behind) if better else (ahead, behind + 1)
        lines.append(f"| {s} | {label} | {fmt(d_med)} | {c_range} | {fmt(m_med)} | "
                     f"{fmt(r_c) + '×' if r_c is not None else '—'} | {fmt(r_m) + '×' if r_m is not None else '—'} | "
                     f"{goal_text} | {met} | {versus} |")

    errors = {k: v for k, v in data.items() if k[2] == "errors" and any(x > 0 for x in v.values())}
    lines.append("")
    lines.append(f"Goals missed: {len(missed)}" + ("" if not missed else ": " + "; ".join(missed)))
    lines.append(f"Against mitmproxy: ahead on {ahead} measures, behind on {behind}.")
    if errors:
        lines.append("Runs with errors: " + "; ".join(f"{k[0]} {k[1]} {k[3]}: {sorted(v.values())}" for k, v in errors.items()))
    text = "\n".join(lines) + "\n"
    with open(out_md, "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    main()
