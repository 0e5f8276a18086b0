"""What Mend keeps on disk is readable by its owner only, whatever the umask.

Everything Mend creates under ``instance/`` (the SQLite database and its -wal and
-shm files, the generated keys, the upload folder and the stored files) is a 0600
file or a 0700 folder, and so is every member of a backup archive. The mode given
to ``open`` or ``mkdir`` is filtered by the process's umask, so each is set again
explicitly once the file or folder exists. Folders and files that were already
there are left as they are.
"""

import os
import secrets
import time
from pathlib import Path

from rj.config import env_name

FILE_MODE = 0o600
FOLDER_MODE = 0o700


def private_folder(path):
    """Create ``path`` and its missing parents as 0700 folders; returns it as a Path."""
    path = Path(path)
    missing = []
    folder = path
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(FOLDER_MODE)
        except FileExistsError:
            continue  # another process made it a moment ago, and sets its mode
        os.chmod(folder, FOLDER_MODE)
    return path


def create_private_file(path):
    """A new 0600 file opened for writing (a file descriptor); created with O_EXCL, so
    FileExistsError when anything, a symbolic link included, is already there."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    os.fchmod(fd, FILE_MODE)
    return fd


def load_key(app, setting, file_name, min_length=0):
    """Make sure ``app.config[setting]`` holds a key of at least ``min_length`` characters.

    A key given in the settings is used as it is. Otherwise, on SQLite, it is read
    from ``instance/<file_name>``, or generated into it: created with O_EXCL, so two
    processes starting at once agree on one key. On PostgreSQL several app servers
    must share one key, so Mend refuses to start without an explicit one.
    """
    if not app.config.get(setting):
        url = app.config.get("DATABASE_URL") or ""
        if url.startswith(("postgres://", "postgresql://")):
            raise RuntimeError(
                f"{env_name(setting)} must be set explicitly when Mend runs on PostgreSQL "
                "(several app servers must share one key)."
            )
        app.config[setting] = _key_file(os.path.join(app.instance_path, file_name))
    if len(app.config[setting]) < min_length:
        raise RuntimeError(
            f"{env_name(setting)} is too short: use at least {min_length} random characters"
            " (python3 -c 'import secrets; print(secrets.token_hex(32))' prints one)."
        )


def _key_file(path):
    try:
        fd = create_private_file(path)
    except FileExistsError:
        # Another process may have created it a moment ago and still be writing.
        for _ in range(50):
            with open(path) as f:
                key = f.read().strip()
            if key:
                return key
            time.sleep(0.02)
        raise RuntimeError(f"{path} is empty; delete it to generate a new key.") from None
    key = secrets.token_hex(32)
    with os.fdopen(fd, "w") as f:
        f.write(key)
    return key
