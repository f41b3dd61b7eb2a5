"""Debian packages the project's tools need (redis-server, wrk, chromium): found, or installed
with apt-get.

    python -m catalog_ml.debian wrk      # `make wrk-install`

The project's make targets and tests call `ensure_binary`; nothing assumes a package is
already on the machine.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

PLACES = ("/usr/bin", "/usr/sbin", "/usr/local/bin")


class PackageUnavailable(RuntimeError):
    """The binary is not installed and cannot be installed here (the reason says why)."""


def find_binary(binary: str) -> str | None:
    """The binary on PATH or in the usual places, else None."""
    found = shutil.which(binary)
    if found:
        return found
    candidates = (os.path.join(place, binary) for place in PLACES)
    return next((path for path in candidates if os.access(path, os.X_OK)), None)


def ensure_binary(binary: str, package: str | None = None, quiet: bool = True) -> str:
    """The binary's path; installs its Debian package with apt-get when missing (as root)."""
    package = package or binary
    found = find_binary(binary)
    if found:
        return found
    if shutil.which("apt-get") is None:
        raise PackageUnavailable(f"{binary} is not installed and apt-get is not available")
    if os.geteuid() != 0:
        raise PackageUnavailable(
            f"{binary} is not installed and installing it needs root: "
            f"sudo apt-get install -y {package}"
        )
    output = subprocess.DEVNULL if quiet else None
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    # wait for another apt-get (the dpkg lock) instead of failing at once
    install = ["apt-get", "install", "-y", "-q", "--no-install-recommends", package]
    install[1:1] = ["-o", "DPkg::Lock::Timeout=300"]
    if subprocess.run(install, env=env, stdout=output, stderr=output).returncode != 0:
        # the package lists may be missing or stale on a fresh machine
        subprocess.run(["apt-get", "update", "-q"], env=env, stdout=output, stderr=output)
        result = subprocess.run(install, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise PackageUnavailable(f"apt-get install {package} failed: {result.stderr[-500:]}")
    found = find_binary(binary)
    if not found:
        raise PackageUnavailable(f"apt-get installed {package} but no {binary} binary was found")
    return found


def main(argv: list[str] | None = None) -> int:
    names = sys.argv[1:] if argv is None else argv
    if not names:
        print("usage: python -m catalog_ml.debian BINARY [BINARY ...]", file=sys.stderr)
        return 2
    try:
        for name in names:
            print(f"{name}: {ensure_binary(name, quiet=False)}")
    except PackageUnavailable as error:
        print(f"debian: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
