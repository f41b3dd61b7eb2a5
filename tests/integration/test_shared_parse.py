"""run_dbt shares one parse between calls with the same vars (conftest.run_dbt), and a var
change still takes effect: here a var read at parse time, in a config, which a stale parse
would get wrong silently (eval_bot_filter is enabled only when raw_source is demo)."""

from __future__ import annotations

from conftest import DEMO_SCALE, run_dbt

VARS = f"{{demo_scale: {DEMO_SCALE}}}"  # the vars of demo_build, so a parse is likely shared
BOT_FILTER = "catalog_ml.evaluation.recommendations.eval_bot_filter"


def listed(variables: str, workdir) -> tuple[list[str], str]:
    result = run_dbt(["ls", "-s", "eval_bot_filter", "--vars", variables], workdir)
    assert result.returncode == 0, result.stdout[-3000:]
    return result.stdout.split(), (workdir / "logs" / "dbt.log").read_text()


def test_a_parse_is_shared_across_workdirs_and_a_var_change_still_takes_effect(tmp_path):
    listed(VARS, tmp_path / "first")
    names, log = listed(VARS, tmp_path / "second")
    assert BOT_FILTER in names
    assert "Unable to do partial parsing" not in log  # the first call's parse was re-used
    # Other vars in the same workdir: its target holds the parse above, which dbt must set aside.
    names, log = listed(f"{{demo_scale: {DEMO_SCALE}, raw_source: files}}", tmp_path / "second")
    assert BOT_FILTER not in names
    assert "Unable to do partial parsing because config vars" in log
