import pytest
from django.core.exceptions import ImproperlyConfigured

from accounts.apps import AccountsConfig
from accounts.rules import parse_rules

RULES = "opsreview-{team}-{role}; sre-oncall=platform:reviewer\nops=ops-lead; ledger-devs=ledger"


def test_a_pattern_gives_the_team_and_role_it_names():
    grants = parse_rules(RULES).grants(["opsreview-payments-reviewer", "opsreview-Search-Member"])

    assert grants.teams == {"payments": "reviewer", "search": "member"}
    assert not grants.ops_lead


def test_explicit_lines_give_a_team_role_or_ops_lead():
    grants = parse_rules(RULES).grants(["sre-oncall", "ops", "ledger-devs"])

    assert grants.teams == {"platform": "reviewer", "ledger": "member"}
    assert grants.ops_lead


def test_reviewer_wins_when_two_groups_give_the_same_team():
    grants = parse_rules(RULES).grants(["opsreview-platform-member", "sre-oncall"])

    assert grants.teams == {"platform": "reviewer"}


def test_groups_no_rule_mentions_give_nothing():
    grants = parse_rules(RULES).grants(["everyone", "opsreview-payments-boss", "xops"])

    assert grants.teams == {} and not grants.ops_lead


def test_no_rules_give_nothing():
    assert parse_rules("").grants(["opsreview-payments-reviewer"]).teams == {}


@pytest.mark.parametrize("bad", [
    "opsreview-{group}", "{team}-{team}", "a=", "=platform", "a=platform:owner", "a=Plat Form",
])
def test_a_bad_rule_is_refused_with_its_text(bad):
    with pytest.raises(ValueError, match="'"):
        parse_rules(bad)


def test_a_bad_rule_stops_the_start(settings):
    settings.OIDC_GROUP_RULES = "a=platform:owner"

    with pytest.raises(ImproperlyConfigured, match="OIDC_GROUP_RULES"):
        AccountsConfig.ready(type("App", (), {})())
