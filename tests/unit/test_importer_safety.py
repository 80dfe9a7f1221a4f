"""Never a change as a check: the read-only allowlist, shell blocks read as scripts, and lint of fragment runs."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from golive.console.importer import import_checklist
from golive.console.importer.commands import block_commands, classify, rolls_back
from golive.console.importer.readonly import is_read_only
from golive.console.importer.shell import read_block, read_only_line
from golive.console.runbook import RunbookError, parse_runbook


@pytest.mark.parametrize("command", [
    "sudo mkdir -p /var/lib/app", "docker-compose pull", "./backup.sh", "vegeta attack -rate=1000 -duration=60s",
    "./canary-rollout.sh start", "./performance-monitor.sh start &", "./rollback.sh validate",
    "curl -X POST https://hooks.example/deploy", "curl -d '{}' https://api.example/x", "curl -o out.html https://x",
    "psql -c 'SELECT 1; DELETE FROM users'", "psql -c 'SELECT pg_terminate_backend(42)'", "psql -f fix.sql",
    "kubectl get secret db -o yaml", "kubectl logs -f deploy/api", "kubectl exec deploy/db -- rm -rf /data",
    "docker run --rm alpine sh -c 'rm -rf /'", "docker run -d nginx", "terraform plan", "npm test",
    "kubectl rollout restart deployment/api", "systemctl restart api", "ping example.com", "tail -f /var/log/x",
    "aws secretsmanager get-secret-value --secret-id x", "echo hi > /etc/motd", "sed -i s/a/b/ file",
])
def test_a_command_off_the_allowlist_never_becomes_a_check(command):
    assert classify(command).changes


@pytest.mark.parametrize("command", [
    "kubectl get pods -n prod", "kubectl describe deploy/api", "kubectl rollout status deploy/api", "kubectl top pods",
    "curl -fsS https://api.example/health", "psql -c 'SELECT count(*) FROM pg_stat_activity'",
    "promtool check rules rules.yml", "amtool check-config am.yml", "dig +short api.example", "systemctl is-active api",
    "openssl s_client -connect api.example:443", "kubectl exec deploy/db -- psql -c 'SELECT 1'",
    "docker run --rm prom/prometheus promtool check config /etc/prometheus.yml", "sudo systemctl status api",
    "ping -c 3 api.example", "kubectl get pods | grep -c Running",
])
def test_a_command_on_the_allowlist_can_be_a_check(command):
    assert not classify(command).changes


def test_the_rollback_is_chosen_by_its_verb_never_a_validate_step():
    assert rolls_back("./rollback.sh emergency") and rolls_back("kubectl rollout undo deploy/api")
    assert rolls_back("./traffic.sh switch back") and rolls_back("argo rollouts abort api")
    assert not rolls_back("./rollback.sh validate") and not rolls_back("./rollback.sh status")
    result = import_checklist(
        "# X\n\n## Deploy\n- [ ] Smoke tests\n\n## Rollback procedure\n- [ ] Validate the rollback script\n"
        "  ```bash\n  ./rollback.sh validate\n  ```\n- [ ] Roll back in an emergency\n"
        "  ```bash\n  ./rollback.sh emergency\n  ```\n".encode())
    assert result.runbook.rollback.run == ["./rollback.sh", "emergency"]


def test_a_shell_script_is_one_unit_its_comments_stripped_never_fragments():
    block = read_block("set -e\n# check what is needed\nREQUIRED=(a b)\nif [ -z \"$X\" ]; then  # why\n  exit 1\n"
                       "else\n  echo ok\nfi\n./deploy-staging.sh  # Deploy latest\n", "bash")
    assert block.script and block.bash and "#" not in block.text
    [command] = block_commands(block.text, "bash")
    assert command.script and command.changes  # ./deploy-staging.sh is not known to be read-only
    assert command.text.startswith("set -e\n") and command.text.count("set -e") == 1


def test_cd_and_export_fold_into_the_script_they_belong_to():
    [command] = block_commands("cd /srv/app\nexport KUBECONFIG=/k\nkubectl get pods\n")
    assert command.script and not command.changes and command.text.splitlines()[1] == "cd /srv/app"


def test_an_item_with_a_changing_script_is_an_action_when_it_says_do_and_a_manual_item_when_it_does_not():
    script = "  ```bash\n  cd /srv/app\n  ./migrate.sh up\n  ```\n"
    rb = import_checklist(f"# X\n\n## Deploy\n- [ ] Run the migrations\n{script}- [ ] Migrations verified\n{script}"
                          .encode()).runbook
    assert rb.phases[0].action.shell and "./migrate.sh up" in rb.phases[0].action.run
    [checked] = [c for c in rb.phases[0].checks if c.title == "Migrations verified"]
    assert checked.source == "manual" and "./migrate.sh up" in checked.description


def test_a_long_running_command_is_started_by_hand_never_an_action_or_a_check():
    rb = import_checklist("# X\n\n## Load\n- [ ] Start the monitor\n  ```bash\n  ./performance-monitor.sh start &\n"
                          "  ```\n".encode()).runbook
    [check] = rb.phases[0].checks
    assert rb.phases[0].action is None and check.source == "manual"
    assert "Start by hand and leave running" in check.description


_BASE = "[runbook]\nname = 'x'\nservice = 's'\nversion = 'v'\n[[phase]]\nid = 'a'\n[[phase.check]]\nid = 'c'\n" \
        "source = 'command'\n"


@pytest.mark.parametrize("run", ['run = ["else"]', 'run = ["fi"]', 'run = [")"]', 'run = ["REQUIRED_METRICS=("]',
                                 'run = "then echo"\nshell = true', 'run = "X=$(date)"\nshell = true'])
def test_lint_rejects_a_run_that_is_a_shell_keyword_or_an_assignment(run):
    with pytest.raises(RunbookError) as caught:
        parse_runbook(_BASE + run, "rb.toml")
    assert "run" in caught.value.problems[0] and ("shell keyword" in caught.value.problems[0]
                                                  or "assign" in caught.value.problems[0])


def test_lint_still_accepts_a_whole_shell_script():
    parse_runbook(_BASE + 'run = "if true; then ls; fi"\nshell = true', "rb.toml")


# ---------------------------------------------------------------- properties

_SHELL_WORDS = st.sampled_from([
    "if", "then", "else", "elif", "fi", "for", "do", "done", "while", "case", "esac", "{", "}", "(", ")", "&&", "||",
    "|", ";", "&", ">", ">>", "<<EOF", "EOF", "set -e", "exit 1", "REQUIRED=(", "X=$(date)", "$X", "\"$Y\"", "'q",
    "# comment", "\\", "./deploy.sh", "./rollback.sh", "start", "stop", "rm", "-rf", "/", "mkdir", "-p", "sudo",
    "docker-compose", "up", "pull", "helm", "upgrade", "kubectl", "apply", "delete", "patch", "-f", "x.yaml", "make",
    "deploy", "npm", "run", "build", "psql", "-c", "'DROP TABLE t'", "curl", "-X", "POST", "-d", "{}", "bash", "sh",
    "python", "script.py", "terraform", "apply", "--auto-approve", "echo", "sleep", "600", "wait", "trap", "eval",
])
_SCRIPT = st.lists(st.lists(_SHELL_WORDS, min_size=1, max_size=7).map(" ".join), min_size=1, max_size=6) \
    .map("\n".join)
_PROGRAM_FREE = st.lists(st.one_of(_SHELL_WORDS, st.text("abcxyz_-./=$", min_size=1, max_size=8)),
                         min_size=1, max_size=7).map(" ".join)


def _every_command_is_read_only(result) -> bool:
    for _, check in result.runbook.iter_checks():
        if check.source == "command":
            run = check.run
            if isinstance(run, list):
                if run[:2] == ["bash", "-c"]:
                    run = run[2]
                elif not is_read_only(run):
                    return False
            if isinstance(run, str):
                lines = [ln for ln in run.splitlines() if ln.strip() and ln != "set -e"]
                if not all(read_only_line(ln, script=True) for ln in lines):
                    return False
    return True


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_SCRIPT, st.sampled_from(["bash", "sh", "", "console"]), st.sampled_from(["Verify it", "Run it", "Done"]))
def test_random_shell_text_never_yields_a_check_off_the_allowlist(script, info, title):
    result = import_checklist(f"# X\n\n## Steps\n- [ ] {title}\n\n```{info}\n{script}\n```\n".encode())
    assert _every_command_is_read_only(result)
    assert not any(c.source in ("command", "http") for _, c in result.runbook.iter_checks()
                   if not any(p in script for p in ("kubectl get", "curl", "psql", "echo")))


@settings(max_examples=60, deadline=None)
@given(_PROGRAM_FREE)
def test_a_line_whose_program_is_not_on_the_allowlist_is_never_read_only(line):
    words = line.split()
    while words and re.match(r"[A-Za-z_][A-Za-z0-9_]*=", words[0]):   # `NAME=value prog …`: the program is prog
        words = words[1:]
    if not words:
        return   # assignments alone: no program of their own to judge (the original list skipped them too)
    first = words[0]
    if first not in ("kubectl", "curl", "psql", "helm", "echo", "sudo", "make", "npm", "bash", "sh", "python",
                     "terraform", "docker-compose", "wait", "trap", "eval", "sleep", "set", "exit", "if", "then",
                     "else", "elif", "do", "while", "for", "{", "}", "(", ")", "X=$(date)", "REQUIRED=(", "fi",
                     "done", "esac", "case"):
        assert not read_only_line(line) or first in ("true", "false", "[", "test", ":")
