"""The demo's rollout tool: sets a canary weight on, or aborts, a Deployment in the Kubernetes sandbox.

It plays the part `kubectl argo rollouts set weight` plays in a real go-live, with
the standard library only (the demo must run where kubectl is not installed): a
strategic-merge PATCH of the Deployment's image and a ``golive.sandbox/canary-weight``
annotation, which the sandbox's demo controller turns into pods.

    python -m golive.sandbox.rollout weight checkout 25 --server URL --namespace shop --image IMAGE
    python -m golive.sandbox.rollout abort checkout --server URL --namespace shop --image OLD_IMAGE
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request

WEIGHT_ANNOTATION = "golive.sandbox/canary-weight"


def patch_deployment(server: str, namespace: str, name: str, patch: dict, timeout: float = 10.0) -> dict:
    ("""Strategic-merge-PATCH a Deployment (containers merge by name); raises RuntimeError with the API's """
     """message on failure.""")
    url = f"{server.rstrip('/')}/apis/apps/v1/namespaces/{namespace}/deployments/{name}"
    req = urllib.request.Request(url, data=json.dumps(patch).encode(), method="PATCH",
                                 headers={"Content-Type": "application/strategic-merge-patch+json",
                                          "Accept": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        try:
            message = json.loads(exc.read()).get("message", exc.reason)
        except ValueError:
            message = exc.reason
        raise RuntimeError(f"{exc.code}: {message}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise RuntimeError(f"cannot reach {server}: {getattr(exc, 'reason', exc)}") from None


def _container_patch(image: str, container: str) -> dict:
    return {"spec": {"template": {"spec": {"containers": [{"name": container, "image": image}]}}}}


def kubectl_standin(server: str, argv: list[str]) -> int:
    """The demo's stand-in where kubectl is not installed: only ``patch service NAME -p JSON`` (merge)."""
    args, namespace, patch = list(argv), "default", None
    words: list[str] = []
    while args:
        arg = args.pop(0)
        if arg in ("-n", "--namespace") and args:
            namespace = args.pop(0)
        elif arg in ("-p", "--patch") and args:
            patch = args.pop(0)
        elif arg in ("--context", "--type", "--kubeconfig") and args:
            args.pop(0)
        elif not arg.startswith("-"):
            words.append(arg)
    if words[:2] != ["patch", "service"] or len(words) != 3 or patch is None:
        print("error: kubectl is not installed; the sandbox's stand-in only does `patch service NAME -p JSON`",
              file=sys.stderr)
        return 1
    url = f"{server.rstrip('/')}/api/v1/namespaces/{namespace}/services/{words[2]}"
    req = urllib.request.Request(url, data=patch.encode(), method="PATCH",
                                 headers={"Content-Type": "application/merge-patch+json"})
    try:
        with urllib.request.urlopen(req, timeout=10):
            pass
    except (urllib.error.URLError, OSError) as exc:
        print(f"error: services/{words[2]}: {getattr(exc, 'reason', exc)}", file=sys.stderr)
        return 1
    print(f"service/{words[2]} patched")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m golive.sandbox.rollout", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("weight", "abort"))
    parser.add_argument("deployment")
    parser.add_argument("percent", nargs="?", type=int)
    parser.add_argument("--server", required=True)
    parser.add_argument("--namespace", default="default")
    parser.add_argument("--image", required=True, help="the new image (weight) or the stable one (abort)")
    parser.add_argument("--container", default="app")
    args = parser.parse_args(argv)
    if args.command == "weight":
        if args.percent is None or not 0 < args.percent <= 100:
            parser.error("weight needs a percentage from 1 to 100")
        weight = args.percent
    else:
        weight = 0
    patch = _container_patch(args.image, args.container)
    patch["metadata"] = {"annotations": {WEIGHT_ANNOTATION: str(weight)}}
    try:
        patch_deployment(args.server, args.namespace, args.deployment, patch)
    except RuntimeError as exc:
        print(f"error: deployment.apps/{args.deployment}: {exc}", file=sys.stderr)
        return 1
    if args.command == "weight":
        print(f"deployment.apps/{args.deployment} canary weight set to {weight}% ({args.image})")
    else:
        print(f"deployment.apps/{args.deployment} rollout aborted: back to {args.image}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
