"""Group mapping rules: which identity-provider groups give which team roles.

OIDC_GROUP_RULES is a list of entries separated by ";" or new lines:

    opsreview-{team}-{role}        a pattern: any group that matches gives that team (by slug)
                                   and role (member or reviewer); without {role}, member
    sre-oncall=platform:reviewer   one group gives one team role (":member" may be left out)
    opsreview-leads=ops-lead       one group makes people ops leads

Plain Python, no Django: the rules are parsed once at start (a bad rule stops the start) and
applied at every sign-in by accounts.services.identity_sync_roles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

ROLES = ("member", "reviewer")
OPS_LEAD = "ops-lead"


@dataclass(frozen=True)
class Grants:
    teams: dict[str, str] = field(default_factory=dict)  # team slug -> role
    ops_lead: bool = False


@dataclass(frozen=True)
class Rules:
    patterns: tuple[re.Pattern, ...] = ()
    explicit: tuple[tuple[str, str, str], ...] = ()  # (group, team slug or OPS_LEAD, role)

    def grants(self, groups: list[str]) -> Grants:
        """The team roles and ops lead flag the groups give; a reviewer grant wins over member."""
        teams: dict[str, str] = {}
        ops_lead = False

        def give(team: str, role: str) -> None:
            if teams.get(team) != "reviewer":
                teams[team] = role

        for group in groups:
            for pattern in self.patterns:
                match = pattern.fullmatch(group)
                if match:
                    role = match.groupdict().get("role") or "member"
                    give(match["team"].lower(), role.lower())
            for name, team, role in self.explicit:
                if name == group:
                    if team == OPS_LEAD:
                        ops_lead = True
                    else:
                        give(team, role)
        return Grants(teams=teams, ops_lead=ops_lead)


def _pattern(entry: str) -> re.Pattern:
    if entry.count("{team}") != 1 or entry.count("{role}") > 1:
        raise ValueError(f"{entry!r}: a pattern needs {{team}} once and {{role}} at most once")
    if set("{}") & set(entry.replace("{team}", "").replace("{role}", "")):
        raise ValueError(f"{entry!r}: only {{team}} and {{role}} may appear in braces")
    regex = re.escape(entry)
    regex = regex.replace(re.escape("{team}"), r"(?P<team>[a-z0-9][a-z0-9_-]*?)")
    regex = regex.replace(re.escape("{role}"), "(?P<role>" + "|".join(ROLES) + ")")
    return re.compile(regex, re.IGNORECASE)


def parse_rules(text: str) -> Rules:
    patterns: list[re.Pattern] = []
    explicit: list[tuple[str, str, str]] = []
    for raw in re.split(r"[;\n]", text or ""):
        entry = raw.strip()
        if not entry or entry.startswith("#"):
            continue
        if "=" in entry:
            group, _, target = (part.strip() for part in entry.partition("="))
            if not group or not target:
                raise ValueError(f"{entry!r}: write GROUP=TEAM:ROLE or GROUP=ops-lead")
            if target == OPS_LEAD:
                explicit.append((group, OPS_LEAD, ""))
                continue
            team, _, role = target.partition(":")
            role = role or "member"
            if role not in ROLES or not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", team):
                raise ValueError(f"{entry!r}: TEAM is a team slug, ROLE is member or reviewer")
            explicit.append((group, team, role))
        else:
            patterns.append(_pattern(entry))
    return Rules(patterns=tuple(patterns), explicit=tuple(explicit))
