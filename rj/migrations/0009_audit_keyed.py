"""The audit chain becomes keyed: seal the plain SHA-256 records written before.

No schema change. When the chain holds records and none of them is keyed, a keyed
marker record (action ``audit.keyed``) is appended after them; see rj/audit.py. It
runs once per database, so the boundary between the plain and the keyed records is
set once: after it, ``verify`` reports a chain without keyed records as rewritten.
It needs the audit key, so it runs inside the app (``mend init-db``).
"""


def up(migrator, db):
    from rj import audit
    from rj.models import AuditRecord

    with AuditRecord.bind_ctx(db):
        audit.seal()
