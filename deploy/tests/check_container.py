#!/usr/bin/python3
"""Checks deploy/container/Containerfile without building the image.

The build machines reach no container registry, so the image itself cannot be built here
(docs/operations.md). What made it fail to build and run is checked instead, against this
host, which is Debian 12 like both stages:

1. The build stage installs every build package of tools/dev (PACKAGES), less the ones
   listed below as not needed to configure and build the image's binaries: the CMake tree is
   configured as a whole, so a -dev package one part needs is needed by all.
2. The runtime stage installs, for every shared library that `ldd` lists for each binary the
   image installs, the Debian package that holds it (named, or brought in as a dependency of
   one named), unless bookworm-slim has it already (the essential and required packages and
   their dependencies: what the slim image is made of).

Usage: check_container.py CONTAINERFILE TOOLS_DEV BINARY...
"""
import os
import re
import subprocess
import sys

# tools/dev installs these for running tests, tools and the dev loop, not for building
# the image's binaries.
NOT_FOR_THE_IMAGE_BUILD = {
    "ccache",            # compiler cache of the dev loop
    "openssl",           # the CLI, for deploy/pki and tests
    "prometheus",        # promtool in tests
    "python3-yaml",      # deploy/tests
    "systemd",           # systemd-analyze in deploy/tests
    "clang-14", "libclang-rt-14-dev",  # fuzzing and the clang build
    "etcd-server", "etcd-client",      # test members
    "chromium", "fonts-wqy-microhei",  # console browser tests
    "gnuplot-nox",       # benchmark plots
    "rocksdb-tools",     # ldb and sst_dump for operators and tests
}


def stages(text):
    """The Containerfile's stages, each as the text of its RUN lines joined."""
    text = re.sub(r"\\\n", " ", text)
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line.upper().startswith("FROM "):
            out.append("")
        elif out and line.upper().startswith("RUN "):
            out[-1] += " " + line[4:]
    return out


def installed_by(run_text):
    """Package names given to apt-get install in a stage."""
    names = set()
    for m in re.finditer(r"apt-get install((?:\s+[^&;|]+))", run_text):
        for word in m.group(1).split():
            if not word.startswith("-") and "=" not in word:
                names.add(word)
    return names


def dev_packages(tools_dev):
    text = open(tools_dev).read()
    m = re.search(r"^PACKAGES=\((.*?)^\)", text, re.S | re.M)
    if not m:
        sys.exit("FAIL: no PACKAGES=( ... ) in " + tools_dev)
    return set(re.sub(r"#.*", "", m.group(1)).split())


def candidates(path):
    """A library's path as dpkg may list it (usr-merged paths tried both ways)."""
    out = [path, os.path.realpath(path)]
    for p in list(out):
        if p.startswith("/usr/lib/"):
            out.append(p[len("/usr"):])
        elif p.startswith("/lib/"):
            out.append("/usr" + p)
    return out


def packages_of(paths):
    """Library path -> the Debian package that holds it, with one dpkg call for all."""
    wanted = {c: p for p in paths for c in candidates(p)}
    r = subprocess.run(["dpkg", "-S"] + sorted(wanted), capture_output=True, text=True)
    owner = {}
    for line in r.stdout.splitlines():
        package, _, file = line.partition(": ")
        if file in wanted:
            owner.setdefault(wanted[file], package.split(":")[0].split(",")[0].strip())
    return owner


class Installed:
    """This host's installed packages: what each depends on, and what bookworm-slim holds."""

    def __init__(self):
        fmt = "${Package}\t${Essential}\t${Priority}\t${Provides}\t${Depends}, ${Pre-Depends}\n"
        r = subprocess.run(["dpkg-query", "-W", "-f=" + fmt], capture_output=True, text=True,
                           check=True)
        self.depends, self.provided_by, base = {}, {}, set()
        for line in r.stdout.splitlines():
            name, essential, prio, provides, depends = (line.split("\t") + [""] * 5)[:5]
            self.depends[name] = [[self._bare(a) for a in d.split("|")]
                                  for d in depends.split(",") if d.strip()]
            for v in provides.split(","):
                if v.strip():
                    self.provided_by.setdefault(self._bare(v), []).append(name)
            if essential == "yes" or prio == "required":
                base.add(name)
        # The slim image: the required and essential packages and all they depend on.
        self.base = self.closure(base)

    @staticmethod
    def _bare(dep):
        return re.sub(r"\(.*?\)|:\S+", "", dep).strip()

    def closure(self, packages):
        """The packages and, transitively, what apt installs with them."""
        seen, todo = set(), list(packages)
        while todo:
            p = todo.pop()
            if p in seen:
                continue
            seen.add(p)
            for alternatives in self.depends.get(p, []):
                for a in alternatives:
                    chosen = [a] if a in self.depends else self.provided_by.get(a, [])
                    if chosen:
                        todo.extend(chosen)
                        break
        return seen


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    containerfile, tools_dev, binaries = sys.argv[1], sys.argv[2], sys.argv[3:]
    build, runtime = stages(open(containerfile).read())[:2]
    failures = []

    missing = sorted(dev_packages(tools_dev) - NOT_FOR_THE_IMAGE_BUILD - installed_by(build))
    for p in missing:
        failures.append(f"build stage: tools/dev builds with {p}, the Containerfile does not")

    installed = Installed()
    runtime_packages = installed.closure(installed_by(runtime)) | installed.base
    needs = []  # (binary, library)
    for binary in binaries:
        r = subprocess.run(["ldd", binary], capture_output=True, text=True)
        if r.returncode != 0:
            failures.append(f"ldd {binary}: {r.stderr.strip()}")
            continue
        for line in r.stdout.splitlines():
            m = re.search(r"=>\s+(/\S+)", line)
            if m:
                needs.append((binary, m.group(1)))
    owner = packages_of({library for _, library in needs})
    for binary, library in needs:
        package = owner.get(library)
        name = os.path.basename(binary)
        if package is None:
            failures.append(f"{name}: {library} belongs to no Debian package")
        elif package not in runtime_packages:
            failures.append(f"runtime stage: {name} needs {library} from {package}, "
                            "which the runtime stage does not install")
    for f in failures:
        print("FAIL:", f)
    if not failures:
        print(f"ok: build stage has every build package; runtime stage has the libraries of "
              f"{len(binaries)} binaries")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
