"""Every rule of the wording check: a sentence that triggers it and a near miss that must not.

Pure Python: runs without Django (``pytest -p no:django --noconftest tests/wording``).
"""

from __future__ import annotations

import pytest

from wording import BLOCK, FIELDS, WARN, lint, rules

# (rule id, field, sentence that triggers it, near miss that must not trigger it)
CASES = [
    ("human-error-label", "factor", "Root cause: human error during the certificate rotation.",
     'This was not "human error": the API accepted a site ID where an app ID was meant.'),
    ("human-error-label", "summary", "The outage was caused by operator error.",
     "The user error page was served for every request."),
    ("forgot", "factor", "I forgot to drain the node before the kernel upgrade.",
     "The script forgot to drain the node because the drain flag defaulted to false."),
    ("forgot", "lesson", "The technician forgot to copy the build to the eighth server.",
     "Users who forgot their password could not reset it during the outage."),
    ("person-fault", "factor", "She had accidentally deleted the production bucket.",
     "The servers that were inadvertently removed supported two other subsystems."),
    ("person-fault", "factor", "The release engineer ignored the failing canary.",
     "The operator dashboard ignored the region of the command."),
    ("person-fault", "factor", "Personnel performing the change disregarded the checklist.",
     "The load balancer disregarded the health check results."),
    ("person-misstep", "factor", "The deployer pushed the build without testing the config path.",
     "The deploy pipeline pushed the build without testing the config path."),
    ("person-misstep", "factor", "After a second he noticed he ran it on db1 instead of db2.",
     "Traffic was routed to the backup network instead of the primary."),
    ("made-a-mistake", "factor", "The engineer who wrote the rule made a mistake in the regex.",
     "We want to avoid mistakes of this kind by bounding the regex engine."),
    ("possessive-fault", "factor", "Priya's typo in the hostname removed 300 GB of data.",
     "The engineer's checklist had no step for the hostname."),
    ("fault-by-person", "summary", "The site deletions were caused by the operator on call.",
     "The bug was triggered by a valid customer configuration change."),
    ("person-caused", "factor", "The customer caused the outage by pushing a configuration.",
     "The configuration change caused the outage in 85% of the network."),
    ("character", "factor", "A careless change to the firewall rules blocked all traffic.",
     "The firewall rule change blocked all inbound traffic for 9 minutes."),
    ("character", "factor", "There was a lapse in judgement when deciding not to fail over.",
     "The decision not to fail over was made with the data the dashboard showed."),
    ("fat-finger", "factor", "An engineer fat-fingered the replica count.",
     "The tool now asks for confirmation so that fat-finger inputs cannot happen."),
    ("blame-word", "lesson", "We blame the platform team for the missing review.",
     "We run blameless reviews; git blame showed the line came from the 2019 refactor."),
    ("seniority", "factor", "A junior engineer pushed an untested regex to every server.",
     "The engineer pushed the regex through the normal pipeline."),
    ("named-person", "factor", "Tomasz mistakenly ran the cleanup job against production.",
     "Tomasz paged the database on-call at 10:02 and restored the replica."),
    ("named-actor", "summary", "Kenji deployed the config change at 14:02.",
     "Kenji restored service at 14:40 by rolling back."),
    ("mention", "factor", "@alice merged the pull request without the integration tests.",
     "The retry decorator (@retry) swallowed the timeout."),
    ("person-should-have", "factor", "The on-call engineer should have drained the node first.",
     "The retry limiter should have capped the retries at three, but it was disabled."),
    ("person-should-have", "factor", "Team B should have at least been asking what the IDs were.",
     "Latency should have returned to normal by 09:30, but the cache stayed cold."),
    ("should-have-had", "lesson", "We should have had a canary stage for rule changes.",
     "Every service should have a runbook linked from its alarm."),
    ("should-have-been", "factor", "This should have been caught in review.",
     "The validator should have rejected the file, as designed, but its size check was off."),
    ("could-have-prevented", "factor", "The outage could have been completely prevented.",
     "Monitoring that would have provided better visibility relied on the affected systems."),
    ("could-have-prevented", "lesson", "A dry run might have caught it before any capacity went.",
     "A dry run now shows which servers a command would remove."),
    ("person-could-have", "factor", "The responders could've locked the deploy tooling earlier.",
     "The bug could have affected every region, but only one ran the new build."),
    ("needed-to-have", "factor", "The query author needed to have filtered by database name.",
     "The query needed a filter on the database name, which it did not have."),
    ("inverted-conditional", "factor",
     "Had anyone checked the backup emails, the data loss would have been smaller.",
     "Had the backups been tested daily? The review could not tell from the logs."),
    ("inverted-conditional", "summary",
     "If the team had run a dry run, the outage would have been avoided.",
     "If the primary had failed over, the replicas reconnected within 40 seconds."),
    ("if-only", "lesson", "If only we had a staging copy of the database.",
     "The job retries if only one replica is healthy."),
    ("obviously", "factor", "Obviously the TTL was too long.",
     "The TTL of 86,400 seconds kept the bad record cached for a day."),
    ("person-failed-to", "factor", "The peer reviewer failed to verify the ID list.",
     "The job failed to acquire the lock within 30 seconds."),
    ("open-ended-improvement", "action", "Improve the robustness of the deployment process.",
     "Make the deploy tool refuse a rollout when the canary error rate exceeds 1% (OPS-412)."),
    ("open-ended-improvement", "action", "Review the on-call procedures.",
     "Review the on-call escalation timeout and cut it to 5 minutes by 1 March."),
    ("add-more", "action", "Add more dashboards.",
     "Add alerting for the checkout service error budget burn rate."),
    ("effort", "action", "Try harder to catch bugs before release.",
     "Add a CI job that replays the malformed manifest before release."),
    ("effort", "action", "Engineers must stay alert during maintenance windows.",
     "Page the maintenance owner when an alert fires during a maintenance window."),
    ("effort", "action", "Pay more attention to the deploy logs.",
     "Fail the deploy when the log contains 'migration skipped' (ticket OPS-88)."),
    ("train-people", "action", "Train engineers on the deletion API.",
     "Add more training data for the fraud classifier from the last quarter."),
    ("train-people", "action", "Remind the team to check the hostname before running rm.",
     "Show the hostname in red in the shell prompt of every primary (#1094)."),
    ("watch-closely", "action", "Monitor Consul more closely.",
     "Alert when Consul KV write latency p99 exceeds 300 ms for 5 minutes."),
    ("never-again", "action", "Make sure this never happens again.",
     "Block merges that change the WAF rules without a canary stage (OPS-7), due 1 May."),
    ("open-ended-investigation", "action", "Consider setting up production regression testing.",
     "Decide between RE2 and Rust regex and record it in OPS-19 by 15 July."),
    ("communicate-better", "action", "Communicate better with the database team.",
     "Post a status update to #incidents every 30 minutes during a Sev1."),
    ("big-bang", "action", "Rewrite the whole system in Rust.",
     "Move the health-check script to Python 3.12."),
]


def _ids(field, text):
    return {f.rule_id for f in lint(text, field)}


@pytest.mark.parametrize(
    ("rule_id", "field", "hit", "near_miss"), CASES, ids=[f"{c[0]}:{c[2][:30]}" for c in CASES]
)
def test_rule_triggers_and_its_near_miss_does_not(rule_id, field, hit, near_miss):
    participants = ["Tomasz Nowak", "Kenji Watanabe"]
    assert rule_id in {f.rule_id for f in lint(hit, field, participants)}, lint(hit, field)
    category = next(r.category for r in rules() if r.id == rule_id)
    found = [f for f in lint(near_miss, field, participants) if f.rule == category]
    assert found == [], [(near_miss[f.start : f.end], f.rule_id) for f in found]


def test_every_rule_has_a_case():
    assert {r.id for r in rules()} == {c[0] for c in CASES}


def test_rule_table_is_well_formed():
    assert len({r.id for r in rules()}) == len(rules())
    for rule in rules():
        assert rule.category in ("blame", "counterfactual", "vague_action"), rule.id
        assert set(rule.severity) == set(FIELDS), rule.id
        assert set(rule.severity.values()) <= {BLOCK, WARN, None}, rule.id
        assert rule.message.endswith(".") and "COE rules" in rule.message, rule.id
        assert rule.suggestion, rule.id
        assert not rule.pattern.match(""), rule.id


def test_participants_make_rare_names_people():
    text = "Przemek's typo in the hostname removed 300 GB of data."
    assert lint(text, "factor") == []
    (finding,) = lint(text, "factor", participants=["Przemek Kowalczyk", "pkowalczyk"])
    assert (finding.rule, finding.rule_id, finding.severity) == ("blame", "possessive-fault", BLOCK)
    assert text[finding.start : finding.end].startswith("Przemek")


def test_usernames_are_people_too():
    text = "pkowalczyk mistakenly ran the cleanup job against production."
    assert lint(text, "factor") == []
    assert {f.rule for f in lint(text, "factor", ["pkowalczyk"])} == {"blame"}


def test_participants_may_be_objects_with_name_and_username():
    class P:
        name = "Przemek Kowalczyk"
        username = "pk"

    assert lint("Przemek mistakenly ran the job.", "factor", [P()])


def test_suggestion_is_shaped_like_the_sentence():
    (finding,) = lint("I forgot to drain the node before the upgrade.", "factor")
    assert "drain the node before the upgrade" in finding.suggestion
    (vague,) = lint("Improve monitoring.", "action")
    assert "Improve monitoring" in vague.suggestion and "threshold" in vague.suggestion
    assert vague.message.startswith("'Improve monitoring' has no measurable finish")


def test_only_confident_rules_block():
    # A weaker sign of blame warns; a fault word with a person blocks.
    assert {f.severity for f in lint("The engineer used the wrong cluster.", "factor")} == {WARN}
    assert {f.severity for f in lint("The engineer ignored the alarm.", "factor")} == {BLOCK}
