"""Run the benchmarks, print their tables, and write them to docs/benchmarks.md.

    python -m bench            # every benchmark
    python -m bench audit      # one of them

Each benchmark runs against a scratch database of its own (SQLite in a temporary folder unless
BENCH_DATABASE_URL says otherwise), never the real one.
"""

from __future__ import annotations

import importlib
import os
import platform
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCHES = ["audit", "live", "commands", "table"]


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB RAM, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}"
    )


def main(names: list[str]) -> None:
    scratch = tempfile.mkdtemp(prefix="jobdesk-bench-")
    os.environ.setdefault("DATABASE_URL", os.environ.get("BENCH_DATABASE_URL", ""))
    if not os.environ["DATABASE_URL"]:
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch}/bench.sqlite3"
    os.environ["MEDIA_ROOT"] = f"{scratch}/media"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    sections = []
    for name in names or BENCHES:
        module = importlib.import_module(f"bench.{name}")
        title, table = module.run()
        print(f"\n## {title}\n\n{table}\n", flush=True)
        sections.append((name, title, table))
    write_report(sections)


def write_report(sections) -> None:
    path = ROOT / "docs" / "benchmarks.md"
    existing = path.read_text() if path.exists() else ""
    blocks = dict(_split(existing))
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    for name, title, table in sections:
        blocks[name] = (
            f"<!-- bench:{name} -->\n## {title}\n\nMeasured {stamp} on {machine()}.\n\n{table}\n"
        )
    header = (
        "# Benchmarks\n\n`make bench` (or `python -m bench NAME`) runs these and rewrites the "
        "sections it ran. Figures are from one run; compare ratios within a table rather than "
        "absolute numbers across machines.\n\n"
    )
    path.write_text(header + "\n".join(blocks[k] for k in sorted(blocks)))


def _split(text: str):
    for chunk in text.split("<!-- bench:")[1:]:
        name = chunk.split(" -->", 1)[0]
        yield name, "<!-- bench:" + chunk.rstrip() + "\n"


if __name__ == "__main__":
    main(sys.argv[1:])
