"""`make mutation`: mutation testing (mutmut) of the experiment statistics and the registry's
promotion decision, so a formula can be changed without a test noticing only where a
surviving mutant says so.

mutmut copies what it mutates into mutants/ beside its configuration; to leave the working
tree alone (and its pyproject.toml without a [tool.mutmut] table) this copies the modules,
their tests and the files the tests read into a scratch folder, writes a setup.cfg there and
runs mutmut in it. Mutated: every function of catalog_ml.experiment_stats and
catalog_ml.experiments, and the promotion path of catalog_ml.registry (REGISTRY_TARGETS;
the rest of registry.py is generated but not run). Prints the score (killed / mutants run)
per module and the surviving mutants; `mutmut show NAME` in the folder shows one.

    python -m catalog_ml.mutation [--work DIR] [--max-children N]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
MODULES = ("experiment_stats", "experiments", "registry")
REGISTRY_TARGETS = (
    "decide_promotion",
    "promotion_rule",
    "paired_bootstrap",
    "paired_bootstrap_means",
    "bootstrap_weights",
    "register",
)
TESTS = (
    "tests/python/test_experiment_stats.py",
    "tests/python/test_experiment_readout_empty.py",
    "tests/python/test_experiment_decisions.py",
    "tests/python/test_experiment_sequential.py",
    "tests/python/test_experiment_units.py",
    "tests/python/test_experiment_switchback.py",
    "tests/python/test_registry.py",
)
# What the tests import or read besides the package.
SUPPORT = (
    "tests/python/experiment_fixtures.py",
    "models/marts/experiments/fct_experiment_results.yml",
)


def mutant_patterns() -> list[str]:
    """mutmut's names of the mutants to run (module.x_function__mutmut_N)."""
    patterns = [f"catalog_ml.{module}.*" for module in MODULES if module != "registry"]
    return patterns + [f"catalog_ml.registry.x_{name}__mutmut_*" for name in REGISTRY_TARGETS]


def prepare(work: Path) -> None:
    """The package, the tests and their files in `work`, with mutmut's setup.cfg."""
    shutil.copytree(
        REPO / "src" / "catalog_ml",
        work / "src" / "catalog_ml",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    for relative in (*TESTS, *SUPPORT):
        (work / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / relative, work / relative)
    lines = "\n    ".join
    (work / "setup.cfg").write_text(
        "[mutmut]\n"
        "source_paths = src\n"
        f"only_mutate =\n    {lines(f'src/catalog_ml/{m}.py' for m in MODULES)}\n"
        f"pytest_add_cli_args_test_selection =\n    {lines(TESTS)}\n"
        "pytest_add_cli_args =\n    -p\n    no:cacheprovider\n"
        "also_copy =\n    models\n"
        "use_git_change_detection = false\n"
    )


def results(work: Path, mutmut: Path) -> dict[str, str]:
    """Mutant name -> status (killed, survived, timeout, ...) of the mutants this run targets."""
    listed = subprocess.run(
        [str(mutmut), "results", "--all", "true"],
        cwd=work,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    wanted = re.compile(
        "|".join(p.replace(".", r"\.").replace("*", ".*") for p in mutant_patterns())
    )
    status = {}
    for line in listed.splitlines():
        name, _, state = line.strip().partition(": ")
        if state and wanted.fullmatch(name):
            status[name] = state.strip()
    return status


def report(status: dict[str, str]) -> str:
    """The score per module and overall, and the survivors."""
    out = []
    for module in (*MODULES, None):
        names = [n for n in status if module is None or n.startswith(f"catalog_ml.{module}.")]
        counts = Counter(status[n] for n in names)
        run = sum(v for k, v in counts.items() if k not in {"not checked", "skipped"})
        killed = counts["killed"] + counts["timeout"]
        score = f"{killed / run:.1%}" if run else "n/a"
        label = f"catalog_ml.{module}" if module else "all"
        out.append(
            f"{label}: {killed}/{run} killed ({score}); "
            + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        )
    survivors = sorted(n for n, s in status.items() if s == "survived")
    out.append(
        "survived:" + "".join(f"\n  {n}" for n in survivors) if survivors else "survived: none"
    )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, help="scratch folder (default: a new temporary one)")
    parser.add_argument("--max-children", type=int, default=2, help="mutants run in parallel")
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="catalog_ml_mutation_"))
    if work.exists() and any(work.iterdir()):
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    prepare(work)
    mutmut = Path(sys.executable).with_name("mutmut")
    run = subprocess.run(
        [str(mutmut), "run", "--max-children", str(args.max_children), *mutant_patterns()],
        cwd=work,
    )
    status = results(work, mutmut)
    print(f"\nmutation testing in {work}\n{report(status)}")
    return run.returncode or (0 if status else 1)


if __name__ == "__main__":
    raise SystemExit(main())
