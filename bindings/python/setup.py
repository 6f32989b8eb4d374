"""Builds the tokwise wheel: the pure-Python package plus the extension tokwise._core.

The extension is compiled by the project's CMake build (target tokwise_python_core) and links
tokwise statically, so the wheel carries the library. Offline, with Debian's tools:

    pip wheel --no-build-isolation --no-deps --no-index -w dist bindings/python

Environment:
    TOKWISE_SOURCE_DIR     the tokwise source tree (default: two levels above this file).
    TOKWISE_PREBUILT_CORE  an already built _core*.so to pack instead of building one (the
                           test suite packs the extension of its own build this way).
"""

import glob
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).resolve().parent
SOURCE_DIR = Path(os.environ.get("TOKWISE_SOURCE_DIR", HERE.parent.parent)).resolve()


def project_version() -> str:
    # One version for everything: the project() line of the top-level CMakeLists.txt.
    text = (SOURCE_DIR / "CMakeLists.txt").read_text()
    match = re.search(r"project\(tokwise\s+VERSION\s+([0-9.]+)", text)
    if not match:
        raise RuntimeError(f"no project version in {SOURCE_DIR / 'CMakeLists.txt'}")
    return match.group(1)


class CMakeBuildExt(build_ext):
    def build_extension(self, ext: Extension) -> None:
        target = Path(self.get_ext_fullpath(ext.name))
        target.parent.mkdir(parents=True, exist_ok=True)
        prebuilt = os.environ.get("TOKWISE_PREBUILT_CORE")
        if prebuilt:
            shutil.copyfile(prebuilt, target)
            return

        build_dir = Path(self.build_temp).resolve() / "cmake"
        configure = [
            "cmake", "-S", str(SOURCE_DIR), "-B", str(build_dir),
            "-DCMAKE_BUILD_TYPE=Release",
            "-DTOKWISE_BUILD_TESTS=OFF", "-DTOKWISE_BUILD_BENCHMARKS=OFF",
            "-DTOKWISE_BUILD_CLI=OFF", "-DTOKWISE_BUILD_EXAMPLES=OFF",
            f"-DTOKWISE_PYTHON={sys.executable}",
        ]
        if shutil.which("ninja"):
            configure += ["-G", "Ninja"]
        subprocess.check_call(configure)
        jobs = os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL", str(os.cpu_count() or 2))
        subprocess.check_call(["cmake", "--build", str(build_dir),
                               "--target", "tokwise_python_core", "-j", jobs])
        built = glob.glob(str(build_dir / "python" / "tokwise" / "_core*.so"))
        if len(built) != 1:
            raise RuntimeError(f"expected one built extension, found {built}")
        shutil.copyfile(built[0], target)


setup(
    name="tokwise",
    version=project_version(),
    description="Exact, fast LLM token counting; a drop-in for tiktoken's encoding API",
    license="MIT",
    python_requires=">=3.8",
    packages=["tokwise"],
    package_data={"tokwise": ["py.typed", "_core.pyi"]},
    ext_modules=[Extension("tokwise._core", sources=[])],
    cmdclass={"build_ext": CMakeBuildExt},
    zip_safe=False,
)
