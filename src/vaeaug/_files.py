"""Files: atomic writes (the one way vaeaug writes results and models), new run folders, JSON and YAML reads,
and the checks a path alone allows (missing inputs, outputs that exist), which the command line makes before
PyTorch loads."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import tempfile
from datetime import datetime
from pathlib import Path

import yaml
from filelock import FileLock, Timeout


TABLE_SUFFIXES = (".csv", ".parquet")  # the tables vaeaug reads, and writes back in the same format
DATA_SUFFIXES = (".npz", *TABLE_SUFFIXES)  # the files a dataset, an augmented dataset or an .npz of images is in
SAVE_LOCK = ".vaeaug-writing"  # in a --save-model folder while a run writes a model there


def is_table_file(path) -> bool:
    """Whether ``path`` names a table by its suffix (:data:`TABLE_SUFFIXES`)."""
    return Path(str(path)).suffix.lower() in TABLE_SUFFIXES


def check_exists(name, what="") -> None:
    """Refuse ``name`` when it is a path by its look (a data file's suffix, a leading ``/`` or ``./``, a trailing
    ``/``) and nothing is there; a bare name (``digits``) is a dataset's, which the loader knows."""
    text = str(name)
    path_like = Path(text).suffix.lower() in DATA_SUFFIXES or text.startswith(("/", "./", "../")) or \
        text.endswith("/")
    if path_like and not Path(text).exists():
        raise ValueError(f"{what}{text} does not exist; pass an existing .npz, .csv or .parquet file, or an image "
                         "folder.")


def check_output(output, source, *, force=False, save_model=None) -> Path:
    """The file a command writes from ``source``, checked before any work: its suffix fits the input, it is not a
    folder, and it does not exist unless ``force``; a ``save_model`` folder is a folder, empty unless ``force``."""
    output = Path(output)
    if output.suffix not in DATA_SUFFIXES:
        raise ValueError(f"OUTPUT must end in .npz (or .csv / .parquet for a table input); got {output}.")
    if is_table_file(output) and not is_table_file(source):
        raise ValueError(f"OUTPUT {output} is a table, but the input {source} is not; write an .npz.")
    if output.is_dir():
        raise ValueError(f"{output} is a folder; OUTPUT must be the path of a file.")
    if output.exists() and not force:
        raise ValueError(f"{output} already exists; choose another name or pass --force to replace it.")
    if save_model:
        model = Path(save_model)
        if model.exists() and not model.is_dir():
            raise ValueError(f"--save-model {model} is a file; give a folder to save the model in.")
        if model.is_dir() and any(p.name != SAVE_LOCK for p in model.iterdir()) and not force:
            raise ValueError(f"--save-model {model} is a folder that is not empty; choose a new folder or pass "
                             "--force to replace the model in it.")
    return output


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# mkstemp makes files readable by their owner alone; a result file gets the mode any new file gets here.
FILE_MODE = 0o666 & ~_umask()


def write_bytes_atomic(path, data: bytes) -> Path:
    """Write ``data`` to a temporary file beside ``path``, then rename it into place.

    A crash mid-write leaves the old file (or none), never a truncated one. The
    file gets the permissions of any new file (0666 less the umask), as ``open`` gives.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(handle, FILE_MODE)
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def write_text_atomic(path, text: str) -> Path:
    return write_bytes_atomic(path, text.encode("utf-8"))


def write_json_atomic(path, data) -> Path:
    return write_text_atomic(path, json.dumps(data, indent=2, sort_keys=False) + "\n")


def read_saved(folder, owner: type, *, keys=(), hint=None) -> tuple[dict, str]:
    """The JSON that ``owner.save`` wrote last into ``folder`` (``owner.saved_file``), and the sentence that
    says what to do about a damaged one; a folder without it is a ValueError that names what it lacks."""
    folder, name = Path(folder), owner.__name__
    if not (folder / owner.saved_file).is_file():
        raise ValueError(f"{folder} is not a saved {name}: it has no {owner.saved_file} "
                         + (hint or f"(written by {name}.save or a command's --save-model)") + ".")
    fix = f"delete the folder and fit the {name} again"
    return read_json(folder / owner.saved_file, keys=keys, fix=fix), fix


def read_json(path, *, keys=(), fix="write it again") -> dict:
    """A JSON object from ``path`` that has every key in ``keys``; anything else is a ValueError naming the file.

    ``fix`` finishes the sentence that says what to do about a damaged file.
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise ValueError(f"{path} is missing; {fix}.") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"{path} is damaged or not JSON ({error}); {fix}.") from None
    missing = [key for key in keys if not isinstance(data, dict) or key not in data]
    if missing:
        raise ValueError(f"{path} lacks {missing}: it was edited or written by something else; {fix}.")
    return data


def read_yaml(path):
    """The parsed contents of a YAML file; a missing or malformed file is a ValueError naming it."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"Config file {path} does not exist.")
    try:
        return yaml.safe_load(path.read_text())
    except yaml.YAMLError as error:
        raise ValueError(f"{path} is not valid YAML: {error}") from None
    except UnicodeDecodeError:
        raise ValueError(f"{path} is not a text file (it is not UTF-8); give a YAML config.") from None
    except OSError as error:
        raise ValueError(f"Config file {path} cannot be read ({error.strerror or error}); check its "
                         "permissions.") from None


def new_run_dir(parent=".", prefix="vaeaug-run") -> Path:
    """Create and return a new folder ``parent/prefix-YYYYmmdd-HHMMSS[-n]``; never reuses one."""
    parent = Path(parent)
    parent.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    for attempt in range(1000):
        candidate = parent / (f"{prefix}-{stamp}" + (f"-{attempt}" if attempt else ""))
        try:
            candidate.mkdir()
            return candidate
        except FileExistsError:
            continue
    raise RuntimeError(f"Could not create a new run folder under {parent}.")


_HOLDER = ".vaeaug-writer.json"  # in a run folder while a process writes it: who that is


@contextlib.contextmanager
def run_folder_lock(run_dir):
    """Hold ``run_dir`` for this process while it writes there: a second process (two ``--resume`` of one
    folder) is refused, naming the holder, instead of running every remaining cell again."""
    run_dir = Path(run_dir)
    lock = FileLock(run_dir / ".vaeaug-run.lock")
    try:
        lock.acquire(timeout=0)
    except Timeout:
        try:
            holder = json.loads((run_dir / _HOLDER).read_text())
            who = f" (process {holder['pid']} on {holder['host']}, since {holder['since']})"
        except (OSError, ValueError, KeyError, TypeError):
            who = ""
        raise ValueError(f"{run_dir} is being written by another vaeaug run{who}; wait for it to finish, then "
                         "--resume it if it stopped early.") from None
    try:
        write_json_atomic(run_dir / _HOLDER, {"pid": os.getpid(), "host": socket.gethostname(),
                                              "since": datetime.now().isoformat(timespec="seconds")})
        yield run_dir
    finally:
        (run_dir / _HOLDER).unlink(missing_ok=True)
        lock.release()
