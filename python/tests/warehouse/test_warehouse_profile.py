"""Connection settings come from the dbt profile, found and rendered as dbt does; every failure says how to fix it."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from dbt_grounding.errors import ConfigurationError
from dbt_grounding.warehouse.profile import load_connection_settings
from dbt_grounding.warehouse.rendering import render_value
from dbt_runner import REPO_ROOT

DUCKDB_PROFILE = """
    shop:
      target: "{{ env_var('SHOP_TARGET', 'dev') }}"
      outputs:
        dev:
          type: duckdb
          path: "{{ env_var('SHOP_DB', 'data/shop.duckdb') }}"
          schema: main
          threads: "{{ env_var('SHOP_THREADS', '4') | as_number }}"
        prod:
          type: duckdb
          path: "/srv/{{ env_var('SHOP_PROD_FILE') }}"
        memory:
          type: duckdb
          path: ":memory:"
        nopath:
          type: duckdb
        pg:
          type: postgres
          host: localhost
          password: "{{ env_var('PG_PASSWORD') }}"
    """


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A dbt project with its profiles.yml beside it; HOME and cwd moved away so no real profile is found."""
    project_dir = tmp_path / "project"
    project_dir.mkdir()
    (project_dir / "dbt_project.yml").write_text("name: shop\nprofile: shop\nconfig-version: 2\n")
    (project_dir / "profiles.yml").write_text(textwrap.dedent(DUCKDB_PROFILE))
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(tmp_path)
    return project_dir


def load(project_dir: Path, environ: dict[str, str] | None = None, **kwargs):
    return load_connection_settings(project_dir, environ=environ or {}, **kwargs)


def test_default_target_rendered_and_relative_path_resolved_against_the_project(project: Path) -> None:
    settings = load(project)
    assert (settings.adapter_type, settings.profile_name, settings.target_name) == ("duckdb", "shop", "dev")
    assert settings.settings["path"] == str(project / "data" / "shop.duckdb")
    assert settings.settings["database"] == "shop"  # as dbt-duckdb names it
    assert settings.settings["threads"] == 4  # | as_number gives a number, as in dbt
    assert settings.profiles_file == project / "profiles.yml"


def test_env_vars_override_the_defaults(project: Path, tmp_path: Path) -> None:
    settings = load(project, {"SHOP_DB": str(tmp_path / "elsewhere.duckdb"), "SHOP_THREADS": "8"})
    assert settings.settings["path"] == str(tmp_path / "elsewhere.duckdb")
    assert settings.settings["threads"] == 8


def test_target_precedence_argument_then_dbt_target_then_profile(project: Path) -> None:
    environ = {"SHOP_PROD_FILE": "prod.duckdb"}
    assert load(project, environ).target_name == "dev"
    assert load(project, {**environ, "SHOP_TARGET": "prod"}).target_name == "prod"  # Jinja in `target:`
    assert load(project, {**environ, "DBT_TARGET": "prod"}).target_name == "prod"
    assert load(project, {**environ, "DBT_TARGET": "memory"}, target="prod").settings["path"] == "/srv/prod.duckdb"


def test_a_missing_env_var_is_named(project: Path) -> None:
    with pytest.raises(ConfigurationError) as raised:
        load(project, target="prod")
    assert raised.value.details["env_var"] == "SHOP_PROD_FILE"
    assert "SHOP_PROD_FILE" in raised.value.message and "SHOP_PROD_FILE" in raised.value.hint


def test_env_vars_of_other_targets_need_not_be_set(project: Path) -> None:
    assert load(project).target_name == "dev"  # prod's SHOP_PROD_FILE and pg's PG_PASSWORD are unset


@pytest.mark.parametrize("target", ["memory", "nopath"])
def test_in_memory_duckdb_is_refused(project: Path, target: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        load(project, target=target)
    assert "memory" in raised.value.message and "path" in raised.value.hint


def test_an_incomplete_postgres_target_is_refused_without_rendering_secrets_into_the_error(project: Path) -> None:
    with pytest.raises(ConfigurationError) as raised:
        load(project, {"PG_PASSWORD": "hunter2"}, target="pg")
    assert raised.value.details["adapter"] == "postgres" and raised.value.details["missing"] == ["user", "database"]
    assert "hunter2" not in str(raised.value.to_dict())


def test_settings_repr_hides_the_settings(project: Path) -> None:
    assert "path" not in repr(load(project))


def test_unknown_target_lists_the_valid_ones(project: Path) -> None:
    with pytest.raises(ConfigurationError) as raised:
        load(project, target="staging")
    assert "dev" in raised.value.hint and "prod" in raised.value.hint


def test_unknown_profile_lists_the_available_ones(project: Path) -> None:
    with pytest.raises(ConfigurationError) as raised:
        load(project, profile="warehouse")
    assert "shop" in raised.value.hint
    assert load(project, {"DBT_PROFILE": "shop"}).profile_name == "shop"


def test_no_dbt_project(project: Path) -> None:
    (project / "dbt_project.yml").unlink()
    for profile in (None, "shop"):  # the project directory matters even when the profile is named
        with pytest.raises(ConfigurationError) as raised:
            load(project, profile=profile)
        assert "dbt_project.yml" in raised.value.message and raised.value.hint


def test_no_profile_name_in_dbt_project(project: Path) -> None:
    (project / "dbt_project.yml").write_text("name: shop\n")
    with pytest.raises(ConfigurationError) as raised:
        load(project)
    assert "profile:" in raised.value.hint


def test_profile_name_in_dbt_project_is_rendered(project: Path) -> None:
    (project / "dbt_project.yml").write_text("name: shop\nprofile: \"{{ env_var('SHOP_PROFILE', 'shop') }}\"\n")
    assert load(project).profile_name == "shop"


def test_no_profiles_yml_anywhere(project: Path) -> None:
    (project / "profiles.yml").unlink()
    with pytest.raises(ConfigurationError) as raised:
        load(project)
    assert "DBT_PROFILES_DIR" in raised.value.hint
    assert str(Path.home() / ".dbt" / "profiles.yml") in raised.value.details["searched"]


def test_profiles_dir_precedence(project: Path, tmp_path: Path) -> None:
    other = tmp_path / "other_profiles"
    other.mkdir()
    (other / "profiles.yml").write_text(
        (project / "profiles.yml").read_text().replace("data/shop.duckdb", "data/other.duckdb")
    )
    assert load(project, {"DBT_PROFILES_DIR": str(other)}).settings["path"].endswith("other.duckdb")
    assert load(project, profiles_dir=other).settings["path"].endswith("other.duckdb")
    with pytest.raises(ConfigurationError) as raised:
        load(project, profiles_dir=tmp_path / "nowhere")
    assert "profiles_dir" in raised.value.hint


def test_home_dbt_is_the_last_resort(project: Path) -> None:
    home_dbt = Path.home() / ".dbt"
    home_dbt.mkdir()
    (project / "profiles.yml").rename(home_dbt / "profiles.yml")
    assert load(project).profiles_file == home_dbt / "profiles.yml"


def test_broken_yaml_is_a_configuration_error(project: Path) -> None:
    (project / "profiles.yml").write_text("shop: [unclosed\n")
    with pytest.raises(ConfigurationError):
        load(project)


def test_unsupported_jinja_is_a_configuration_error(project: Path) -> None:
    (project / "profiles.yml").write_text("shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n"
                                          "      path: \"{{ run_query('select 1') }}\"\n")
    with pytest.raises(ConfigurationError) as raised:
        load(project)
    assert "path" in raised.value.message


def test_the_packages_own_profile(tmp_path: Path) -> None:
    settings = load_connection_settings(REPO_ROOT, environ={"DBT_GROUNDING_DUCKDB_PATH": str(tmp_path / "w.duckdb")})
    assert (settings.adapter_type, settings.target_name) == ("duckdb", "duckdb")
    assert settings.settings["path"] == str(tmp_path / "w.duckdb")
    assert settings.settings["database"] == "w"
    default = load_connection_settings(REPO_ROOT, environ={})
    assert default.settings["path"] == str(REPO_ROOT / "dbt_grounding.duckdb")


# dbt's own renderer is the oracle for the Jinja subset a profile uses (imported only here: it costs ~1 s).
RENDER_CASES = [
    "plain", "{{ 4 }}", "{{ 4 + 1 }}", "{{ '5' }}", "{{ [1, 2] }}", "{{ [1, 2] | as_native }}",
    "{{ env_var('PORT') }}", "{{ env_var('PORT') | as_number }}", "{{ env_var('PORT') | as_native }}",
    "{{ env_var('PORT') | as_text }}", "{{ env_var('PORT') | int }}", "{{ env_var('FLAG') | as_bool }}",
    "{{ 'True' | as_bool }}", "a{{ env_var('NAME') }}", "{{ env_var('NAME') ~ '.duckdb' }}",
    "{{ env_var('NAME') | upper }}", "{{ env_var('UNSET', 'fallback') }}", "{{ env_var('UNSET', 7) }}",
    "{{ var('v', 'd') }}", "{% if env_var('FLAG') == 'True' %}yes{% else %}no{% endif %}",
    # one env_var call with literal arguments is rendered without jinja2 (rendering._PLAIN_ENV_VAR): the same answers
    "{{env_var('PORT')}}", '{{ env_var("NAME", "x") }}', "{{ env_var( 'UNSET' , 'fallback' ) }}",
    "{{ env_var('UNSET', '') }}", "{{ env_var('NAME', 'a\"b') }}", " {{ env_var('NAME') }}",
]


@pytest.mark.parametrize("value", RENDER_CASES)
def test_rendering_matches_dbt(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from dbt.config.renderer import ProfileRenderer
    from dbt_common.context import set_invocation_context

    environ = {"PORT": "5432", "FLAG": "True", "NAME": "shop"}
    for name, setting in environ.items():
        monkeypatch.setenv(name, setting)
    monkeypatch.delenv("UNSET", raising=False)
    set_invocation_context(dict(os.environ))
    expected = ProfileRenderer({}).render_value(value)
    rendered = render_value(value, environ=environ, source="test")
    assert (rendered, type(rendered)) == (expected, type(expected))
