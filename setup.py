"""Build the optional C lane (``dlp._native``); everything else is in pyproject.toml.

The extension needs a C compiler, the Python headers and OpenSSL's libcrypto
headers (Debian: ``libssl-dev``). When any of them is missing the build carries on
without it and dlp runs its pure-Python path, which gives the same output.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "dlp._native",
            sources=["dlp/_native.c"],
            libraries=["crypto"],
            extra_compile_args=["-O2", "-Wno-deprecated-declarations"],
            optional=True,
        )
    ]
)
