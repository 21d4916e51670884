#!/usr/bin/env python3
"""Make a copy of mediasoup's worker/ tree build against Debian bookworm's
system libraries.

Upstream's meson.build pulls every dependency (openssl, libuv, libsrtp3,
usrsctp, abseil, flatbuffers, liburing, catch2) in as a meson subproject, and
meson downloads those from GitHub at configure time. That host is unreachable
here, so this script rewrites the copy: dependencies come from the Debian -dev
packages through pkg-config, the shim headers from compat/ fill the API gaps,
and only the mediasoup-worker executable target is kept (the test, fuzzer and
library targets would need catch2 and more subprojects).

Handles mediasoup 3.19.x (usrsctp, liburing) and the 3.2x line (built-in SCTP,
libsrtp3's opaque policy API). When an anchor this script relies on is missing
it stops with an error instead of half-patching: a new mediasoup release has to
be checked by hand.

Usage: patch-meson.py <worker-dir> <compat-dir>
"""
import pathlib
import re
import shutil
import sys


def fail(message):
    sys.exit(f'patch-meson.py: {message}')


def index_of(text, anchor, where):
    position = text.find(anchor)
    if position < 0:
        fail(f'{anchor!r} not found in {where}; mediasoup changed, re-check this script')
    return position


def system_deps_block(legacy, srtp3_policy_api):
    """meson code that replaces everything from the first subproject() call
    up to the mediasoup-worker executable() target."""
    parts = ["""
# ---- Debian system libraries instead of meson subprojects ----
openssl_dep = dependency('openssl', version: '>= 3.0')
libuv_dep = dependency('libuv', version: '>= 1.44')
libsrtp_dep = dependency('libsrtp2', version: '>= 2.4')
flatbuffers_dep = dependency('flatbuffers')
absl_deps = [
  dependency('absl_flat_hash_map'),
  dependency('absl_flat_hash_set'),
  dependency('absl_inlined_vector'),
  dependency('absl_btree'),
  dependency('absl_optional'),
  dependency('absl_memory'),
  dependency('absl_strings'),
]
# compat/ provides <srtp.h> (libsrtp3 API on top of libsrtp2), <liburing.h>
# (liburing 2.5 helpers on top of 2.3) and <ankerl/unordered_dense.h>
# (standard containers standing in for a library Debian does not package).
compat_dep = declare_dependency(include_directories: include_directories('compat'))
ankerl_unordered_dense_dep = compat_dep
abseil_strings_types_deps = absl_deps + [compat_dep]
"""]
    if srtp3_policy_api:
        parts.append("cpp_args += ['-DMS_COMPAT_SRTP3_OPAQUE_POLICY']\n")
    if legacy:
        parts.append("usrsctp_dep = dependency('usrsctp')\n")
    parts.append("""
subdir('fbs')
dependencies = [compat_dep, openssl_dep, libuv_dep, libsrtp_dep, flatbuffers_dep, flatbuffers_generator_dep]
""")
    if legacy:
        parts.append("dependencies += [usrsctp_dep]\n")
    # 3.19.x always links libwebrtc's bandwidth estimator; later releases make
    # it optional behind ms_use_builtin_bwe.
    use_libwebrtc = 'true' if legacy else "not get_option('ms_use_builtin_bwe')"
    parts.append(f"""
if {use_libwebrtc}
  libwebrtc_include_directories = include_directories('include', 'fbs')
  subdir('deps/libwebrtc')
  dependencies += [libwebrtc_dep] + absl_deps
endif
""")
    if legacy:
        # Same rule as upstream (io_uring only on kernel >= 6), but optional:
        # without liburing-dev the worker still builds, just without io_uring.
        parts.append("""
if host_machine.system() == 'linux' and not get_option('ms_disable_liburing')
  liburing_dep = dependency('liburing', required: false)
  kernel_version = run_command('uname', '-r', check: true).stdout().strip()
  if liburing_dep.found() and kernel_version.split('.')[0].to_int() >= 6
    dependencies += [liburing_dep]
    common_sources += ['src/DepLibUring.cpp']
    cpp_args += ['-DMS_LIBURING_SUPPORTED']
  endif
endif
""")
    return ''.join(parts)


def patch_top_level(worker):
    meson_build = worker / 'meson.build'
    text = meson_build.read_text()
    legacy = 'usrsctp_proj = subproject(' in text
    srtp3_policy_api = 'srtp_policy_create' in (worker / 'src/RTC/SrtpSession.cpp').read_text()

    # Debian bookworm ships meson 1.0.1; nothing this file uses needs 1.1.
    index_of(text, "meson_version: '>= 1.1.0'", meson_build)
    text = text.replace("meson_version: '>= 1.1.0'", "meson_version: '>= 1.0.0'")

    first_subproject = min(
        index_of(text, anchor, meson_build)
        for anchor in ('openssl_proj = subproject(', 'libuv_proj = subproject(')
    )
    exe_start = index_of(text, "executable(\n  'mediasoup-worker',", meson_build)
    exe_end = index_of(text[exe_start:], '\n)\n', meson_build) + exe_start + len('\n)\n')

    meson_build.write_text(
        text[:first_subproject]
        + system_deps_block(legacy, srtp3_policy_api)
        + '\n'
        + text[exe_start:exe_end]
    )
    return meson_build, legacy, srtp3_policy_api


def patch_libwebrtc(worker):
    """deps/libwebrtc/meson.build declares its own abseil subproject and reads
    variables from the top-level subprojects; point all of that at the system
    dependencies declared above."""
    meson_build = worker / 'deps/libwebrtc/meson.build'
    text = meson_build.read_text()
    text = re.sub(r"abseil_cpp_proj = subproject\(.*?\n\)\n", '', text, flags=re.S)
    for project, dep in (
        ('openssl_proj', 'openssl_dep'),
        ('flatbuffers_proj', 'flatbuffers_dep'),
        ('libuv_proj', 'libuv_dep'),
    ):
        text = re.sub(project + r"\.get_variable\('[a-z_]+'\)", dep, text)
    text = re.sub(
        r"    abseil_cpp_proj\.get_variable\('absl_strings_dep'\),\n"
        r"    abseil_cpp_proj\.get_variable\('absl_types_dep'\),\n",
        '    abseil_strings_types_deps,\n',
        text,
    )
    leftover = re.search(r'\w+_proj\b', text)
    if leftover:
        fail(f'{meson_build} still refers to subproject {leftover.group(0)!r}; re-check this script')
    meson_build.write_text(text)
    return meson_build


def main():
    if len(sys.argv) != 3:
        fail('usage: patch-meson.py <worker-dir> <compat-dir>')
    worker = pathlib.Path(sys.argv[1])
    compat = pathlib.Path(sys.argv[2])
    if not (worker / 'meson.build').is_file():
        fail(f'{worker} has no meson.build (not a mediasoup worker/ tree?)')
    if not compat.is_dir():
        fail(f'compat directory {compat} not found')

    top, legacy, srtp3_policy_api = patch_top_level(worker)
    libwebrtc = patch_libwebrtc(worker)
    shutil.copytree(compat, worker / 'compat', dirs_exist_ok=True)
    print(f'patched {top} (legacy={legacy}, srtp3_policy_api={srtp3_policy_api}) and {libwebrtc}')


if __name__ == '__main__':
    main()
