"""Backups: one encrypted archive of the database and the uploaded files, and putting one
back into an instance.

What an archive holds
---------------------
A gzipped tar of ``manifest.json`` (the audit chain's checkpoint at the snapshot, the
audit key's fingerprint, the database kind, the time, the files and their SHA-256),
the database snapshot (``mend.sqlite3`` from SQLite's backup API, or ``mend.sql`` from
``pg_dump`` of an exported snapshot) and ``files/``: every stored file the snapshot's
rows name, and only those. Every member is readable by its owner only.

How it is encrypted
-------------------
Backups leave the building, so the tar is encrypted as it is written, in chunks, with
AES-256-GCM from the ``cryptography`` library: no part of an archive is ever held in
memory whole. The key is derived from ``BACKUP_PASSPHRASE`` with scrypt and a random
salt per archive. The file is

    header:  b"MEND-BACKUP\\x00" | version (1) | log2 N, r, p of scrypt (3) | salt (16)
             | nonce prefix (7)
    chunks:  length of the sealed chunk (4, big-endian) | sealed chunk

Each chunk is at most ``CHUNK`` bytes of the tar, sealed with the nonce ``prefix |
chunk number (4) | 1 for the last chunk, else 0`` and the header as associated data
(the STREAM construction): a chunk that is changed, moved, dropped, or an archive cut
short or extended, is refused before anything is restored.

Restoring
---------
``restore`` decrypts and unpacks into a folder of its own, checks the manifest, that
the audit key is the one the chain was written with, that the chain verifies in the
copy and ends at the manifest's checkpoint, and that every file the copy names is
there with its SHA-256, and only then replaces anything: never an instance that holds
data, unless asked (``force``), and then the replaced database and files are kept
beside the new ones.
"""

import hashlib
import io
import json
import os
import re
import secrets
import shutil
import sqlite3
import struct
import subprocess  # nosec B404
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse, urlunparse

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from flask import current_app

from rj import audit, db, files, instance
from rj.clock import utcnow
from rj.refusals import Refused

FORMAT = 1
MAGIC = b"MEND-BACKUP\x00"
VERSION = 1
CHUNK = 1024 * 1024
# scrypt at N = 2**15, r = 8: 32 MB of memory and a tenth of a second, per archive.
SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P = 15, 8, 1
PASSPHRASE_MIN_LENGTH = 12
_HEADER = struct.Struct(">12sBBBB16s7s")
_LENGTH = struct.Struct(">I")

SQLITE_SNAPSHOT, POSTGRES_SNAPSHOT = "mend.sqlite3", "mend.sql"
FILES = "files"
MANIFEST = "manifest.json"


# --- Encryption ------------------------------------------------------------------------


def _key(passphrase, salt, log2_n=SCRYPT_LOG2_N, r=SCRYPT_R, p=SCRYPT_P):
    if not 10 <= log2_n <= 20 or not 1 <= r <= 32 or not 1 <= p <= 16:
        raise Refused("This archive asks for key settings Mend does not use: it is damaged.")
    kdf = Scrypt(salt=salt, length=32, n=2**log2_n, r=r, p=p)
    return kdf.derive(passphrase.encode("utf-8"))


def _nonce(prefix, number, last):
    return prefix + struct.pack(">IB", number, 1 if last else 0)


class EncryptingWriter(io.RawIOBase):
    """A file-like object that seals what is written to it, chunk by chunk, into ``raw``.
    ``finish()`` seals the last chunk; an archive without it is refused as cut short."""

    def __init__(self, raw, passphrase):
        super().__init__()
        salt, self._prefix = secrets.token_bytes(16), secrets.token_bytes(7)
        self._header = _HEADER.pack(
            MAGIC, VERSION, SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P, salt, self._prefix
        )
        self._aead = AESGCM(_key(passphrase, salt))
        self._raw, self._buffer, self._number = raw, bytearray(), 0
        raw.write(self._header)

    def writable(self):
        return True

    def write(self, data):
        self._buffer += data
        # Keep at least one byte back, so that the last chunk is always sealed as the last.
        while len(self._buffer) > CHUNK:
            self._seal(bytes(self._buffer[:CHUNK]), last=False)
            del self._buffer[:CHUNK]
        return len(data)

    def _seal(self, plain, last):
        sealed = self._aead.encrypt(_nonce(self._prefix, self._number, last), plain, self._header)
        self._raw.write(_LENGTH.pack(len(sealed)) + sealed)
        self._number += 1

    def finish(self):
        self._seal(bytes(self._buffer), last=True)
        self._buffer.clear()


class DecryptingReader(io.RawIOBase):
    """A file-like object that reads an archive sealed by ``EncryptingWriter``: each chunk
    is opened (and so checked) before any of it is returned."""

    def __init__(self, raw, passphrase):
        super().__init__()
        header = raw.read(_HEADER.size)
        if len(header) < _HEADER.size or not header.startswith(MAGIC):
            raise Refused("This is not a Mend backup (or not an encrypted one).")
        _, version, log2_n, r, p, salt, self._prefix = _HEADER.unpack(header)
        if version != VERSION:
            raise Refused(f"This backup was written in format {version}, which Mend cannot read.")
        self._header = header
        self._aead = AESGCM(_key(passphrase, salt, log2_n, r, p))
        self._raw, self._plain, self._number, self._done = raw, b"", 0, False

    def readable(self):
        return True

    def _next_chunk(self):
        length = self._raw.read(_LENGTH.size)
        if len(length) < _LENGTH.size:
            raise Refused("The backup is cut short: it ends before its last part.")
        (size,) = _LENGTH.unpack(length)
        if size > CHUNK + 16:
            raise Refused("The backup is damaged: a part of it is longer than any Mend writes.")
        sealed = self._raw.read(size)
        if len(sealed) < size:
            raise Refused("The backup is cut short: it ends in the middle of a part.")
        for last in (False, True):
            nonce = _nonce(self._prefix, self._number, last)
            try:
                plain = self._aead.decrypt(nonce, sealed, self._header)
            except InvalidTag:
                continue
            self._number += 1
            if last:
                self._done = True
                if self._raw.read(1):
                    raise Refused("The backup is damaged: something was added after its end.")
            return plain
        if self._number == 0:
            raise Refused(
                "This passphrase does not open the backup (or the backup was changed). "
                "Use the BACKUP_PASSPHRASE it was written with."
            )
        raise Refused(f"The backup is damaged: part {self._number + 1} was changed or moved.")

    def readinto(self, buffer):
        while not self._plain and not self._done:
            self._plain = self._next_chunk()
        n = min(len(buffer), len(self._plain))
        buffer[:n] = self._plain[:n]
        self._plain = self._plain[n:]
        return n


def passphrase_setting():
    """The configured passphrase, or None."""
    return current_app.config.get("BACKUP_PASSPHRASE") or None


def check_passphrase(passphrase):
    if not passphrase:
        raise Refused(
            "Backups are encrypted: set MEND_BACKUP_PASSPHRASE (at least "
            f"{PASSPHRASE_MIN_LENGTH} characters; python3 -c 'import secrets; "
            "print(secrets.token_urlsafe(24))' prints one) and keep a copy of it away "
            "from the server and the backups."
        )
    if len(passphrase) < PASSPHRASE_MIN_LENGTH:
        raise Refused(
            f"The backup passphrase is too short: use at least {PASSPHRASE_MIN_LENGTH} characters."
        )


# --- Writing a backup ------------------------------------------------------------------


@dataclass
class Written:
    path: Path
    records: int
    checkpoint: str | None
    files: int
    missing: list
    size: int


def write(path, passphrase):
    """Write an encrypted backup of the database and the stored files to ``path`` (a new
    file, readable by its owner only). A backup that fails leaves no file behind."""
    path = Path(path)
    check_passphrase(passphrase)
    if path.exists() or path.is_symlink():
        raise Refused(f"{path} already exists; choose a new file name.")
    if not path.parent.is_dir():
        raise Refused(f"The folder {path.parent} does not exist.")
    with tempfile.TemporaryDirectory(prefix="mend-backup-") as tmp:
        snapshot = Path(tmp) / (SQLITE_SNAPSHOT if db.is_sqlite() else POSTGRES_SNAPSHOT)
        if db.is_sqlite():
            records, checkpoint = _sqlite_snapshot(snapshot)
            named = _sqlite_files(snapshot)
        else:
            records, checkpoint = _pg_dump(snapshot)
            named = _pg_files(snapshot)
        folder = files.upload_folder()
        present = {name: sha for name, sha in named.items() if (folder / name).is_file()}
        missing = sorted(set(named) - set(present))
        manifest = {
            "format": FORMAT,
            "created_at": utcnow().isoformat(timespec="seconds") + "Z",
            "database": "sqlite" if db.is_sqlite() else "postgresql",
            "snapshot": snapshot.name,
            "audit": {
                "records": records,
                "checkpoint": checkpoint,
                "key_fingerprint": audit.key_fingerprint(),
            },
            # A file named by the snapshot but gone from the folder was deleted after the
            # snapshot (a redaction): restoring brings back its row, not the file.
            "files": {"stored": len(present), "missing": missing},
        }
        fd = instance.create_private_file(path)
        try:
            with os.fdopen(fd, "wb") as raw:
                sealed = EncryptingWriter(raw, passphrase)
                with tarfile.open(fileobj=sealed, mode="w|gz") as archive:
                    _add_bytes(archive, MANIFEST, json.dumps(manifest, indent=2).encode() + b"\n")
                    archive.add(snapshot, arcname=snapshot.name, filter=_private_member)
                    _add_folder(archive, FILES)
                    for name in sorted(present):
                        archive.add(
                            folder / name, arcname=f"{FILES}/{name}", filter=_private_member
                        )
                sealed.finish()
                raw.flush()
                os.fsync(raw.fileno())
        except BaseException:
            path.unlink(missing_ok=True)
            raise
    return Written(path, records, checkpoint, len(present), missing, path.stat().st_size)


def _private_member(member):
    """Every member of a backup is readable by its owner only, whatever it was on disk."""
    member.mode = instance.FOLDER_MODE if member.isdir() else instance.FILE_MODE
    member.uid = member.gid = 0
    member.uname = member.gname = ""
    return member


def _add_bytes(archive, name, data):
    member = tarfile.TarInfo(name)
    member.size, member.mtime, member.mode = len(data), int(time.time()), instance.FILE_MODE
    archive.addfile(member, io.BytesIO(data))


def _add_folder(archive, name):
    member = tarfile.TarInfo(name)
    member.type, member.mtime, member.mode = tarfile.DIRTYPE, int(time.time()), instance.FOLDER_MODE
    archive.addfile(member)


def _sqlite_snapshot(target):
    """Copy the database with SQLite's backup API; the audit chain's record count and
    checkpoint as the copy holds them."""
    source = sqlite3.connect(db.database.obj.database)
    try:
        os.close(instance.create_private_file(target))
        dest = sqlite3.connect(target)
        with dest:
            source.backup(dest)
        count, last = dest.execute("SELECT COUNT(*), MAX(id) FROM audit_record").fetchone()
        row = dest.execute("SELECT id, hash FROM audit_record WHERE id = ?", (last,)).fetchone()
        dest.close()
    finally:
        source.close()
    return count, f"{row[0]}:{row[1]}" if row else None


def _sqlite_files(snapshot):
    """{stored name: SHA-256} of every file the snapshot's rows name (not redacted)."""
    copy = sqlite3.connect(f"file:{snapshot}?mode=ro", uri=True)
    try:
        rows = copy.execute(
            "SELECT f.stored_name, f.sha256 FROM entry_file f JOIN entry e ON e.id = f.entry_id"
            " WHERE e.redacted_at IS NULL"
        ).fetchall()
    finally:
        copy.close()
    return dict(rows)


def _pg_tool(name):
    path = shutil.which(name)
    if path is None:
        raise Refused(f"{name} is not installed; install PostgreSQL's client tools.")
    return path


def _pg_connection():
    """The database URL without its password, and an environment that carries it (so it
    never shows in the list of processes)."""
    url = current_app.config["DATABASE_URL"]
    parts = urlparse(url)
    env = dict(os.environ)
    if parts.password:
        env["PGPASSWORD"] = parts.password
        netloc = parts.netloc.rsplit("@", 1)
        user = netloc[0].split(":", 1)[0]
        parts = parts._replace(netloc=f"{user}@{netloc[1]}")
    return urlunparse(parts), env


def _pg_dump(target):
    """Dump the database with pg_dump, from a snapshot exported by a transaction that
    reads the audit chain's record count and checkpoint in the same snapshot."""
    from rj.models import AuditRecord

    pg_dump = _pg_tool("pg_dump")
    url, env = _pg_connection()
    with db.connected(), db.database.atomic():
        db.database.execute_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        snapshot = db.database.execute_sql("SELECT pg_export_snapshot()").fetchone()[0]
        count = AuditRecord.select().count()
        last = AuditRecord.select(AuditRecord.id, AuditRecord.hash).order_by(AuditRecord.id.desc())
        last = last.first()
        os.close(instance.create_private_file(target))
        # A fixed program and argument list; the URL comes from our own settings.
        result = subprocess.run(  # noqa: S603  # nosec B603
            [pg_dump, "--no-owner", "--no-privileges", "--snapshot", snapshot,
             "--file", str(target), url],
            capture_output=True, text=True, check=False, env=env,
        )  # fmt: skip
    if result.returncode != 0:
        raise Refused(f"pg_dump failed: {result.stderr.strip()}")
    return count, f"{last.id}:{last.hash}" if last else None


def _pg_files(dump):
    redacted = {
        row["id"] for row in copy_rows(dump, "entry") if row["redacted_at"] is not None
    }  # fmt: skip
    return {
        row["stored_name"]: row["sha256"]
        for row in copy_rows(dump, "entry_file")
        if int(row["entry_id"]) not in redacted
    }


# --- Reading a plain pg_dump ------------------------------------------------------------

_COPY = re.compile(r"^COPY public\.(\w+) \((.*)\) FROM stdin;$")
_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\"}


def _unescape(value):
    if value == "\\N":
        return None
    if "\\" not in value:
        return value

    def one(match):
        text = match.group(1)
        if text in _ESCAPES:
            return _ESCAPES[text]
        if text[0] == "x":
            return chr(int(text[1:], 16))
        if text[0].isdigit():
            return chr(int(text, 8))
        return text

    return re.sub(r"\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)", one, value)


def copy_rows(dump, table):
    """The rows of ``table`` in a plain pg_dump, as {column: text or None}, one at a time."""
    with open(dump, encoding="utf-8") as lines:
        columns = None
        for line in lines:
            line = line.rstrip("\n")
            if columns is None:
                match = _COPY.match(line)
                if match and match.group(1) == table:
                    columns = [c.strip().strip('"') for c in match.group(2).split(",")]
                continue
            if line == "\\.":
                return
            yield dict(zip(columns, (_unescape(v) for v in line.split("\t")), strict=True))


def _in_id_order(dump, table):
    """The rows of ``table`` in a plain pg_dump, in id order. A dump gives them in the
    order they lie in the table's pages, which updates change; they are sorted in a
    SQLite file beside the dump, so memory stays small however many there are."""
    sorter_path = dump.with_name(f"{table}.sort.sqlite3")
    sorter = sqlite3.connect(sorter_path)
    try:
        sorter.execute("CREATE TABLE row (id INTEGER PRIMARY KEY, data TEXT NOT NULL)")
        batch = []
        for row in copy_rows(dump, table):
            batch.append((int(row["id"]), json.dumps(row)))
            if len(batch) >= 5000:
                sorter.executemany("INSERT INTO row VALUES (?, ?)", batch)
                batch.clear()
        sorter.executemany("INSERT INTO row VALUES (?, ?)", batch)
        for (data,) in sorter.execute("SELECT data FROM row ORDER BY id"):
            yield json.loads(data)
    finally:
        sorter.close()
        sorter_path.unlink(missing_ok=True)


# --- Restoring -------------------------------------------------------------------------


@dataclass
class Restored:
    manifest: dict
    records: int
    checkpoint: str | None
    files: int
    kept_aside: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    replaced: bool = False


def holds_data():
    """Whether this instance holds anything a restore would replace: accounts, cases or
    audit records in the database, or stored files."""
    from rj.models import AuditRecord, Case, User

    with db.connected():
        tables = set(db.database.get_tables())
        for model in (User, Case, AuditRecord):
            if model._meta.table_name in tables and model.select().exists():
                return True
    return any(_stored_files(files.upload_folder()))


def _stored_files(folder):
    try:
        with os.scandir(folder) as found:
            return [e.name for e in found if not e.name.startswith(files.STAGED_PREFIX)]
    except FileNotFoundError:
        return []


def restore(archive, passphrase, force=False, check_only=False):
    """Check the backup ``archive`` and, unless ``check_only``, put it in place of this
    instance's database and files. Refused (nothing replaced) when the archive does not
    open, does not verify, or the instance holds data and ``force`` is not given."""
    archive = Path(archive)
    if not archive.is_file():
        raise Refused(f"There is no file {archive}.")
    if not passphrase:
        raise Refused("Give the passphrase the backup was written with.")
    # A restore stopped before it could tidy up (killed, the power cut) left decrypted
    # data in its folder: removed before anything else.
    for leftover in Path(current_app.instance_path).glob("restore-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    staging = instance.private_folder(
        Path(current_app.instance_path) / f"restore-{secrets.token_hex(4)}"
    )
    try:
        _unpack(archive, passphrase, staging)
        manifest = _checked_manifest(staging)
        snapshot = staging / manifest["snapshot"]
        verification = _verify_copy(snapshot, manifest)
        stored = _check_files(staging / FILES, snapshot, manifest)
        result = Restored(manifest, verification.records, verification.checkpoint, stored)
        for name in manifest["files"]["missing"]:
            result.warnings.append(
                f"The file {name} was deleted after the snapshot (a redaction): "
                "its entry comes back without it."
            )
        if check_only:
            return result
        _refuse_while_serving()
        holds = holds_data()
        if holds and not force:
            raise Refused(
                "This instance already holds data (accounts, cases, audit records or files). "
                "Restore into an empty one, or pass --force to replace it: what is there now "
                "is kept beside it."
            )
        # What is there now is kept beside what replaces it, when it holds anything.
        stamp = utcnow().strftime("%Y%m%dT%H%M%SZ") if holds else None
        if db.is_sqlite():
            result.kept_aside += _replace_sqlite(snapshot, stamp)
        else:
            result.kept_aside += _replace_postgres(snapshot, stamp)
        result.kept_aside += _replace_files(staging / FILES, stamp)
        result.replaced = True
        _after_restore(manifest, result)
        return result
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _unpack(archive, passphrase, staging):
    with open(archive, "rb") as raw:
        opened = io.BufferedReader(DecryptingReader(raw, passphrase), buffer_size=CHUNK)
        try:
            with tarfile.open(fileobj=opened, mode="r|gz") as tar:
                for member in tar:
                    name = member.name
                    top = name.split("/", 1)[0]
                    allowed = name in (MANIFEST, SQLITE_SNAPSHOT, POSTGRES_SNAPSHOT) or top == FILES
                    if not allowed or not (member.isfile() or member.isdir()):
                        raise Refused(f"The backup holds something Mend never writes: {name!r}.")
                    tar.extract(member, staging, filter="data")
        except (tarfile.TarError, EOFError, OSError) as exc:
            raise Refused(f"The backup could not be unpacked: {exc}.") from None
    for path in staging.rglob("*"):
        os.chmod(path, instance.FOLDER_MODE if path.is_dir() else instance.FILE_MODE)


def _checked_manifest(staging):
    try:
        manifest = json.loads((staging / MANIFEST).read_text())
        kind, snapshot = manifest["database"], manifest["snapshot"]
        manifest["audit"]["key_fingerprint"]
    except (OSError, ValueError, KeyError, TypeError):
        raise Refused(
            "The backup has no readable manifest.json: it is not a Mend backup."
        ) from None
    manifest.setdefault("files", {"stored": None, "missing": []})
    if manifest.get("format") != FORMAT:
        raise Refused(f"This backup was written in format {manifest.get('format')!r}.")
    here = "sqlite" if db.is_sqlite() else "postgresql"
    if kind != here:
        names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
        raise Refused(
            f"This backup holds a {names.get(kind, kind)} database, and this Mend runs on "
            f"{names[here]}: set DATABASE_URL to match it."
        )
    expected = SQLITE_SNAPSHOT if kind == "sqlite" else POSTGRES_SNAPSHOT
    if snapshot != expected or not (staging / snapshot).is_file():
        raise Refused("The backup's database snapshot is missing.")
    theirs, ours = manifest["audit"]["key_fingerprint"], audit.key_fingerprint()
    if theirs != ours:
        raise Refused(
            f"The backup's audit chain was written with another audit key (fingerprint {theirs});"
            f" this Mend has {ours}. Give it the key of the instance that was backed up"
            " (MEND_AUDIT_KEY, or the file instance/audit_key on SQLite, in place of the one"
            " generated here): without it the chain cannot be verified, and new records would"
            " break it."
        )
    return manifest


def _verify_copy(snapshot, manifest):
    """Verify the audit chain as the copy holds it, up to the manifest's checkpoint."""
    checkpoint = manifest["audit"]["checkpoint"]
    since = audit.parse_checkpoint(checkpoint) if checkpoint else None
    if snapshot.name == SQLITE_SNAPSHOT:
        copy = sqlite3.connect(f"file:{snapshot}?mode=ro", uri=True)
        try:
            if copy.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise Refused("The backup's database is damaged (SQLite's integrity check fails).")
            cursor = copy.execute(
                "SELECT id, at, actor_id, action, case_id, entry_id, details, address,"
                " prev_hash, hash FROM audit_record ORDER BY id"
            )
            columns = [c[0] for c in cursor.description]
            verification = audit.verify(
                since, rows=(dict(zip(columns, r, strict=True)) for r in cursor)
            )
        finally:
            copy.close()
    else:
        verification = audit.verify(since, rows=_in_id_order(snapshot, "audit_record"))
    if not verification.whole:
        where = f" at record {verification.broken_at}" if verification.broken_at else ""
        raise Refused(f"The backup's audit chain does not verify{where}: {verification.problem}.")
    if (
        verification.checkpoint != checkpoint
        or verification.records != manifest["audit"]["records"]
    ):
        raise Refused(
            f"The backup's audit chain ends at {verification.checkpoint} "
            f"({verification.records} records), not at the manifest's checkpoint {checkpoint}."
        )
    return verification


def _check_files(folder, snapshot, manifest):
    named = _sqlite_files(snapshot) if snapshot.name == SQLITE_SNAPSHOT else _pg_files(snapshot)
    missing = set(manifest["files"]["missing"])
    for name, sha in named.items():
        if name in missing:
            continue
        path = folder / name
        if not path.is_file():
            raise Refused(f"The backup lacks the stored file {name}, which its database names.")
        digest = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(CHUNK), b""):
                digest.update(block)
        if digest.hexdigest() != sha:
            raise Refused(
                f"The stored file {name} in the backup is not the one its database names."
            )
    return len(named) - len(missing & set(named))


def _processes_with_open(path):
    """Other processes that have ``path`` (or its -wal) open, by pid (Linux's /proc)."""
    wanted = {os.path.realpath(path), os.path.realpath(f"{path}-wal")}
    found = set()
    for fd_folder in Path("/proc").glob("[0-9]*/fd"):
        pid = int(fd_folder.parent.name)
        if pid == os.getpid():
            continue
        try:
            for fd in fd_folder.iterdir():
                if os.path.realpath(fd) in wanted:
                    found.add(pid)
                    break
        except OSError:
            continue  # gone meanwhile, or not ours to look at
    return sorted(found)


def _refuse_while_serving():
    """A server still running on SQLite would go on writing to the file set aside, and
    what it wrote would be lost: the restore waits until Mend is stopped."""
    if not db.is_sqlite():
        return
    pids = _processes_with_open(db.database.obj.database)
    if pids:
        raise Refused(
            f"Mend is still running: process {', '.join(map(str, pids))} has the database "
            "open. Stop it first (e.g. `systemctl stop mend`), then restore; nothing was "
            "replaced."
        )


def _set_aside(path, stamp):
    """Move ``path`` (and a SQLite database's -wal and -shm) aside; the new names."""
    moved = []
    for suffix in ("", "-wal", "-shm"):
        source = Path(f"{path}{suffix}")
        if source.exists():
            target = Path(f"{path}.replaced-{stamp}{suffix}")
            os.replace(source, target)
            moved.append(target)
    return moved


def _replace_sqlite(snapshot, stamp):
    target = Path(db.database.obj.database)
    with db.connected():
        db.checkpoint()  # fold the write-ahead log in, so the file set aside is whole
    db.database.close_all()
    kept = []
    if stamp:
        kept = _set_aside(target, stamp)
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.move(snapshot, target)
    os.chmod(target, instance.FILE_MODE)
    return kept[:1]


def _replace_postgres(dump, stamp):
    """Load the dump in place of Mend's tables, in one transaction: all or nothing. With
    ``stamp`` the tables there now are kept, moved to a schema of their own."""
    psql = _pg_tool("psql")
    url, env = _pg_connection()
    with db.connected():
        tables = db.database.get_tables()
        functions = [
            row[0]  # as regprocedure spells it: mend_case_tally_add(character varying, ...)
            for row in db.database.execute_sql(
                "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n"
                " ON n.oid = p.pronamespace WHERE n.nspname = 'public'"
                " AND p.proname LIKE 'mend\\_%%'"
            )
        ]
    db.database.close_all()
    kept = []
    if stamp:
        schema = f"mend_replaced_{stamp.lower()}"
        before = f'CREATE SCHEMA "{schema}";'
        before += "".join(f'ALTER TABLE public."{t}" SET SCHEMA "{schema}";' for t in tables)
        before += "".join(f'ALTER FUNCTION {f} SET SCHEMA "{schema}";' for f in functions)
        kept.append(f"the PostgreSQL schema {schema}")
    else:
        before = "".join(f'DROP TABLE IF EXISTS public."{t}" CASCADE;' for t in tables)
        before += "".join(f"DROP FUNCTION IF EXISTS {f} CASCADE;" for f in functions)
    result = subprocess.run(  # noqa: S603  # nosec B603
        [psql, "--no-psqlrc", "--quiet", "--single-transaction", "--set", "ON_ERROR_STOP=1",
         "--command", before, "--file", str(dump), url],
        capture_output=True, text=True, check=False, env=env,
    )  # fmt: skip
    if result.returncode != 0:
        raise Refused(
            f"psql could not load the backup (nothing was changed): {result.stderr.strip()}"
        )
    return kept


def _replace_files(restored, stamp):
    folder = files.upload_folder()
    kept = []
    if stamp and folder.exists():
        aside = folder.with_name(f"{folder.name}.replaced-{stamp}")
        os.replace(folder, aside)
        kept.append(aside)
    elif folder.exists():
        shutil.rmtree(folder)
    instance.private_folder(folder.parent)
    if restored.is_dir():
        shutil.move(restored, folder)
    else:
        instance.private_folder(folder)
    os.chmod(folder, instance.FOLDER_MODE)
    return kept


def _after_restore(manifest, result):
    """Bring the restored schema up to this version, check the chain again where it now
    lives, and record the restore in it."""
    db.migrate()
    since = audit.parse_checkpoint(manifest["audit"]["checkpoint"]) if result.checkpoint else None
    with db.connected():
        verification = audit.verify(since)
        if not verification.whole:
            raise Refused(
                f"The restored audit chain does not verify: {verification.problem}. "
                f"The instance that was there is kept beside it: {result.kept_aside}."
            )
        with db.write_tx():
            audit.record(
                "backup.restored",
                backup_created_at=manifest["created_at"],
                checkpoint=manifest["audit"]["checkpoint"],
            )
