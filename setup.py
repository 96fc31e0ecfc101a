"""Build the optional C lane (``dlp._native``); everything else is in pyproject.toml.

The extension needs a C compiler, the Python headers and OpenSSL's libcrypto
headers (Debian: ``libssl-dev``). When any of them is missing the build carries on
without it and dlp runs its pure-Python path, which gives the same output.

With the Hyperscan library's headers as well (Debian: ``libhyperscan-dev``) the
lane runs the candidate scan itself, so matches reach C without a Python call
each; without them it takes matches from the ``hyperscan`` Python package.
"""

import os
import shutil
import subprocess

from setuptools import Extension, setup


def _hyperscan() -> tuple[list[str], list[str], list[str]]:
    """(include dirs, library dirs, libraries) for libhs, when it is installed."""
    if shutil.which("pkg-config"):
        command = ["pkg-config", "--cflags-only-I", "--libs-only-L", "libhs"]
        found = subprocess.run(command, capture_output=True, text=True, check=False)
        if found.returncode == 0:
            flags = found.stdout.split()
            includes = [f[2:] for f in flags if f.startswith("-I")]
            libs = [f[2:] for f in flags if f.startswith("-L")]
            return includes, libs, ["hs"]
    for prefix in ("/usr", "/usr/local"):
        if os.path.exists(os.path.join(prefix, "include", "hs", "hs.h")):
            return [], [], ["hs"]
    return [], [], []


includes, library_dirs, hs = _hyperscan()

setup(
    ext_modules=[
        Extension(
            "dlp._native",
            sources=["dlp/_native.c", "dlp/_automaton.c"],
            depends=["dlp/_automaton.h"],
            include_dirs=includes,
            library_dirs=library_dirs,
            libraries=["crypto", *hs],
            define_macros=[("DLP_HAVE_HS", "1")] if hs else [],
            extra_compile_args=["-O2", "-Wno-deprecated-declarations"],
            optional=True,
        )
    ]
)
