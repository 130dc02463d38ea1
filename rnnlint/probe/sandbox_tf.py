"""TensorFlow's side of the sandbox: its files are opened in C++ by a path the script names.

So each path is mapped where it enters that C++: `file_io` (tf.io.gfile), the ops that take a file
name (`read_file`, `write_file`, `matching_files`, the file datasets, `Dataset.save`/`load`/`cache`,
the checkpoint ops), the pybind readers and writers (`TFRecordWriter`, `tf_record_iterator`,
`CheckpointReader`), SavedModel save/load and summary writers. An op's path can be a Python string, an
eager tensor or, inside a `tf.function` or a `Dataset.map`, a symbolic tensor, which is mapped by a
`numpy_function` when the op runs. TensorFlow's errors name the script's path, never its shadow. The
checkpoint ops of TF1's V1 format write by path with no such seam: they are refused.
"""

from __future__ import annotations

import glob
import os
import sys
from typing import Any, Callable

from .sandbox import Overlay, PathArg, _is_path, _keeps, _path_argument, _writes

Mapper = Callable[[PathArg], PathArg]


def patch_tensorflow(overlay: Overlay, tf) -> None:
    replaced: dict[int, Callable] = {}  # id of a TensorFlow function -> what stands in for it
    _patch_file_io(overlay, replaced)
    _patch_ops(overlay, tf, replaced)
    _patch_pybind(overlay, replaced)
    _patch_tools(overlay, replaced)
    _patch_saved_model(overlay)
    _patch_errors(overlay)
    _swap(replaced)
    tf.summary.create_file_writer = _path_argument(tf.summary.create_file_writer, 0, "logdir",
                                                   overlay.write_dir)


def _swap(replaced: dict[int, Callable]) -> None:
    """TensorFlow's modules hold their own references to each function (`from gen_io_ops import *`,
    tf.io.gfile, platform.gfile): replace every one of them, not only the defining module's."""
    for name, module in list(sys.modules.items()):
        if module is None or not name.startswith(("tensorflow", "keras", "tf_keras")):
            continue
        namespace = getattr(module, "__dict__", None)
        if not isinstance(namespace, dict):
            continue
        for attribute, value in list(namespace.items()):
            if id(value) in replaced and replaced[id(value)] is not value:
                namespace[attribute] = replaced[id(value)]


def _replace(module, name: str, make: Callable[[Callable], Callable], replaced: dict[int, Callable]) -> None:
    function = getattr(module, name, None)
    if function is None:
        return
    patched = make(function)
    patched.__wrapped__ = function  # type: ignore[attr-defined]
    replaced[id(function)] = patched
    setattr(module, name, patched)


def _replace_op(module, name: str, make: Callable[[Callable], Callable], replaced: dict[int, Callable]) -> None:
    """An op's wrapper and its `tf.raw_ops` twin (a copy of the wrapper's code, keyword-only)."""
    function = getattr(module, name, None)
    if function is None:
        return
    _replace(module, name, make, replaced)
    patched = getattr(module, name)
    for attribute, value in list(vars(module).items()):
        if value is not patched and getattr(getattr(value, "__wrapped__", None), "__code__", None) \
                is function.__code__:
            def raw(**kwargs):
                return patched(**kwargs)
            raw.__wrapped__ = value  # type: ignore[attr-defined]
            replaced[id(value)] = raw
            setattr(module, attribute, raw)


# -- file_io: Python functions over pybind calls ---------------------------------------------------


def _patch_file_io(overlay: Overlay, replaced: dict[int, Callable]) -> None:
    from tensorflow.python.lib.io import file_io

    original_init = file_io.FileIO.__init__

    def file_init(self, name, mode="r", *args, **kwargs):
        if _is_path(name) and isinstance(mode, str):
            name = overlay.write(name, keep=_keeps(mode)) if _writes(mode) else overlay.seen(name)
        original_init(self, name, mode, *args, **kwargs)

    file_io.FileIO.__init__ = file_init

    def path_args(name: str, *mappers: Mapper) -> None:
        def make(function):
            def patched(*args, **kwargs):
                mapped = [mapper(arg) if _is_path(arg) else arg for mapper, arg in zip(mappers, args)]
                return function(*mapped, *args[len(mapped):], **kwargs)
            return patched
        _replace(file_io, name, make, replaced)

    def by_overlay(name: str, action: Callable) -> None:
        """A file_io function of one path that the overlay carries out itself for a user's path."""
        def make(function):
            def patched(path):
                return action(path) if overlay.absolute(path) is not None else function(path)
            return patched
        _replace(file_io, name, make, replaced)

    def make_dirs(path):
        real = overlay.absolute(path)
        if real is None:
            return path
        os.makedirs(overlay.shadow(real), exist_ok=True)
        return overlay.shadow(real)

    def write(path):
        return overlay.write(path, keep=True)

    for suffix in ("", "_v2"):
        path_args("file_exists" + suffix, overlay.seen)  # a deleted path answers False, not an error
        path_args("is_directory" + suffix, overlay.seen)
        path_args("stat" + suffix, overlay.seen)
        path_args("copy" + suffix, overlay.read, write)
        path_args("recursive_create_dir" + suffix, make_dirs)
        path_args("create_dir" + suffix, make_dirs)
        by_overlay("delete_file" + suffix, overlay.remove)
        by_overlay("list_directory" + suffix, overlay.listdir)
        by_overlay("delete_recursively" + suffix, overlay.remove_tree)
        _replace(file_io, "get_matching_files" + suffix, lambda function: (
            lambda patterns: _glob(overlay, patterns) if _local(overlay, patterns) else function(patterns)), replaced)
    path_args("read_file_to_string", overlay.seen)
    path_args("write_string_to_file", overlay.write)
    for name in ("rename", "rename_v2"):
        def make(function):
            def rename(src, dst, overwrite=False):
                if overlay.absolute(src) is None and overlay.absolute(dst) is None:
                    return function(src, dst, overwrite)
                if not overwrite and (real := overlay.absolute(dst)) and overlay.exists(real):
                    from tensorflow.python.framework import errors
                    raise errors.AlreadyExistsError(None, None, f"file already exists: {os.fsdecode(dst)}")
                overlay.move(src, dst, replace=True)
            return rename
        _replace(file_io, name, make, replaced)


def _local(overlay: Overlay, patterns) -> bool:
    """A pattern, or a list of them, on the local disk (gs:// and the like are left to TensorFlow)."""
    listed = [patterns] if _is_path(patterns) else patterns if isinstance(patterns, (list, tuple)) else []
    return bool(listed) and all(_is_path(p) and overlay.absolute(p) is not None for p in listed)


def _glob(overlay: Overlay, patterns) -> list[str]:
    """The script's view of the files that match: what it wrote, less what it deleted, as TensorFlow
    names them (the pattern's own form, one list for a list of patterns)."""
    if _is_path(patterns):
        patterns = [patterns]
    matches: list[str] = []
    for pattern in patterns:
        text = os.fsdecode(os.fspath(pattern))
        matches += _matching(text) if glob.has_magic(text) else \
            [text] if overlay.exists(overlay.absolute(text) or text) else []
    return sorted(matches)


def _matching(pattern: str) -> list[str]:
    if sys.version_info >= (3, 11):
        return glob.glob(pattern, include_hidden=True)  # TensorFlow's glob matches dotfiles too
    return glob.glob(pattern)


# -- ops: a path may be a string, an eager tensor or a symbolic one ----------------------------------


def _mapped(tf, value: Any, mapper: Callable[[str], Any]) -> Any:
    """`value`, a path or paths in any form an op accepts, with each path mapped."""
    import numpy as np

    def one(path) -> bytes:
        return os.fsencode(os.fspath(mapper(os.fsdecode(path))))

    def array(paths) -> np.ndarray:
        paths = np.asarray(paths, dtype=object)
        return np.array([one(p) for p in paths.reshape(-1)], dtype=object).reshape(paths.shape)

    if _is_path(value):
        return one(value)
    if isinstance(value, (list, tuple)):  # of strings, or of tensors (a saver's shard prefixes)
        return [_mapped(tf, v, mapper) for v in value]
    if isinstance(value, np.ndarray) and value.dtype.kind in "SUO":
        return array(value)
    if not tf.is_tensor(value) or value.dtype != tf.string:
        return value
    from tensorflow.python.framework.ops import EagerTensor

    if isinstance(value, EagerTensor):
        return tf.constant(array(value.numpy()))
    mapped = tf.numpy_function(array, [value], tf.string, stateful=True)
    mapped.set_shape(value.shape)
    return mapped


def _patch_ops(overlay: Overlay, tf, replaced: dict[int, Callable]) -> None:
    import numpy as np
    from tensorflow.python.ops import gen_dataset_ops, gen_experimental_dataset_ops, gen_io_ops, gen_summary_ops

    def mapping(*places: tuple[int, str, Mapper]) -> Callable[[Callable], Callable]:
        """A maker of op wrappers mapping the path arguments at (position, keyword name)."""
        def make(function):
            def patched(*args, **kwargs):
                args = list(args)
                for index, name, mapper in places:
                    if name in kwargs:
                        kwargs[name] = _mapped(tf, kwargs[name], mapper)
                    elif index < len(args):
                        args[index] = _mapped(tf, args[index], mapper)
                return function(*args, **kwargs)
            return patched
        return make

    def matches(patterns: list) -> list[str]:
        return _glob(overlay, [os.fsdecode(p) for p in patterns])

    def matching(function):
        """matching_files: the overlay's glob, run eagerly or, in a graph, when the op runs."""
        def patched(pattern, name=None):
            if (_is_path(pattern) or isinstance(pattern, (list, tuple))) and not _local(overlay, pattern):
                return function(pattern, name=name)
            if isinstance(pattern, (str, bytes, list, tuple)):
                return tf.constant(matches(pattern if isinstance(pattern, (list, tuple)) else [pattern]),
                                   dtype=tf.string)
            pattern = tf.convert_to_tensor(pattern, tf.string)
            if hasattr(pattern, "numpy"):
                return tf.constant(matches(np.asarray(pattern.numpy()).reshape(-1).tolist()), dtype=tf.string)
            found = tf.numpy_function(
                lambda p: np.array([os.fsencode(m) for m in matches(np.asarray(p).reshape(-1).tolist())],
                                   dtype=object), [pattern], tf.string, stateful=True)
            found.set_shape([None])
            return found
        return patched

    read, write = overlay.seen, overlay.write_dir
    _replace_op(gen_io_ops, "read_file", mapping((0, "filename", read)), replaced)
    _replace_op(gen_io_ops, "write_file", mapping((0, "filename", write)), replaced)
    _replace_op(gen_io_ops, "matching_files", matching, replaced)
    _replace_op(gen_io_ops, "save_v2", mapping((0, "prefix", write)), replaced)
    _replace_op(gen_io_ops, "restore_v2", mapping((0, "prefix", overlay.prefix)), replaced)

    def merged(prefix):
        """A shard the merge consumes (and deletes): the report lists the checkpoint, not its shards."""
        overlay.written.pop(overlay.absolute(prefix) or "", None)
        return overlay.prefix(prefix)

    _replace_op(gen_io_ops, "merge_v2_checkpoints",
                mapping((0, "checkpoint_prefixes", merged), (1, "destination_prefix", write)), replaced)
    for name in ("text_line_dataset", "tf_record_dataset", "tf_record_dataset_v2",
                 "fixed_length_record_dataset", "fixed_length_record_dataset_v2"):
        _replace_op(gen_dataset_ops, name, mapping((0, "filenames", read)), replaced)
    for name in ("cache_dataset", "cache_dataset_v2"):  # a file cache: a prefix the dataset fills
        _replace_op(gen_dataset_ops, name, mapping((1, "filename", lambda p: write(p) if p else p)), replaced)
    for name in ("csv_dataset", "csv_dataset_v2", "experimental_csv_dataset", "lmdb_dataset",
                 "experimental_lmdb_dataset"):
        _replace_op(gen_experimental_dataset_ops, name, mapping((0, "filenames", read)), replaced)
    for name in ("save_dataset", "save_dataset_v2", "snapshot_dataset", "snapshot_dataset_v2"):
        _replace_op(gen_experimental_dataset_ops, name, mapping((1, "path", write)), replaced)
    _replace_op(gen_experimental_dataset_ops, "load_dataset", mapping((0, "path", overlay.whole_dir)), replaced)
    _replace_op(gen_experimental_dataset_ops, "dataset_to_tf_record",
                mapping((1, "filename", overlay.write)), replaced)
    for name in ("save", "save_slices"):  # TF1's V1 checkpoint format
        _replace_op(gen_io_ops, name, _refused(overlay, "filename", 0), replaced)
    # A SQLite file, named by a URI ("file:///runs.db") that the probe cannot map: refused whatever it names.
    _replace_op(gen_summary_ops, "create_summary_db_writer", _refused(overlay, "db_uri", 1, always=True),
                replaced)


def _refused(overlay: Overlay, argument: str, index: int, always: bool = False) -> Callable[[Callable], Callable]:
    """An op that opens the files it names in C++ with no seam to map them at: refused for a user's path
    (one it cannot read in a graph included)."""
    def make(function):
        def patched(*args, **kwargs):
            path = kwargs.get(argument, args[index] if index < len(args) else None)
            named = path if _is_path(path) else getattr(path, "numpy", lambda: None)()
            if always or named is None or _is_path(named) and overlay.absolute(named) is not None:
                raise overlay.refuse(named if named is not None else function.__name__,
                                     f"{function.__name__} opens its files in C++ where the probe cannot "
                                     "redirect them")
            return function(*args, **kwargs)
        return patched
    return make


# -- pybind readers and writers, SavedModels, errors -------------------------------------------------


def _patch_pybind(overlay: Overlay, replaced: dict[int, Callable]) -> None:
    from tensorflow.python.lib.io import tf_record
    from tensorflow.python.training import py_checkpoint_reader

    tf_record.TFRecordWriter.__init__ = _path_argument(tf_record.TFRecordWriter.__init__, 1, "path",
                                                       overlay.write)
    _replace(tf_record, "tf_record_iterator", lambda f: _path_argument(f, 0, "path", overlay.seen), replaced)
    _replace(tf_record, "tf_record_random_reader", lambda f: _path_argument(f, 0, "path", overlay.seen),
             replaced)
    _replace(py_checkpoint_reader, "NewCheckpointReader",
             lambda f: _path_argument(f, 0, "filepattern", overlay.prefix), replaced)


def _patch_tools(overlay: Overlay, replaced: dict[int, Callable]) -> None:
    """The profiler (Keras' TensorBoard profile_batch) and the debugger dump into a folder from C++."""
    from tensorflow.python.debug.lib import dumping_callback
    from tensorflow.python.profiler import profiler_v2

    _replace(profiler_v2, "start", lambda f: _path_argument(f, 0, "logdir", overlay.write_dir), replaced)
    _replace(dumping_callback, "enable_dump_debug_info",
             lambda f: _path_argument(f, 0, "dump_root", overlay.write_dir), replaced)


def _patch_saved_model(overlay: Overlay) -> None:
    """Every SavedModel write (tf.saved_model.save, model.export) goes through save_and_return_nodes;
    the fingerprint step re-reads the folder in C++, so the whole folder is mapped, not its files."""
    from tensorflow.python.saved_model import load, save

    save.save_and_return_nodes = _path_argument(save.save_and_return_nodes, 1, "export_dir", overlay.write_dir)
    load.load_partial = _path_argument(load.load_partial, 0, "export_dir", overlay.whole_dir)


def _patch_errors(overlay: Overlay) -> None:
    from tensorflow.python.framework import errors_impl

    original = errors_impl.OpError.__init__

    def init(self, node_def, op, message, *args, **kwargs):
        original(self, node_def, op, overlay.unshadow(message) if isinstance(message, str) else message,
                 *args, **kwargs)

    errors_impl.OpError.__init__ = init
