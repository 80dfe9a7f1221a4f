"""Who does what: owners of items ("Owner: SRE", "(@dba)") and the roles of sign-off blocks."""

from __future__ import annotations

import re

from console.importer.text import plain, slug, strip_markers

_OWNER = re.compile(
    r"\s*[\[(]?\b(?:responsible|owner|owned by|assignee|assigned to|who)\s*[:=\-]?\s*@?"
    r"([A-Za-z][\w .&/\-]{0,40}?)[\])]?\s*$",
    re.IGNORECASE,
)
_MENTION = re.compile(r"\s*\(@([A-Za-z][\w\-]{0,40})\)\s*$|\s+@([A-Za-z][\w\-]{0,40})\s*$")
_ROLE_NOUNS = re.compile(
    r"\b(?:lead|leads|manager|engineer|engineering|owner|officer|director|vp|head|cto|cio|ciso|ceo|sre|architect|"
    r"team|operations|ops|security|product|qa|commander|admin|administrator|dba|on-call|oncall|approver|"
    r"stakeholder|devops|compliance|legal|captain|developer|developers|tester|reviewer|coordinator|specialist|"
    r"analyst|representative|sponsor|champion|steward|chief|president|principal|consultant|liaison|support|"
    r"finops|platform|infrastructure|infra|business|release|change|cab|marketing|privacy|sme|executive|"
    r"maintainer|pm|tpm|em|cfo|coo|dpo|auditor|approval|sign-?off)\b",
    re.IGNORECASE,
)
_BY_LABEL = {
    "deployed": "deployer", "validated": "validator", "approved": "approver", "reviewed": "reviewer",
    "tested": "tester", "verified": "verifier", "executed": "executor", "released": "releaser",
    "authorized": "authorizer", "authorised": "authorizer", "accepted": "acceptor", "checked": "checker",
}
_NOT_ROLES = {"date", "time", "date-time", "datetime", "signature", "notes", "status", "comments", "comment", "name",
              "version", "revision", "updated", "created", "id", "document", "checklist", "decision", "outcome",
              "result", "duration", "location", "link", "ticket", "email", "phone", "approval", "approved", "change",
              "signer", "signatory", "responsible", "deadline", "evidence", "criteria"}
_SIGNOFF_LINE = re.compile(
    r"^\s*(?:[-*+]\s+)?(?:\[[ xX]\]\s*)?(?P<label>[A-Za-z][\w /&\-]{1,60}?)\s*:\s*(?P<value>.*)$")
_BLANK = re.compile(r"^[\s_.\-]*$|^_{2,}|^\[[^\]]*\]\s*$|^<[^>]*>\s*$")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4}")
SIGNOFF_HEADING = re.compile(r"sign[\s\-]?off|signatures?|approvals?|authori[sz]ation", re.IGNORECASE)


def role_slug(text: str) -> str:
    """A role id from a name: "Security Lead/CISO" → "security-lead"; "" when no name is left."""
    first = re.split(r"\s*/\s*|\s+or\s+|\s*\(", text.strip(), maxsplit=1)[0]
    first = re.sub(r"\bsignatures?\b|\bsign[\s\-]?off\b", " ", first, flags=re.IGNORECASE)
    without_team = re.sub(r"\bteam\b", " ", first, flags=re.IGNORECASE)
    return slug(without_team, limit=40) or slug(first, limit=40)


def item_owner(text: str) -> tuple[str, str | None]:
    """(text without the owner, role) for "… Owner: SRE", "… (@platform)"; (text, None) without one."""
    m = _OWNER.search(text)
    if m and m.start() > 0:
        role = role_slug(m.group(1))
        if role:
            return text[: m.start()].rstrip(" -–—,;"), role
    m = _MENTION.search(text)
    if m and m.start() > 0:
        role = role_slug(m.group(1) or m.group(2))
        if role:
            return text[: m.start()].rstrip(" -–—,;"), role
    return text, None


def team_label(text: str) -> str | None:
    """The role a bold label gives the list under it: "**Operations Team:** ✅ …" → "operations"."""
    m = re.match(r"^\s*(?:\*\*|__)([^*_]{2,40}?):?(?:\*\*|__)\s*:?", text)
    if not m or not _ROLE_NOUNS.search(m.group(1)):
        return None
    return role_slug(m.group(1)) or None


def _split_names(value: str) -> list[str]:
    return [p.strip() for p in re.split(r"\s*(?:\+|,|;|&|\band\b)\s*", value) if p.strip()]


def signoff_roles(line: str, in_signoff: bool) -> list[str] | None:
    """The roles one sign-off line names, or None when the line is not a sign-off line.

    "Signed Off By: Operations Lead + Product Manager" → both roles; "Deployed by: ____" → "deployer";
    "**Operations Lead**: ____ Date: ____" → "operations-lead". "Date:" and friends are not roles.
    """
    m = _SIGNOFF_LINE.match(plain(line))
    if not m:
        return None
    label = m.group("label").strip()
    value = m.group("value").strip()
    by = re.match(r"^(.*?)\s+by$", label, re.IGNORECASE)
    value_blank = bool(_BLANK.match(value)) or bool(re.match(r"^_{2,}", value))
    if by:
        verb = by.group(1).lower().split()[0] if by.group(1).split() else ""
        names = [] if value_blank else [n for n in _split_names(value) if _ROLE_NOUNS.search(n)]
        if names:
            return [r for r in (role_slug(n) for n in names) if r]
        if value_blank or in_signoff:
            role = _BY_LABEL.get(verb) or role_slug(by.group(1))
            return [role] if role and role not in _NOT_ROLES else None
        return None
    if role_slug(label) in _NOT_ROLES or _DATE.search(value) or set(role_slug(label).split("-")) & _NOT_ROLES:
        return None
    if value and value_blank and len(label.split()) <= 4 and _ROLE_NOUNS.search(label):
        return [role_slug(label)]
    if in_signoff and len(label.split()) <= 4 and _ROLE_NOUNS.search(label) and _is_bold_label(line):
        return [role_slug(label)]  # "**Platform Lead**: all checks complete" on a sign-off list
    return None


_PERSON_NOUNS = {
    "lead", "leads", "manager", "engineer", "owner", "officer", "director", "vp", "head", "cto", "cio", "ciso", "ceo",
    "sre", "architect", "commander", "admin", "administrator", "dba", "approver", "captain", "developer", "tester",
    "reviewer", "coordinator", "specialist", "analyst", "representative", "sponsor", "champion", "steward", "chief",
    "president", "consultant", "liaison", "maintainer", "pm", "tpm", "em", "cfo", "coo", "dpo", "auditor", "on-call",
    "oncall", "team", "qa", "devops", "security", "operations", "ops",
}


def _is_bold_label(line: str) -> bool:
    return bool(re.match(r"^\s*(?:[-*+]\s+)?(?:\[[ xX]\]\s*)?(?:\*\*|__)[^*_]{2,40}(?:\*\*|__)\s*:|"
                         r"^\s*(?:[-*+]\s+)?(?:\[[ xX]\]\s*)?(?:\*\*|__)[^*_]{2,40}:(?:\*\*|__)", line))


_NAMED_BY = re.compile(r"^\s*(?:[-*+]\s+)?(?:\[[ xX]\]\s*)?(?:\*\*)?(?:owner|approver|signer|signatory|responsible|"
                       r"approved by|signed by)(?:\*\*)?\s*:\s*\[?([^\]]{2,40})\]?\s*$", re.I)
_SIGNS_FOR = re.compile(r"^(.{2,40}?)\s+(?:sign[\s\-]?off|approval|signature)s?$", re.I)


def signoff_item(text: str) -> list[str] | None:
    """The role a list item of a sign-off section names: "**Platform Lead**: checks complete", "Engineering Lead",
    "Owner: [Business Owner]", "**Security sign-off**"."""
    named = _NAMED_BY.match(plain(text))
    if named and not _BLANK.match(named.group(1).strip()):
        name = named.group(1).strip()
        return [role_slug(name)] if _ROLE_NOUNS.search(name) and role_slug(name) else []
    signs = _SIGNS_FOR.match(strip_markers(plain(text)).rstrip(":"))
    if signs and signs.group(1).split()[-1].lower() in _PERSON_NOUNS:
        return [role_slug(signs.group(1))]
    roles = signoff_roles(text, True)
    if roles is None and _is_bold_label(text):
        m = _SIGNOFF_LINE.match(plain(text))
        label = m.group("label").strip() if m else ""
        if label and len(label.split()) <= 4 and not set(role_slug(label).split("-")) & _NOT_ROLES:
            roles = [role_slug(label)]
    if roles is None:
        name = plain(text).strip()
        last = re.sub(r"[^a-z\-]", "", name.split()[-1].lower()) if name.split() else ""
        if len(name.split()) <= 4 and last in _PERSON_NOUNS and not re.search(r"[:.!?]", name):
            roles = [r for r in [role_slug(name)] if r and r not in _NOT_ROLES] or None
    return roles


def is_form_field(text: str) -> bool:
    """True for a blank to fill in on paper ("Date/Time: ________", "Notes: [ANY]"): not a check."""
    m = _SIGNOFF_LINE.match(plain(text))
    return bool(m) and bool(m.group("value").strip()) and bool(_BLANK.match(m.group("value").strip()))


def roles_in_list(names: list[str], strict: bool = False) -> list[str]:
    """Roles from a list of people to sign ("Engineering Lead", "Security Lead/CISO"); a name that is not a
    role ("Bob", "Date") is left out, the others still count."""
    roles = []
    for name in names:
        text = plain(name)
        if len(text.split()) > 6 or not _ROLE_NOUNS.search(text):
            if strict:
                return []  # a list that is not all roles is not a list of signers
            continue
        role = role_slug(text)
        if role and role not in _NOT_ROLES and role not in roles:
            roles.append(role)
    return roles


def asks_for_signatures(text: str) -> bool:
    """True for an item like "Obtain signatures on PRODUCTION-SIGN-OFF.md" whose sub-items are the signers."""
    return bool(re.search(r"\bsignatures?\b|\bsign[\s\-]?offs?\b|\bapprovals?\b", text, re.IGNORECASE))
