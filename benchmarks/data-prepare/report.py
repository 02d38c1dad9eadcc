#!/usr/bin/python3
"""Writes results-<preset>.md from one run.sh run (ours and the peer, same machine, same run).

Inputs (all in the run directory): ours.json / ours.err / ours.time / ours.rc, peer.json / peer.err / peer.time /
peer.rc, machine.txt-style facts passed as arguments. Missing pieces are reported as such, never guessed.
"""

import argparse
import datetime
import json
import os
import platform
import re
import subprocess

# Coarse stages: the two pipelines cut their work differently, so phases are compared stage by stage.
STAGES = [
    ("inputs: parse MPD/ENTP/MSD, song index, sparse matrices", ["load/parse", "index+matrices"],
     ["read inputs", "index songs"]),
    ("overlaps m(u,p), scores, likes (top 1.5 %)", ["overlap+score+likes"], ["score overlaps"]),
    ("downscale, cold users, 70/20/10 splits, ownership", ["downscale/splits", "ownership"], ["splits & ownership"]),
    ("negative pools, triplets (+ shuffle), val/test batches", ["negatives+triplets", "val/test batches"],
     ["negatives & triplets", "shuffle triplets"]),
    ("write outputs (+ stats report, manifest)", ["write"], ["write tables", "report & manifest"]),
]


def read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return None


def time_v(path):
    """Wall time (s), peak RSS (KiB), user/system seconds, CPU % from a /usr/bin/time -v report."""
    text = read(path) or ""
    out = {}
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    if m:
        out["rss_kib"] = int(m.group(1))
    m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", text)
    if m:
        seconds = 0.0
        for part in m.group(1).split(":"):
            seconds = seconds * 60 + float(part)
        out["wall"] = seconds
    for key, label in (("user", "User time (seconds)"), ("sys", "System time (seconds)")):
        m = re.search(re.escape(label) + r": ([\d.]+)", text)
        if m:
            out[key] = float(m.group(1))
    m = re.search(r"Percent of CPU this job got: (\d+)%", text)
    if m:
        out["cpu_pct"] = int(m.group(1))
    return out


def json_document(text):
    """The JSON value on stdout (our CLI writes it indented), or the last JSON line."""
    text = (text or "").strip()
    decoder = json.JSONDecoder()
    start = text.find("{")
    while start >= 0:
        try:
            value, _ = decoder.raw_decode(text[start:])
            return value
        except json.JSONDecodeError:
            start = text.find("{", start + 1)
    return None


def last_json_line(text):
    for line in reversed((text or "").splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                continue
    return None


def ours_timings(result):
    """{phase: seconds} from our --json result (timings as a list of {phase, seconds} or a mapping)."""
    if not result:
        return {}
    timings = result.get("timings") or result.get("Timings") or {}
    if isinstance(timings, dict):
        return {k: float(v) for k, v in timings.items()}
    phases = {}
    for item in timings:
        name = item.get("phase") or item.get("Phase")
        seconds = item.get("seconds", item.get("Seconds"))
        if name is not None and seconds is not None:
            phases[name] = phases.get(name, 0.0) + float(seconds)
    return phases


def peer_progress(err_text):
    phases, cpu = {}, {}
    elapsed = 0.0
    for line in (err_text or "").splitlines():
        if line.startswith("PEER-PHASE "):
            item = json.loads(line[len("PEER-PHASE "):])
            phases[item["phase"]] = float(item["seconds"])
            if "cpu_seconds" in item:
                cpu[item["phase"]] = float(item["cpu_seconds"])
            elapsed = float(item["elapsed"])
    return phases, cpu, elapsed


def fmt(x, digits=1):
    return "—" if x is None else f"{x:,.{digits}f}"


def ratio(peer, ours, lower_bound=False):
    if peer is None or ours is None or ours <= 0:
        return "—"
    return ("≥ " if lower_bound else "") + f"{peer / ours:,.1f}×"


def machine():
    cpu = "unknown"
    for line in (read("/proc/cpuinfo") or "").splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = re.search(r"MemTotal:\s+(\d+) kB", read("/proc/meminfo") or "")
    mem_gib = int(mem.group(1)) / 1024 / 1024 if mem else None

    def run(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout.strip()
        except Exception:  # noqa: BLE001 - a missing tool is reported as unknown
            return "unknown"

    return {
        "nproc": run(["nproc"]),
        "cpu": cpu,
        "mem": f"{mem_gib:.1f} GiB" if mem_gib else "unknown",
        "kernel": platform.release(),
        "dotnet": run(["dotnet", "--version"]),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--run-dir", required=True)
    parser.add_argument("--preset", required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--ours-cmd", required=True)
    parser.add_argument("--peer-cmd", required=True)
    parser.add_argument("--ours-status", required=True, help="ran | missing: <why> | build failed | skipped")
    parser.add_argument("--peer-timeout", type=float, required=True)
    parser.add_argument("--load-before", default="")
    parser.add_argument("--load-after", default="")
    args = parser.parse_args()
    d = args.run_dir

    ours_rc = (read(os.path.join(d, "ours.rc")) or "").strip()
    peer_rc = (read(os.path.join(d, "peer.rc")) or "").strip()
    ours_result = json_document(read(os.path.join(d, "ours.json"))) if args.ours_status == "ran" else None
    ours_ok = args.ours_status == "ran" and ours_rc == "0" and ours_result is not None
    ours = ours_timings(ours_result) if ours_ok else {}
    ours_time = time_v(os.path.join(d, "ours.time")) if ours_ok else {}

    peer_result = last_json_line(read(os.path.join(d, "peer.json")))
    peer_progress_phases, peer_cpu, peer_elapsed = peer_progress(read(os.path.join(d, "peer.err")))
    peer_timed_out = peer_rc in ("124", "137")
    peer_ok = peer_rc == "0" and peer_result is not None
    peer = peer_result["phases"] if peer_ok else peer_progress_phases
    peer_time = time_v(os.path.join(d, "peer.time"))

    peer_total = peer_result["total"] if peer_ok else None
    if peer_timed_out:
        peer_total_text = f"≥ {fmt(args.peer_timeout, 0)} (timed out)"
    elif peer_ok:
        peer_total_text = fmt(peer_total)
    else:
        peer_total_text = f"failed (rc {peer_rc or '?'})"
    ours_total = ours.get("total")
    if ours_total is None and ours:
        ours_total = sum(v for k, v in ours.items() if k != "total")

    m = machine()
    lines = []
    w = lines.append
    w(f"# Data preparation benchmark — preset `{args.preset}`")
    w("")
    finished = [os.path.getmtime(os.path.join(d, f)) for f in ("ours.rc", "peer.rc") if os.path.exists(os.path.join(d, f))]
    when = datetime.datetime.fromtimestamp(max(finished) if finished else datetime.datetime.now().timestamp()).astimezone()
    w(f"Generated by `benchmarks/data-prepare/run.sh`; run finished {when.isoformat(timespec='seconds')}. "
      "Both sides ran on the same machine, one after the other, in the same run, from a warm page cache "
      "(the inputs were read once before each run). Single run, no repetitions.")
    w("")
    w("## Machine")
    w("")
    w(f"- CPU: {m['cpu']}, `nproc` = {m['nproc']}; memory {m['mem']}; kernel {m['kernel']}; .NET SDK {m['dotnet']}")
    if args.load_before or args.load_after:
        w(f"- load average before / after: `{args.load_before}` / `{args.load_after}` (the machine may be shared "
          "with other work; timings are not isolated)")
    tool = (peer_result or {}).get("tool")
    if tool:
        w(f"- peer: Python {tool['python']}, numpy {tool['numpy']}, scipy {tool['scipy']}, pandas {tool['pandas']}, "
          f"pyarrow {'yes' if tool['pyarrow'] else 'no (outputs as .npz/.npy/pickle)'}; single-threaded")
    w(f"- data: `{args.data}`")
    w("")
    w("## Result")
    w("")
    if not ours_ok:
        why = args.ours_status
        if args.ours_status == "ran":
            err = (read(os.path.join(d, "ours.err")) or "").strip().splitlines()
            why = f"it exited with rc {ours_rc}" + (f" (`{err[0][:160]}`)" if err else "") + f"; see {d}/ours.err"
        w(f"**Ours did not produce timings**: {why}. Only the peer's column is filled.")
        w("")
    if peer_timed_out:
        done = ", ".join(peer_progress_phases) or "none"
        w(f"**The peer timed out** after {fmt(args.peer_timeout, 0)} s (`PEER_TIMEOUT`). Phases completed: {done}; "
          f"they took {fmt(peer_elapsed)} s, so the phase it was in had run ≥ {fmt(args.peer_timeout - peer_elapsed)} s. "
          "Its total is a lower bound.")
        w("")
    w("| stage | phases (ours / peer) | ours (s) | peer (s) | ratio (peer / ours) |")
    w("|---|---|---:|---:|---:|")
    pending_marked = False
    for title, peer_names, ours_names in STAGES:
        o = sum(ours[n] for n in ours_names if n in ours) if any(n in ours for n in ours_names) else None
        have = [n for n in peer_names if n in peer]
        p = sum(peer[n] for n in have) if have else None
        lower = False
        p_text = fmt(p)
        if peer_timed_out and len(have) < len(peer_names) and not pending_marked:
            running = args.peer_timeout - peer_elapsed
            p = (p or 0.0) + running
            p_text = f"≥ {fmt(p)}"
            lower = True
            pending_marked = True
        elif peer_timed_out and len(have) < len(peer_names):
            p, p_text = None, "not reached"
        w(f"| {title} | {', '.join(ours_names)} / {', '.join(peer_names)} | {fmt(o)} | {p_text} | {ratio(p, o, lower)} |")
    others = [k for k in ours if k != "total" and not any(k in s[2] for s in STAGES)]
    for k in others:
        w(f"| (ours only) {k} | {k} / — | {fmt(ours[k])} | — | — |")
    peer_wall = peer_time.get("wall")
    w(f"| **total (pipeline timers)** | | **{fmt(ours_total)}** | **{peer_total_text}** | "
      f"**{ratio(peer_total if peer_ok else (args.peer_timeout if peer_timed_out else None), ours_total, peer_timed_out)}** |")
    w(f"| total wall time (`/usr/bin/time`, incl. process start) | | {fmt(ours_time.get('wall'))} | "
      f"{('≥ ' if peer_timed_out else '') + fmt(peer_wall)} | {ratio(peer_wall, ours_time.get('wall'), peer_timed_out)} |")
    o_rss, p_rss = ours_time.get("rss_kib"), peer_time.get("rss_kib")
    w(f"| peak RSS (MiB, `/usr/bin/time -v`) | | {fmt(o_rss / 1024 if o_rss else None, 0)} | "
      f"{fmt(p_rss / 1024 if p_rss else None, 0)} | {ratio(p_rss, o_rss)} |")
    w(f"| CPU time user + sys (s) / CPU utilisation | | "
      f"{fmt((ours_time.get('user') or 0) + (ours_time.get('sys') or 0)) if ours_time else '—'} / {ours_time.get('cpu_pct', '—')} % | "
      f"{fmt((peer_time.get('user') or 0) + (peer_time.get('sys') or 0)) if peer_time else '—'} / {peer_time.get('cpu_pct', '—')} % | |")
    w("")
    w("### Raw phase timings")
    w("")
    w("Wall seconds per phase; for the peer also its CPU seconds (single-threaded: CPU well below wall means the "
      "process waited for a core).")
    w("")
    w("| side | phase | wall (s) | CPU (s) |")
    w("|---|---|---:|---:|")
    for k, v in ours.items():
        w(f"| ours | {k} | {fmt(v, 3)} | |")
    for k, v in peer.items():
        w(f"| peer | {k} | {fmt(v, 3)} | {fmt(peer_cpu.get(k), 3)} |")
    w("")
    ours_counts = (ours_result or {}).get("counts") or {}
    peer_counts = (peer_result or {}).get("counts") or {}
    if ours_counts or peer_counts:
        w("### Same work? Output counts")
        w("")
        w("The overlap pairs, the users and the number of likes (it depends only on each user's overlap count) are "
          "deterministic and should agree. Which playlists are liked depends on the random exploration draw e, and "
          "cold users, splits, ownership, triplets and evaluation rows on other random streams, which differ "
          "between the two sides; so those counts agree only approximately.")
        w("")
        w("| count | ours | peer |")
        w("|---|---:|---:|")
        for k in sorted(set(ours_counts) | set(peer_counts)):
            w(f"| {k} | {ours_counts.get(k, '—')} | {peer_counts.get(k, '—')} |")
        w("")
    w("## Commands")
    w("")
    w("```")
    w(f"# ours ({args.ours_status})")
    w(f"/usr/bin/time -v -o ours.time {args.ours_cmd}")
    w("# peer")
    w(f"/usr/bin/time -v -o peer.time timeout {int(args.peer_timeout)} {args.peer_cmd}")
    w("```")
    w("")
    w(f"Run directory (logs, /usr/bin/time reports, JSON results): `{d}`.")
    w("")
    with open(args.out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
