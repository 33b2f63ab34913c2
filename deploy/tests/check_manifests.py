#!/usr/bin/python3
"""Checks deploy/kubernetes: every file parses, and what matters for running collect-once
safely holds (kinds and replicas, probes on the admin port, non-root pods without
privileges, volumes mounted where the flags point, Services that select real pods); then
the same for the replicated form, deploy/kubernetes/replicated (the base with that
kustomization's strategic merge patches applied and its resources added): three registryd
replicas of one group on an etcd StatefulSet with an odd number of members.

Usage: check_manifests.py DEPLOY_KUBERNETES_DIR
Exit status 0 when every check passes; each failure is printed. The checks are first run
on broken copies of the manifests, each of which must fail, so a check that can no longer
fail is noticed.
"""
import copy
import os
import sys

import yaml

failures = []


def check(ok, message):
    if not ok:
        failures.append(message)
    return ok


def load(directory):
    docs = []
    for name in sorted(os.listdir(directory)):
        if not name.endswith((".yaml", ".yml")):
            continue
        with open(os.path.join(directory, name), encoding="utf-8") as f:
            try:
                for doc in yaml.safe_load_all(f):
                    if doc is not None:
                        docs.append((name, doc))
            except yaml.YAMLError as e:
                failures.append(f"{name}: does not parse: {e}")
    return docs


def flag(args, name):
    for a in args:
        if a.startswith(name + "="):
            return a.split("=", 1)[1]
    return None


def check_pod(where, pod, admin_port_required=True):
    sc = pod.get("securityContext", {})
    check(sc.get("runAsNonRoot") is True, f"{where}: pod runAsNonRoot is not true")
    check(isinstance(sc.get("runAsUser"), int) and sc["runAsUser"] != 0,
          f"{where}: pod runAsUser is missing or 0")
    check(sc.get("seccompProfile", {}).get("type") == "RuntimeDefault",
          f"{where}: pod seccompProfile is not RuntimeDefault")
    check(pod.get("automountServiceAccountToken") is False,
          f"{where}: the service account token is mounted")
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    # A Secret volume's files belong to root (mode 0440 at most): a non-root pod reads them
    # only through fsGroup.
    if any("secret" in v for v in volumes.values()):
        check(isinstance(sc.get("fsGroup"), int) and sc["fsGroup"] != 0,
              f"{where}: mounts a Secret but sets no fsGroup, so it cannot read it")
    # The daemons open their index and signing keys only at mode 0600, which a Secret volume
    # under fsGroup never gives: the key files must be copies (an init container's), on a
    # volume that is not a Secret.
    for c in pod.get("containers", []):
        for key_flag in ("--index-key-file", "--audit-key-file"):
            path = flag(c.get("args", []), key_flag)
            if path is None:
                continue
            on = [m for m in c.get("volumeMounts", [])
                  if path.startswith(m["mountPath"].rstrip("/") + "/")]
            check(on and "secret" not in volumes.get(on[0]["name"], {}),
                  f"{where}/{c.get('name')}: {key_flag} is on a Secret volume, which is "
                  f"group-readable under fsGroup; copy it at mode 0600 in an init container")
    for c in pod.get("initContainers", []) + pod.get("containers", []):
        cw = f"{where}/{c.get('name')}"
        csc = c.get("securityContext", {})
        check(csc.get("allowPrivilegeEscalation") is False,
              f"{cw}: allowPrivilegeEscalation is not false")
        check(csc.get("readOnlyRootFilesystem") is True, f"{cw}: root filesystem is writable")
        check(csc.get("capabilities", {}).get("drop") == ["ALL"],
              f"{cw}: capabilities are not all dropped")
        check("memory" in c.get("resources", {}).get("limits", {}), f"{cw}: no memory limit")
        check(":" in c.get("image", "") and not c["image"].endswith(":latest"),
              f"{cw}: image has no fixed tag")
        mounts = c.get("volumeMounts", [])
        for m in mounts:
            check(m["name"] in volumes or m["name"] in pod.get("_claims", ()),
                  f"{cw}: mount {m['name']} has no volume")
        # Every absolute path a flag names lies on a mount (certificates, keys, data).
        args = c.get("args", [])
        for a in args:
            if "=/" in a:
                path = a.split("=", 1)[1]
                check(any(path == m["mountPath"] or path.startswith(m["mountPath"] + "/")
                          for m in mounts),
                      f"{cw}: {a} is not on a mounted volume")
        if not admin_port_required or c in pod.get("initContainers", []):
            continue
        ports = {p["name"]: p["containerPort"] for p in c.get("ports", [])}
        admin = flag(args, "--admin-listen")
        if check(admin is not None and "admin" in ports, f"{cw}: no admin port"):
            check(int(admin.rsplit(":", 1)[1]) == ports["admin"],
                  f"{cw}: --admin-listen {admin} is not the admin containerPort")
        grpc = flag(args, "--listen")
        check(grpc is not None and "grpc" in ports
              and int(grpc.rsplit(":", 1)[1]) == ports["grpc"],
              f"{cw}: --listen is not the grpc containerPort")
        for tls in ("--tls-cert", "--tls-key", "--tls-client-ca"):
            check(flag(args, tls) is not None, f"{cw}: {tls} is missing")
        check("--insecure" not in args, f"{cw}: runs with --insecure")
        # Liveness is /healthz; readiness /readyz, which a gateway fails while it cannot reach
        # its registry (restarting it would not help, taking it out of the Service does).
        for probe, path in (("readinessProbe", "/readyz"), ("livenessProbe", "/healthz")):
            p = c.get(probe, {}).get("httpGet", {})
            check(p.get("path") == path and p.get("port") in ("admin", ports.get("admin")),
                  f"{cw}: {probe} is not GET {path} on the admin port")


def merge(base, patch):
    """A strategic merge patch as kustomize applies these: maps merge, lists of named items
    merge by name, any other list is replaced."""
    if isinstance(base, dict) and isinstance(patch, dict):
        out = dict(base)
        for k, v in patch.items():
            out[k] = merge(base[k], v) if k in base else v
        return out
    named = lambda xs: all(isinstance(x, dict) and "name" in x for x in xs)
    if isinstance(base, list) and isinstance(patch, list) and base and named(base) and named(patch):
        out = list(base)
        for p in patch:
            i = next((j for j, x in enumerate(out) if x["name"] == p["name"]), None)
            if i is None:
                out.append(p)
            else:
                out[i] = merge(out[i], p)
        return out
    return patch


def load_overlay(directory, base_docs):
    """The docs of the kustomization in `directory` whose resources are "../" (the base) and
    files of its own, with its patches applied."""
    with open(os.path.join(directory, "kustomization.yaml"), encoding="utf-8") as f:
        k = yaml.safe_load(f)
    docs = [(n, d) for n, d in base_docs if d.get("kind") != "Kustomization"]
    for r in k.get("resources", []):
        if r.rstrip("/") == "..":
            continue
        with open(os.path.join(directory, r), encoding="utf-8") as f:
            docs += [(r, d) for d in yaml.safe_load_all(f) if d is not None]
    for p in k.get("patches", []):
        with open(os.path.join(directory, p["path"]), encoding="utf-8") as f:
            patch = yaml.safe_load(f)
        key = (patch["kind"], patch["metadata"]["name"])
        hits = [i for i, (_, d) in enumerate(docs)
                if (d.get("kind"), d.get("metadata", {}).get("name")) == key]
        if check(len(hits) == 1, f"replicated: patch {p['path']} matches no single object"):
            name, d = docs[hits[0]]
            docs[hits[0]] = (name, merge(d, patch))
    return docs


def check_replicated(by_kind):
    sts = by_kind.get("StatefulSet", {}).get("registryd")
    etcd = by_kind.get("StatefulSet", {}).get("etcd")
    if not check(sts is not None and etcd is not None, "replicated: no registryd or etcd StatefulSet"):
        return
    members = etcd["spec"].get("replicas", 1)
    check(members >= 3 and members % 2 == 1,
          f"replicated: etcd has {members} members (an odd number, at least 3, keeps a quorum)")
    check(sts["spec"].get("replicas") == 3, "replicated: registryd does not have 3 replicas")
    epod = dict(etcd["spec"]["template"]["spec"])
    epod["_claims"] = {t["metadata"]["name"] for t in etcd["spec"].get("volumeClaimTemplates", [])}
    check("data" in epod["_claims"], "replicated: etcd keeps no data volume")
    check_pod("StatefulSet/etcd", epod, admin_port_required=False)
    pod = sts["spec"]["template"]["spec"]
    c = pod["containers"][0]
    args = c.get("args", [])
    check(flag(args, "--replication") == "etcd", "replicated: registryd runs without --replication=etcd")
    endpoints = (flag(args, "--etcd-endpoints") or "").split(",")
    svc = etcd["spec"].get("serviceName")
    check(sorted(endpoints) == [f"etcd-{i}.{svc}.collectonce.svc:2379" for i in range(members)],
          "replicated: --etcd-endpoints does not name every etcd member")
    env = {e["name"]: e for e in c.get("env", [])}
    pod_name = env.get("POD_NAME", {}).get("valueFrom", {}).get("fieldRef", {}).get("fieldPath")
    check(flag(args, "--replica-id") == "$(POD_NAME)" and pod_name == "metadata.name",
          "replicated: --replica-id is not the pod's name (a stable id per replica)")
    check((flag(args, "--advertise-address") or "").startswith(
              f"$(POD_NAME).{sts['spec'].get('serviceName')}."),
          "replicated: --advertise-address is not the pod's stable DNS name")
    for ca in ("--etcd-ca", "--etcd-cert", "--etcd-key"):
        check(flag(args, ca) is not None, f"replicated: registryd reaches etcd without {ca}")
    anti = pod.get("affinity", {}).get("podAntiAffinity", {})
    check(anti.get("requiredDuringSchedulingIgnoredDuringExecution"),
          "replicated: two registryd replicas may share a node")
    cm = by_kind.get("ConfigMap", {}).get("reuse-gatewayd-config", {}).get("data", {})
    registries = cm.get("REUSE_GATEWAYD_REGISTRY", "").split(",")
    check(sorted(registries) == [f"registryd-{i}.{sts['spec'].get('serviceName')}.collectonce.svc:7400"
                                 for i in range(3)],
          "replicated: the gateways are not given every replica's own address")
    pdbs = {d["spec"]["selector"]["matchLabels"].get("app.kubernetes.io/name")
            for d in by_kind.get("PodDisruptionBudget", {}).values()}
    check({"registryd", "etcd"} <= pdbs, "replicated: no PodDisruptionBudget for registryd or etcd")


def check_all(docs, replicated=False):
    by_kind = {}
    for name, d in docs:
        where = f"{name}: {d.get('kind')}/{d.get('metadata', {}).get('name')}"
        check("apiVersion" in d and "kind" in d, f"{where}: apiVersion or kind is missing")
        check(d.get("kind") == "Kustomization" or d.get("metadata", {}).get("name"),
              f"{where}: metadata.name is missing")
        by_kind.setdefault(d.get("kind"), {})[d.get("metadata", {}).get("name")] = d

    sts = by_kind.get("StatefulSet", {}).get("registryd")
    if check(sts is not None, "no StatefulSet registryd"):
        spec = sts["spec"]
        if not replicated:
            check(spec.get("replicas") == 1,
                  "registryd: replicas is not 1 (one RocksDB, one writer)")
        claims = {t["metadata"]["name"] for t in spec.get("volumeClaimTemplates", [])}
        check("data" in claims, "registryd: no volume claim for data")
        pod = dict(spec["template"]["spec"])
        pod["_claims"] = claims
        check_pod("StatefulSet/registryd", pod)
        c = pod["containers"][0]
        data_dir = flag(c.get("args", []), "--data-dir")
        check(any(m["name"] == "data" and data_dir == m["mountPath"]
                  for m in c.get("volumeMounts", [])),
              "registryd: --data-dir is not the data volume's mount")
        check("startupProbe" in c, "registryd: no startupProbe (opening RocksDB takes time)")
        check(by_kind.get("Service", {}).get(spec.get("serviceName")) is not None,
              "registryd: the StatefulSet's serviceName has no Service")

    dep = by_kind.get("Deployment", {}).get("reuse-gatewayd")
    if check(dep is not None, "no Deployment reuse-gatewayd"):
        check(dep["spec"].get("replicas", 1) >= 2, "reuse-gatewayd: fewer than 2 replicas")
        check_pod("Deployment/reuse-gatewayd", dep["spec"]["template"]["spec"])
        args = dep["spec"]["template"]["spec"]["containers"][0].get("args", [])
        envs = [e["configMapRef"]["name"] for e in
                dep["spec"]["template"]["spec"]["containers"][0].get("envFrom", [])]
        cm = by_kind.get("ConfigMap", {})
        registry = flag(args, "--registry") or next(
            (cm[n]["data"].get("REUSE_GATEWAYD_REGISTRY") for n in envs if n in cm), None)
        check(registry is not None and (replicated or registry.startswith("registryd.")),
              "reuse-gatewayd: the registry address is not the registryd Service")

    console = by_kind.get("Deployment", {}).get("console")
    if check(console is not None, "no Deployment console"):
        pod = console["spec"]["template"]["spec"]
        check_pod("Deployment/console", pod, admin_port_required=False)
        for c in pod.get("containers", []):
            args = c.get("args", [])
            for tls in ("--tls-cert", "--tls-key", "--tls-client-ca"):
                check(flag(args, tls) is not None, f"Deployment/console: {tls} is missing")
            check("--insecure" not in args, "Deployment/console: runs with --insecure")
        cm = by_kind.get("ConfigMap", {}).get("console-config", {}).get("data", {})
        check(cm.get("CONSOLE_REGISTRY", "").startswith("registryd."),
              "console: the registry address is not the registryd Service")
    cron = by_kind.get("CronJob", {}).get("registryd-backup")
    if check(cron is not None, "no CronJob registryd-backup"):
        check(cron["spec"].get("concurrencyPolicy") == "Forbid",
              "registryd-backup: backups may overlap")
        pod = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]
        check_pod("CronJob/registryd-backup", pod, admin_port_required=False)
        args = pod["containers"][0].get("args", [])
        check(args[-3:-1] == ["backup", "create"], "registryd-backup: does not run backup create")
        if sts is not None:
            mounts = [m["mountPath"] for m in
                      sts["spec"]["template"]["spec"]["containers"][0]["volumeMounts"]]
            check(args and args[-1] in mounts,
                  "registryd-backup: the backup directory is not a volume of registryd")

    pods = [(d["spec"]["selector"]["matchLabels"], d["spec"]["template"])
            for kind in ("StatefulSet", "Deployment") for d in by_kind.get(kind, {}).values()]
    for name, svc in by_kind.get("Service", {}).items():
        sel = svc["spec"].get("selector", {})
        targets = [t for labels, t in pods
                   if all(t["metadata"]["labels"].get(k) == v for k, v in sel.items())]
        if check(targets, f"Service/{name}: selects no pod"):
            names = {p["name"] for c in targets[0]["spec"]["containers"] for p in c.get("ports", [])}
            for p in svc["spec"]["ports"]:
                check(p.get("targetPort") in names,
                      f"Service/{name}: targetPort {p.get('targetPort')} is no container port")
            check(all(p.get("targetPort") != "admin" for p in svc["spec"]["ports"]),
                  f"Service/{name}: exposes the plaintext admin port")
    check("PodDisruptionBudget" in by_kind, "no PodDisruptionBudget for the gateways")
    if replicated:
        check_replicated(by_kind)


def find(docs, kind, name):
    return next(d for _, d in docs if d.get("kind") == kind and d["metadata"]["name"] == name)


def container(docs, kind, name):
    return find(docs, kind, name)["spec"]["template"]["spec"]["containers"][0]


# Each breaks one thing the checks must catch.
BREAKAGES = {
    "two registry replicas": lambda d: find(d, "StatefulSet", "registryd")["spec"].update(
        replicas=2),
    "root pod": lambda d: find(d, "Deployment", "reuse-gatewayd")["spec"]["template"]["spec"][
        "securityContext"].update(runAsNonRoot=False),
    "no readiness probe": lambda d: container(d, "Deployment", "reuse-gatewayd").pop(
        "readinessProbe"),
    "probe on the gRPC port": lambda d: container(d, "StatefulSet", "registryd")[
        "livenessProbe"]["httpGet"].update(port="grpc"),
    "data not on the volume": lambda d: container(d, "StatefulSet", "registryd")["args"].append(
        "--data-dir=/srv/elsewhere"),
    "writable root": lambda d: container(d, "StatefulSet", "registryd")[
        "securityContext"].update(readOnlyRootFilesystem=False),
    "one gateway": lambda d: find(d, "Deployment", "reuse-gatewayd")["spec"].update(replicas=1),
    "service selects nothing": lambda d: find(d, "Service", "registryd")["spec"].update(
        selector={"app.kubernetes.io/name": "registry"}),
    "secret without fsGroup": lambda d: find(d, "Deployment", "reuse-gatewayd")["spec"][
        "template"]["spec"]["securityContext"].pop("fsGroup"),
    "keys read from the secret": lambda d: [
        m.update(name="keys-secret")
        for m in container(d, "StatefulSet", "registryd")["volumeMounts"]
        if m["name"] == "keys"],
}


# Each breaks one thing the checks of the replicated form must catch.
REPLICATED_BREAKAGES = {
    "two etcd members": lambda d: find(d, "StatefulSet", "etcd")["spec"].update(replicas=2),
    "a fixed replica id": lambda d: container(d, "StatefulSet", "registryd")["args"].__setitem__(
        [a.startswith("--replica-id=") for a in container(d, "StatefulSet", "registryd")[
            "args"]].index(True), "--replica-id=registry-0"),
    "gateways on the Service": lambda d: find(d, "ConfigMap", "reuse-gatewayd-config")[
        "data"].update(REUSE_GATEWAYD_REGISTRY="registryd.collectonce.svc:7400"),
    "etcd member as root": lambda d: find(d, "StatefulSet", "etcd")["spec"]["template"]["spec"][
        "securityContext"].update(runAsNonRoot=False),
}


def run_checks(docs, breakages, replicated):
    for what, breakage in breakages.items():
        broken = copy.deepcopy(docs)
        breakage(broken)
        check_all(broken, replicated)
        if not failures:
            print(f"FAIL: the checks pass {'replicated ' if replicated else ''}manifests with {what}")
            return False
        failures.clear()
    check_all(docs, replicated)
    return True


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    docs = load(sys.argv[1])
    if failures:  # does not parse
        for f in failures:
            print("FAIL:", f)
        return 1
    if not run_checks(docs, BREAKAGES, False):
        return 1
    overlay = os.path.join(sys.argv[1], "replicated")
    if os.path.isdir(overlay):
        base_failures = list(failures)
        failures.clear()
        rdocs = load_overlay(overlay, docs)
        if not run_checks(rdocs, REPLICATED_BREAKAGES, True):
            return 1
        failures[:0] = base_failures
    for f in failures:
        print("FAIL:", f)
    print(f"{len(docs)} documents, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
