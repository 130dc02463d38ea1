"""A copy-on-write overlay of the filesystem for the child: the script's writes land in the temp dir.

A probed run trains for a few seconds, so whatever the script saves after it (a preprocessed CSV,
predictions, a model, a plot) is the output of a truncated run and must never replace the user's
file. Every write to a path outside the probe's own temp dir goes to a shadow copy under
`<temp dir>/writes/<absolute path>`; later reads of a path the script wrote or deleted see the
shadow, so the script keeps working on its own outputs, and the user's files stay as they were.

Paths are redirected where they enter: Python's file APIs (`open`, `os`, `shutil`, and `pathlib`
and `glob` through them), and the C-level readers and writers that take a path (h5py, pandas'
parquet/feather/HDF files, sqlite3, and TensorFlow's, in sandbox_tf). An audit
hook refuses any Python-level write that still names a path outside the temp dir (a function a
library captured before the patches, say), so a write that cannot be redirected is refused with a
note, never let through. The parent checks the script's folder afterwards for the rest (a
subprocess, a C library not listed here).
"""

from __future__ import annotations

import builtins
import errno
import io
import os
import shutil
import sys
from typing import Any, Callable

LISTED = 100  # paths kept per list in the result; the counts are always complete
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC
_SYSTEM_ROOTS = ("/dev", "/proc", "/sys")  # devices and kernel files are not the user's files
PathArg = Any  # str, bytes or os.PathLike (an int file descriptor passes through untouched)

# The real functions, taken before any patch: the overlay itself works on the real filesystem.
_open, _os_open, _stat, _lstat = builtins.open, os.open, os.stat, os.lstat
_listdir, _scandir, _mkdir, _rmdir, _unlink = os.listdir, os.scandir, os.mkdir, os.rmdir, os.unlink
_rename, _replace, _rmtree, _readlink = os.rename, os.replace, shutil.rmtree, os.readlink


def _is_path(value: object) -> bool:
    return isinstance(value, (str, bytes, os.PathLike))


def _exists(path: str) -> bool:
    try:
        _lstat(path)
    except (OSError, ValueError):
        return False
    return True


def _is_link(path: str) -> bool:
    try:
        return (_lstat(path).st_mode & 0o170000) == 0o120000
    except (OSError, ValueError):
        return False


def _is_dir(path: str) -> bool:
    try:
        return (_stat(path).st_mode & 0o170000) == 0o040000
    except (OSError, ValueError):
        return False


def _not_found(path: PathArg) -> FileNotFoundError:
    return FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), os.fsdecode(os.fspath(path)))


class Overlay:
    """Where each path the script names really lives: its shadow once written, else the original."""

    def __init__(self, scratch: str):
        self.root = os.path.join(os.path.abspath(scratch), "writes")
        self.passthrough = (os.path.abspath(scratch), *_SYSTEM_ROOTS)
        self.written: dict[str, None] = {}  # originals whose writes went to a shadow, in order
        self.deleted: set[str] = set()  # originals the script deleted (hidden from its reads)
        self.refused: list[str] = []
        self.unpatched: list[str] = []  # libraries whose path-taking writers could not be patched
        self.linked = False  # the script made a symlink: paths are resolved through the shadow's links

    # -- where a path lives --------------------------------------------------------------------

    def absolute(self, path: PathArg, follow: bool = True) -> str | None:
        """The absolute path a path argument names, or None where it is not ours to map. A symlink
        the script made exists only as a shadow, so the OS must never follow it: the path is
        resolved here (its last part too where `follow`), as the OS would resolve the real link."""
        if not _is_path(path):
            return None
        text = os.fsdecode(os.fspath(path))
        if "://" in text:
            return None  # gs://, s3://, ram://: a remote or in-memory file system, not the user's disk
        real = os.path.abspath(text)
        if self.linked:
            real = self._resolve(real, follow)
        if any(real == root or real.startswith(root + os.sep) for root in self.passthrough):
            return None
        return real

    def _resolve(self, real: str, follow: bool) -> str:
        pending, resolved, hops = real.split(os.sep)[1:], os.sep, 0
        while pending:
            name = pending.pop(0)
            if name in ("", "."):
                continue
            if name == "..":
                resolved = os.path.dirname(resolved)
                continue
            candidate = os.path.join(resolved, name)
            shadow = self.shadow(candidate)
            if (not pending and not follow) or not _is_link(shadow):
                resolved = candidate
                continue
            hops += 1
            if hops > 40:  # a loop: leave it to the OS, which says ELOOP
                return real
            target = _readlink(shadow)
            pending = target.split(os.sep) + pending
            if os.path.isabs(target):
                resolved = os.sep
        return resolved

    def _given(self, path: PathArg, real: str) -> PathArg:
        """`path` itself for the OS to open, unless it runs through one of the script's symlinks."""
        return path if not self.linked or os.path.abspath(os.fsdecode(os.fspath(path))) == real else real

    def shadow(self, real: str) -> str:
        return os.path.join(self.root, os.path.splitdrive(real)[1].lstrip(os.sep))

    def _hidden(self, real: str) -> bool:
        """Deleted by the script, itself or a folder above it."""
        if not self.deleted:
            return False
        while True:
            if real in self.deleted:
                return True
            parent = os.path.dirname(real)
            if parent == real:
                return False
            real = parent

    def original_visible(self, real: str) -> bool:
        return not self._hidden(real) and _exists(real)

    def exists(self, real: str) -> bool:
        return _exists(self.shadow(real)) or self.original_visible(real)

    def is_dir(self, real: str) -> bool:
        return _is_dir(self.shadow(real)) or (not self._hidden(real) and _is_dir(real))

    def read(self, path: PathArg, follow: bool = True) -> PathArg:
        """The path to read for `path`: its shadow if the script wrote (or deleted) it."""
        real = self.absolute(path, follow)
        if real is None:
            return path
        shadow = self.shadow(real)
        if _exists(shadow):
            # A folder the script wrote into exists twice: the original is the one to stat, list
            # from or chdir into (relative reads of the files it holds must still find them).
            if _is_dir(shadow) and self.original_visible(real) and _is_dir(real):
                return self._given(path, real)
            return shadow
        if self._hidden(real):
            raise _not_found(path)
        return self._given(path, real)

    def seen(self, path: PathArg) -> PathArg:
        """The path a C++ reader should open for `path`: as `read`, but a path the script deleted maps
        to its absent shadow, so the library raises its own not-found error (as TensorFlow's do)."""
        real = self.absolute(path)
        if real is not None and not self.exists(real):
            return self.shadow(real)
        return self.read(path)

    def whole_dir(self, path: PathArg) -> PathArg:
        """A folder a C++ library reads as a whole (a SavedModel, a saved dataset): once the script
        wrote into it, its shadow, completed with the original files it neither replaced nor deleted."""
        real = self.absolute(path)
        if real is None:
            return path
        shadow = self.shadow(real)
        if not _is_dir(shadow):
            return self.seen(path)
        if self.original_visible(real) and _is_dir(real):
            self._complete(real, shadow)
        return shadow

    def _complete(self, real: str, shadow: str) -> None:
        for name in _listdir(real):
            source, target = os.path.join(real, name), os.path.join(shadow, name)
            if source in self.deleted or (_exists(target) and not _is_dir(target)):
                continue
            if _is_dir(source):
                if not _exists(target):
                    _mkdir(target)
                self._complete(source, target)
            else:
                shutil.copyfile(source, target)

    def prefix(self, path: PathArg) -> PathArg:
        """A checkpoint prefix names the files beside it (`prefix.index`, `prefix.data-*`): its shadow
        once the script wrote one of them, or deleted the folder they are in."""
        real = self.absolute(path)
        if real is None:
            return path
        shadow = self.shadow(real)
        folder, base = os.path.split(shadow)
        if _is_dir(folder) and any(n == base or n.startswith(base + ".") for n in _listdir(folder)):
            return shadow
        return shadow if self._hidden(real) else path

    def unshadow(self, text: str) -> str:
        """`text` (an error message) with every shadow path shown as the path the script named."""
        return text.replace(self.root + os.sep, os.sep) if self.root in text else text

    def own(self, exc: OSError, given: PathArg = None) -> OSError:
        """`exc` naming the script's paths rather than their shadows, as the script's own call would:
        `given`, the path it passed, or else the original the shadow stands for."""
        for attribute in ("filename", "filename2"):
            value = getattr(exc, attribute, None)
            if isinstance(value, str) and value.startswith(self.root + os.sep):
                setattr(exc, attribute, given if given is not None and attribute == "filename"
                        else value[len(self.root):])
        return exc

    def refuse(self, path: PathArg, why: str = "it could not be redirected into the probe's temp dir"
               ) -> PermissionError:
        """The error for a write the sandbox cannot redirect; the report lists the path."""
        real = self.absolute(path) or os.fsdecode(os.fspath(path))
        if real not in self.refused:
            self.refused.append(real)
        return PermissionError(errno.EPERM, f"rnnlint probe refused this write: {why}", real)

    def write(self, path: PathArg, keep: bool = False, follow: bool = True) -> PathArg:
        """The path to write for `path` (its shadow, made ready). `keep`: the write changes the file
        rather than replacing it (append, r+), so the shadow starts as a copy of the original."""
        real = self.absolute(path, follow)
        if real is None:
            return path
        shadow = self.shadow(real)
        if self.is_dir(real):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), os.fsdecode(os.fspath(path)))
        if not _exists(shadow):
            if not self.is_dir(os.path.dirname(real)):
                raise _not_found(path)  # as the real write would: its folder does not exist
            os.makedirs(os.path.dirname(shadow), exist_ok=True)
            if keep and self.original_visible(real) and not _is_dir(real):
                shutil.copyfile(real, shadow)
        self.deleted.discard(real)
        self.written[real] = None
        return shadow

    def change(self, path: PathArg) -> PathArg:
        """The path to change the metadata of (chmod, utime, xattrs): a file's shadow copy, or a
        folder's shadow folder."""
        real = self.absolute(path)
        if real is None or not self.is_dir(real):
            return self.write(path, keep=True)
        if not self.exists(real):
            raise _not_found(path)
        os.makedirs(self.shadow(real), exist_ok=True)
        return self.shadow(real)

    def write_dir(self, path: PathArg) -> PathArg:
        """A folder a C library will fill (a SavedModel, summaries): its shadow, with its parents."""
        real = self.absolute(path)
        if real is None:
            return path
        shadow = self.shadow(real)
        os.makedirs(os.path.dirname(shadow), exist_ok=True)
        self.deleted.discard(real)
        self.written[real] = None
        return shadow

    # -- what the script changes -----------------------------------------------------------------

    def remove(self, path: PathArg, directory: bool = False) -> None:
        real = self.absolute(path, follow=False)
        if real is None:
            (_rmdir if directory else _unlink)(path)
            return
        shadow, found = self.shadow(real), False
        if _exists(shadow):
            if directory and _listdir(shadow) == [] and self.original_visible(real) and self.listdir(path):
                raise OSError(errno.ENOTEMPTY, os.strerror(errno.ENOTEMPTY), os.fsdecode(os.fspath(path)))
            (_rmdir if directory else _unlink)(shadow)
            found = True
        if self.original_visible(real):
            if directory and self.listdir(path):
                raise OSError(errno.ENOTEMPTY, os.strerror(errno.ENOTEMPTY), os.fsdecode(os.fspath(path)))
            self.deleted.add(real)
            found = True
        if not found:
            raise _not_found(path)
        self.written.pop(real, None)

    def remove_tree(self, path: PathArg) -> None:
        real = self.absolute(path)
        shadow = self.shadow(real) if real else None
        if real is None or not self.exists(real):
            raise _not_found(path)
        if shadow and _exists(shadow):
            _rmtree(shadow)
        if self.original_visible(real):
            self.deleted.add(real)
        for written in [w for w in self.written if w == real or w.startswith(real + os.sep)]:
            del self.written[written]

    def make_dir(self, path: PathArg, mode: int = 0o777) -> None:
        real = self.absolute(path, follow=False)
        if real is None:
            _mkdir(path, mode)
            return
        if self.exists(real):
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), os.fsdecode(os.fspath(path)))
        if not self.is_dir(os.path.dirname(real)):
            raise _not_found(path)
        shadow = self.shadow(real)
        os.makedirs(os.path.dirname(shadow), exist_ok=True)
        _mkdir(shadow, mode)

    def move(self, source: PathArg, target: PathArg, replace: bool) -> None:
        src_real, dst_real = self.absolute(source, follow=False), self.absolute(target, follow=False)
        if src_real is None and dst_real is None:
            (_replace if replace else _rename)(source, target)
            return
        src = self.read(source, follow=False)
        if src_real is not None and not self.exists(src_real):
            raise _not_found(source)
        dst = self.write(target, follow=False)
        if src_real is not None and not os.fsdecode(os.fspath(src)).startswith(self.root + os.sep):
            # the original: copy it (a link as a link), then hide it
            if _is_dir(src) and not _is_link(src):
                shutil.copytree(src, dst, dirs_exist_ok=True)
            else:
                shutil.copy2(src, dst, follow_symlinks=False)
            self.deleted.add(src_real)
            shadow = self.shadow(src_real)
            if _is_dir(shadow):  # what the script wrote inside the folder moves with it
                shutil.copytree(shadow, dst, dirs_exist_ok=True)
                _rmtree(shadow)
        else:
            (_replace if replace else _rename)(src, dst)
        if src_real is not None:
            self.written.pop(src_real, None)

    def listdir(self, path: PathArg) -> list:
        real = self.absolute(path)
        if real is None:
            return _listdir(path)
        shadow, names = self.shadow(real), []
        if _is_dir(shadow):
            names += _listdir(shadow)
        if not self._hidden(real) and _is_dir(real):
            seen = set(names)
            names += [n for n in _listdir(real) if n not in seen and os.path.join(real, n) not in self.deleted]
        elif not names and not _is_dir(shadow):
            return _listdir(path)  # neither exists: the real error
        return [os.fsencode(n) for n in names] if isinstance(path, bytes) else names

    def summary(self) -> dict:
        written = list(self.written)
        return {
            "root": self.root,
            "redirected": written[:LISTED], "redirected_count": len(written),
            "deleted": sorted(self.deleted)[:LISTED], "deleted_count": len(self.deleted),
            "refused": self.refused[:LISTED], "refused_count": len(self.refused),
            "unpatched": self.unpatched,
        }


class _Entry:
    """An `os.DirEntry` look-alike for a merged listing, named by the path the script asked for."""

    def __init__(self, folder: str, name: str, actual: str, followed: str):
        """`actual`: where the entry itself lives; `followed`: where a symlink there leads."""
        self.name, self.path, self._actual, self._followed = name, os.path.join(folder, name), actual, followed

    def is_dir(self, *, follow_symlinks: bool = True) -> bool:
        return _is_dir(self._followed) if follow_symlinks else self.stat(follow_symlinks=False).st_mode & 0o170000 == 0o040000

    def is_file(self, *, follow_symlinks: bool = True) -> bool:
        try:
            mode = self.stat(follow_symlinks=follow_symlinks).st_mode
        except OSError:
            return False
        return mode & 0o170000 == 0o100000

    def is_symlink(self) -> bool:
        return _is_link(self._actual)

    def stat(self, *, follow_symlinks: bool = True):
        return _stat(self._followed) if follow_symlinks else _lstat(self._actual)

    def inode(self) -> int:
        return _lstat(self._actual).st_ino

    def __fspath__(self) -> str:
        return self.path


class _Listing:
    """What `os.scandir` returns, for a merged listing: an iterator that is also a context manager."""

    def __init__(self, entries: list[_Entry]):
        self._entries = iter(entries)

    def __iter__(self):
        return self

    def __next__(self) -> _Entry:
        return next(self._entries)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._entries = iter(())


def _writes(mode: str) -> bool:
    return any(c in mode for c in "wax+")


def _keeps(mode: str) -> bool:
    return "a" in mode or ("r" in mode and "+" in mode)


def install(overlay: Overlay) -> None:
    """Patch the file APIs to go through `overlay`, then add the audit hook that refuses the rest."""
    _patch_python_io(overlay)
    _patch_os(overlay)
    _patch_libraries(overlay)
    sys.addaudithook(_refuse_escaping_writes(overlay))


def _patch_python_io(overlay: Overlay) -> None:
    def open_(file, mode="r", *args, **kwargs):
        given = file
        # With an opener (tempfile's), the opener picks the file through os.open, which is mapped.
        if _is_path(file) and isinstance(mode, str) and kwargs.get("opener") is None:
            if _writes(mode):
                real = overlay.absolute(file)
                if "x" in mode and real is not None and overlay.exists(real):
                    raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), os.fsdecode(os.fspath(file)))
                file = overlay.write(file, keep=_keeps(mode))
            else:
                file = overlay.read(file)
        try:
            return _open(file, mode, *args, **kwargs)
        except OSError as exc:
            overlay.own(exc, given)
            raise

    builtins.open = io.open = open_


def _patch_os(overlay: Overlay) -> None:
    def with_path(real_function: Callable, writes: bool = False, follow: bool = True) -> Callable:
        """A one-path os function that acts on the path's shadow (made first for a change)."""
        def patched(path, *args, **kwargs):
            given = path
            if kwargs.get("dir_fd") is None and _is_path(path):
                path = overlay.change(path) if writes else \
                    overlay.read(path, follow and kwargs.get("follow_symlinks", True))
            try:
                return real_function(path, *args, **kwargs)
            except OSError as exc:
                overlay.own(exc, given)
                raise
        return patched

    def open_(path, flags, mode=0o777, *, dir_fd=None):
        given = path
        if dir_fd is None and _is_path(path):
            if flags & _WRITE_FLAGS:
                real = overlay.absolute(path)
                if flags & os.O_CREAT and flags & os.O_EXCL and real is not None and overlay.exists(real):
                    raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), os.fsdecode(os.fspath(path)))
                path = overlay.write(path, keep=not flags & os.O_TRUNC)
            else:
                path = overlay.read(path)
        try:
            return _os_open(path, flags, mode, dir_fd=dir_fd)
        except OSError as exc:
            overlay.own(exc, given)
            raise

    def listdir(path="."):
        return _listdir(path) if isinstance(path, int) else overlay.listdir(path)

    def scandir(path="."):
        real = overlay.absolute(path) if not isinstance(path, int) else None
        if real is None or (not _is_dir(overlay.shadow(real)) and not overlay.deleted):
            return _scandir(path)
        folder = os.fsdecode(os.fspath(path))
        entries = []
        for name in overlay.listdir(folder):
            named = os.path.join(folder, name)
            actual, followed = (os.fsdecode(os.fspath(overlay.read(named, follow))) for follow in (False, True))
            entries.append(_Entry(folder, name, actual, followed))
        return _Listing(entries)

    def one_path(action: Callable[[PathArg], None], real_function: Callable) -> Callable:
        def patched(path, *args, **kwargs):
            if kwargs.get("dir_fd") is not None or not _is_path(path):
                return real_function(path, *args, **kwargs)
            return action(path, *args, **kwargs)
        return patched

    def move(replace: bool) -> Callable:
        real_function = _replace if replace else _rename

        def patched(src, dst, *, src_dir_fd=None, dst_dir_fd=None):
            if src_dir_fd is not None or dst_dir_fd is not None:
                return real_function(src, dst, src_dir_fd=src_dir_fd, dst_dir_fd=dst_dir_fd)
            overlay.move(src, dst, replace)
        return patched

    def rmtree(path, ignore_errors=False, onerror=None, **kwargs):
        if kwargs.get("dir_fd") is not None or overlay.absolute(path) is None:
            return _rmtree(path, ignore_errors, onerror, **kwargs)
        try:
            overlay.remove_tree(path)
        except OSError:
            if not ignore_errors:
                raise

    def symlink(src, dst, *args, **kwargs):
        """The link goes to the shadow as the script wrote it; paths through it are resolved by the
        overlay (a relative target means the user's folder, not the shadow's)."""
        real = overlay.absolute(dst, follow=False)
        if real is None or kwargs.get("dir_fd") is not None:
            return _real_symlink(src, dst, *args, **kwargs)
        if overlay.exists(real):
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), os.fsdecode(os.fspath(dst)))
        _real_symlink(src, overlay.write(dst, follow=False), *args, **kwargs)
        overlay.linked = True

    def readlink(path, *, dir_fd=None):
        if dir_fd is not None or not _is_path(path):
            return _readlink(path, dir_fd=dir_fd)
        try:
            return _readlink(overlay.read(path, follow=False))
        except OSError as exc:
            overlay.own(exc, path)
            raise

    def link(src, dst, *args, **kwargs):
        shutil.copy2(overlay.read(src), overlay.write(dst))  # a hard link to a user's file could change it

    _real_symlink = os.symlink
    os.open = open_
    os.listdir, os.scandir = listdir, scandir
    os.stat, os.lstat = with_path(_stat), with_path(_lstat, follow=False)
    os.readlink = readlink
    os.access = with_path(os.access)
    os.chdir = with_path(os.chdir)
    for name in ("listxattr", "getxattr"):  # shutil.copy2 reads them from the source
        if hasattr(os, name):
            setattr(os, name, with_path(getattr(os, name)))
    for name in ("truncate", "chmod", "chown", "utime", "setxattr", "removexattr"):
        if hasattr(os, name):
            setattr(os, name, with_path(getattr(os, name), writes=True))
    os.remove = os.unlink = one_path(lambda path, **kw: overlay.remove(path), _unlink)
    os.rmdir = one_path(lambda path, **kw: overlay.remove(path, directory=True), _rmdir)
    os.mkdir = one_path(lambda path, mode=0o777, **kw: overlay.make_dir(path, mode), _mkdir)
    os.rename, os.replace = move(False), move(True)
    os.symlink, os.link = symlink, link
    shutil.rmtree = rmtree  # type: ignore[assignment]  # stands in for it, same call shapes
    accessor = getattr(__import__("pathlib"), "_normal_accessor", None)  # Python 3.10's pathlib
    if accessor is not None:
        for name in ("stat", "lstat", "open", "listdir", "scandir", "chmod", "mkdir", "unlink",
                     "rmdir", "rename", "replace", "symlink", "link", "utime"):
            if hasattr(os, name):
                setattr(accessor, name, staticmethod(getattr(os, name)))


def _path_argument(function: Callable, index: int, name: str, map_path: Callable) -> Callable:
    """`function` with its path argument (positional `index` or keyword `name`) mapped."""
    def patched(*args, **kwargs):
        if name in kwargs and _is_path(kwargs[name]):
            kwargs[name] = map_path(kwargs[name])
        elif len(args) > index and _is_path(args[index]):
            args = (*args[:index], map_path(args[index]), *args[index + 1:])
        return function(*args, **kwargs)
    patched.__wrapped__ = function  # type: ignore[attr-defined]
    return patched


def _patch_libraries(overlay: Overlay) -> None:
    from .imports import on_import
    from .sandbox_tf import patch_tensorflow as _patch_tensorflow

    for name, patch in (("h5py", _patch_h5py), ("pandas", _patch_pandas), ("sqlite3", _patch_sqlite),
                        ("tensorflow", _patch_tensorflow), ("numpy", _patch_numpy), ("tarfile", _patch_tarfile)):
        on_import(name, _guarded(overlay, name, patch))


def _patch_numpy(overlay: Overlay, numpy) -> None:
    """np.savetxt/loadtxt/genfromtxt open plain files through an opener numpy took at import."""
    from numpy.lib import _datasource

    _datasource._file_openers._file_openers[None] = builtins.open  # type: ignore[attr-defined]


def _patch_tarfile(overlay: Overlay, tarfile) -> None:
    tarfile.bltn_open = builtins.open  # tarfile keeps the builtin open it saw at import


def _guarded(overlay: Overlay, name: str, patch: Callable) -> Callable:
    """A library whose API moved must not stop the run: its writes go unredirected (the parent's
    folder check still sees them) and the report says which library was not covered."""
    def apply(module) -> None:
        try:
            patch(overlay, module)
        except Exception as exc:  # noqa: BLE001 - any API drift in a third-party library
            overlay.unpatched.append(f"{name}: {type(exc).__name__}: {exc}"[:300])
    return apply


def _patch_h5py(overlay: Overlay, h5py) -> None:
    original = h5py.File.__init__

    def init(self, name, mode="r", *args, **kwargs):
        if _is_path(name):
            if mode in ("w-", "x") and (real := overlay.absolute(name)) and overlay.exists(real):
                raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), os.fsdecode(os.fspath(name)))
            name = overlay.read(name) if mode == "r" else overlay.write(name, keep=mode in ("r+", "a"))
        original(self, name, mode, *args, **kwargs)

    h5py.File.__init__ = init


def _patch_pandas(overlay: Overlay, pandas) -> None:
    writers = {"to_parquet": ("path", False), "to_feather": ("path", False), "to_hdf": ("path_or_buf", True)}
    for cls in (pandas.DataFrame, pandas.Series):
        for method, (name, keep) in writers.items():
            if hasattr(cls, method):
                setattr(cls, method, _path_argument(getattr(cls, method), 1, name,
                                                    lambda p, keep=keep: overlay.write(p, keep=keep)))
    for reader, name in (("read_parquet", "path"), ("read_feather", "path"), ("read_hdf", "path_or_buf")):
        if hasattr(pandas, reader):
            setattr(pandas, reader, _path_argument(getattr(pandas, reader), 0, name, overlay.read))
    store = pandas.HDFStore.__init__
    pandas.HDFStore.__init__ = _path_argument(
        store, 1, "path", lambda p: overlay.write(p, keep=True))


def _patch_sqlite(overlay: Overlay, sqlite3) -> None:
    def database(path):
        return path if os.fsdecode(os.fspath(path)) in (":memory:", "") or str(path).startswith("file:") \
            else overlay.write(path, keep=True)

    sqlite3.connect = sqlite3.dbapi2.connect = _path_argument(sqlite3.connect, 0, "database", database)


# -- the backstop ------------------------------------------------------------------------------

# audit event -> (index of each path argument, index of the dir_fd it is relative to or None)
_AUDITED_PATHS: dict[str, tuple[tuple[int, int | None], ...]] = {
    "os.remove": ((0, 1),), "os.rmdir": ((0, 1),), "os.mkdir": ((0, 2),),
    "os.rename": ((0, 2), (1, 3)), "os.truncate": ((0, None),), "os.chmod": ((0, 2),),
    "os.chown": ((0, 3),), "os.utime": ((0, 3),), "os.symlink": ((1, 2),), "os.link": ((1, 3),),
    "shutil.rmtree": ((0, 1),), "os.setxattr": ((0, None),), "os.removexattr": ((0, None),),
}


def _refuse_escaping_writes(overlay: Overlay) -> Callable[[str, tuple], None]:
    """The audit hook: a write that reached the OS naming a path outside the temp dir is refused."""
    def named(path, dir_fd) -> str | None:
        if not _is_path(path):
            return None
        text = os.fsdecode(os.fspath(path))
        if isinstance(dir_fd, int) and not os.path.isabs(text):
            try:
                text = os.path.join(_readlink(f"/proc/self/fd/{dir_fd}"), text)
            except OSError:
                return None
        return overlay.absolute(text)

    def hook(event: str, args: tuple) -> None:
        if event == "open":
            if len(args) < 3 or not isinstance(args[2], int) or not args[2] & _WRITE_FLAGS:
                return
            if _is_path(args[0]) and _is_dir(os.fsdecode(os.fspath(args[0]))):
                return  # tempfile names the folder; its opener makes the file (and is audited itself)
            places: tuple[tuple[int, int | None], ...] = ((0, None),)
        else:
            places = _AUDITED_PATHS.get(event, ())
            if not places:
                return
        for index, fd_index in places:
            real = named(args[index] if index < len(args) else None,
                         args[fd_index] if fd_index is not None and fd_index < len(args) else None)
            if real is not None:
                raise overlay.refuse(real)

    return hook
