"""SQLAlchemy table definitions (Core). The Alembic migrations create exactly these."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    UniqueConstraint,
)

metadata = MetaData()

hall_lock = Table(
    "hall_lock",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("hall_id", String(64), nullable=False),
    comment="One row; every write transaction locks it first, so commits follow event order.",
)

number_sequences = Table(
    "number_sequences",
    metadata,
    Column("category", String(1), primary_key=True),
    Column("service_day", String(10), primary_key=True),
    Column("last_number", Integer, nullable=False),
)

tickets = Table(
    "tickets",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("token", String(32), nullable=False, unique=True),
    Column("number", String(8), nullable=False),
    Column("category", String(1), nullable=False),
    Column("service_day", String(10), nullable=False),
    Column("status", String(16), nullable=False),
    Column("issued_at", Float, nullable=False),
    Column("arrival_at", Float, nullable=False),
    Column("priority", String(16)),
    Column("due_at", Float),
    Column("person_key", String(64), comment="HMAC under the day key; NULL after retention"),
    Column("masked_name", String(64), comment="张*明, for the service day; NULL after retention"),
    Column("age_band", String(8)),
    Column("sex", String(1)),
    Column("province", String(2)),
    Column("source", String(16)),
    Column("kiosk_id", String(64)),
    Column("counter", Integer),
    Column("target_counter", Integer),
    Column("called_at", Float),
    Column("started_at", Float),
    Column("finished_at", Float),
    Column("no_show_at", Float),
    Column("call_count", Integer, nullable=False, default=0),
    Column("transferred_from", String(1)),
    Column("rating", Integer),
    UniqueConstraint("service_day", "number", name="uq_ticket_number_per_day"),
    Index("ix_tickets_queue", "service_day", "status", "category", "arrival_at"),
    Index("ix_tickets_priority", "service_day", "status", "category", "priority", "arrival_at"),
    Index("ix_tickets_target", "service_day", "status", "target_counter", "arrival_at"),
    Index("ix_tickets_person", "person_key", "service_day"),
    Index("ix_tickets_counter", "service_day", "counter", "status"),
    Index("ix_tickets_done", "category", "status", "finished_at"),
)

events = Table(
    "events",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", Float, nullable=False),
    Column("service_day", String(10), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("ticket_id", Integer),
    Column("number", String(8)),
    Column("category", String(1)),
    Column("counter", Integer),
    Column("data", JSON, nullable=False),
    Index("ix_events_day", "service_day", "seq"),
    comment="Append-only audit log: never updated, never deleted.",
)

counters = Table(
    "counters",
    metadata,
    Column("number", Integer, primary_key=True, autoincrement=False),
    Column("status", String(16), nullable=False),
    Column("changed_at", Float, nullable=False),
)

categories = Table(
    "categories",
    metadata,
    Column("code", String(1), primary_key=True),
    Column("name", String(64), nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", String(256), nullable=False),
    Column("role", String(16), nullable=False),
    Column("counter", Integer),
    Column("created_at", Float, nullable=False),
    Column("disabled", Boolean, nullable=False, default=False),
)

tokens = Table(
    "tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("counter", Integer),
    Column("label", String(128), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("revoked", Boolean, nullable=False, default=False),
    Column("expires_at", Float, comment="login tokens end (rules.login_hours); NULL: never"),
)

devices = Table(
    "devices",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("name", String(128), nullable=False),
    Column("address", String(128)),
    Column("port", Integer),
    Column("paired", Boolean, nullable=False, default=False),
    Column("last_seen", Float),
    Column("key_fp", String(64)),
    Column("public_key", String(128)),
    Column("counter", Integer),
    Column("paired_at", Float),
    Column("suspect_fp", String(64)),
    Column("suspect_address", String(128)),
    Column("suspect_at", Float),
    Column("offline_at", Float),
)

appointments = Table(
    "appointments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("person_key", String(64), comment="HMAC under the slot day's key; NULL after"),
    Column("category", String(1), nullable=False),
    Column("slot_start", Float, nullable=False),
    Column("slot_end", Float, nullable=False),
    Column("status", String(16), nullable=False),
    Column("ticket_id", Integer),
    Column("reference", String(64), nullable=False, default=""),
    Index("ix_appointments_person", "person_key", "slot_start"),
)

day_keys = Table(
    "day_keys",
    metadata,
    Column("service_day", String(10), primary_key=True),
    Column("sealed", LargeBinary(48), nullable=False),
    comment="Each day's person-key secret, sealed under the hall secret; deleted at retention.",
)

review_cases = Table(
    "review_cases",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ticket_id", Integer, nullable=False, unique=True),
    Column("number", String(8), nullable=False),
    Column("category", String(1), nullable=False),
    Column("counter", Integer),
    Column("level", Integer, nullable=False),
    Column("rated_at", Float, nullable=False),
    Column("status", String(16), nullable=False),
    Column("follow_up", String(500)),
    Column("fix", String(500)),
    Column("closed_at", Float),
    Column("closed_by", String(64)),
    Index("ix_review_cases_status", "status", "rated_at"),
    comment="好差评: a bad review opens a case; 回访 and 整改 are recorded, the manager closes it.",
)

notices = Table(
    "notices",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("text", String(500), nullable=False),
    Column("changed_at", Float, nullable=False),
    comment="The wall's notice ticker (one row).",
)

issue_requests = Table(
    "issue_requests",
    metadata,
    Column("request_id", String(64), primary_key=True),
    Column("ticket_id", Integer, nullable=False),
    Column("created_at", Float, nullable=False),
    comment="Client idempotency keys of POST /tickets: the same key returns the same ticket.",
)

kiosks = Table(
    "kiosks",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("health", JSON, nullable=False),
    Column("last_seen", Float, nullable=False),
    comment="The last health report of each kiosk (reader, printer, paper, version).",
)
