"""Tell on-call when a run fails: the gate's summary, sent where the ``zonewatch_notify``
connection points.

The connection (Airflow connection id ``zonewatch_notify``; ``AIRFLOW_CONN_ZONEWATCH_NOTIFY``
works) decides the transport:

* ``http`` / ``https``: POST JSON to ``<scheme>://host[:port]/<schema>`` (the URI path lands
  in ``schema``), e.g. ``AIRFLOW_CONN_ZONEWATCH_NOTIFY='http://hooks.local:8080/zonewatch'``;
  extra ``endpoint`` overrides the path.
* ``smtp``: one mail via ``smtplib`` to ``host:port``; extra ``to`` (comma-separated),
  optional ``from``, ``starttls``; login/password if set, e.g.
  ``AIRFLOW_CONN_ZONEWATCH_NOTIFY='smtp://mail.local:25?to=oncall%40example.com'``.

No connection: the summary is only logged. The transports (``send_webhook``,
``send_email``) are plain functions that need no Airflow.
"""

from __future__ import annotations

import json
import logging
import smtplib
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

__all__ = [
    "CONN_ID", "TaskFailure", "Target", "notify_failure", "failure_from_context", "gate_details",
    "target_from_connection", "send", "send_webhook", "send_email",
]

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())

CONN_ID = "zonewatch_notify"
SUMMARY_FILE = "summary.txt"
MAX_SUMMARY_CHARS = 20_000
TIMEOUT_S = 10.0


@dataclass(frozen=True)
class TaskFailure:
    """What on-call needs to know about one failed task."""

    dag_id: str
    task_id: str
    run_id: str
    try_number: int | None
    error: str
    summary: str | None
    report_dir: str | None
    log_url: str | None

    @property
    def subject(self) -> str:
        what = "quality gate blocked publication" if self.task_id == "gate" else "task failed"
        return f"[zonewatch] {self.dag_id}.{self.task_id} {what} ({self.run_id})"

    @property
    def body(self) -> str:
        lines = [self.subject, "", f"error: {self.error}"]
        if self.report_dir:
            lines.append(f"report: {self.report_dir}")
        if self.log_url:
            lines.append(f"log: {self.log_url}")
        lines.append("run `zonewatch failures` for the failing expectations and pages")
        if self.summary:
            lines += ["", self.summary]
        return "\n".join(lines) + "\n"

    def to_payload(self) -> dict[str, Any]:
        return {
            "text": self.subject, "dag_id": self.dag_id, "task_id": self.task_id,
            "run_id": self.run_id, "try_number": self.try_number, "error": self.error,
            "summary": self.summary, "report_dir": self.report_dir, "log_url": self.log_url,
        }


@dataclass(frozen=True)
class Target:
    """Where a notification goes: kind is 'webhook' or 'email'."""

    kind: str
    url: str | None = None
    host: str | None = None
    port: int | None = None
    sender: str | None = None
    to: tuple[str, ...] = ()
    login: str | None = None
    password: str | None = None
    starttls: bool = False


# --- transports: plain functions, no Airflow --------------------------------------------

def send_webhook(url: str, payload: Mapping[str, Any], *, timeout: float = TIMEOUT_S) -> int:
    """POST ``payload`` as JSON; return the HTTP status (non-2xx raises ``HTTPError``)."""
    data = json.dumps(payload, ensure_ascii=False, default=str).encode("utf-8")
    req = urllib.request.Request(
        url, data=data, method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": "zonewatch"},
    )
    with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 (configured URL)
        return int(resp.status)


def send_email(host: str, port: int, sender: str, to: str | list[str] | tuple[str, ...],
               subject: str, body: str, *, login: str | None = None,
               password: str | None = None, starttls: bool = False,
               timeout: float = TIMEOUT_S) -> None:
    """Send one UTF-8 plain-text mail through the SMTP server at ``host:port``."""
    parts = [to] if isinstance(to, str) else list(to)
    rcpts = [addr.strip() for part in parts for addr in part.split(",") if addr.strip()]
    if not rcpts:
        raise ValueError("send_email: no recipient")
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = ", ".join(rcpts)
    msg["Subject"] = subject
    msg.set_content(body)
    with smtplib.SMTP(host, port, timeout=timeout) as smtp:
        if starttls:
            smtp.starttls()
        if login:
            smtp.login(login, password or "")
        smtp.send_message(msg, from_addr=sender, to_addrs=rcpts)


# --- reading the failure ----------------------------------------------------------------

def gate_details(exc: BaseException | None) -> tuple[str | None, str | None]:
    """(summary_text, report_dir) carried by ``GateBlocked(summary_text, report_dir)``,
    by attribute or by position; (None, None) for any other exception."""
    if exc is None:
        return None, None
    args: tuple[Any, ...] = tuple(getattr(exc, "args", ()) or ())
    summary = next((getattr(exc, a) for a in ("summary_text", "summary")
                    if isinstance(getattr(exc, a, None), str)), None)
    if summary is None and args and isinstance(args[0], str) and len(args) >= 2:
        summary = args[0]
    report = getattr(exc, "report_dir", None)
    if report is None and len(args) >= 2 and isinstance(args[1], (str, Path)):
        report = args[1]
    return summary, (str(report) if report else None)


def _report_dir_from_xcom(ti: Any) -> str | None:
    """The run's report dir from an upstream task's XCom ``{"cfg": RunConfig dict}``."""
    upstream = sorted(getattr(getattr(ti, "task", None), "upstream_task_ids", ()) or ())
    for task_id in upstream:
        try:
            value = ti.xcom_pull(task_ids=task_id)
        except Exception:  # noqa: BLE001 - notification must not mask the real failure
            logger.warning("could not read XCom of %s", task_id, exc_info=True)
            continue
        cfg = value.get("cfg") if isinstance(value, Mapping) else None
        if isinstance(cfg, Mapping) and cfg.get("workdir") and cfg.get("run_id"):
            return str(Path(str(cfg["workdir"])) / "reports" / str(cfg["run_id"]))
    return None


def _read_summary(report_dir: str | None) -> str | None:
    if not report_dir:
        return None
    path = Path(report_dir) / SUMMARY_FILE
    try:
        return path.read_text(encoding="utf-8")[:MAX_SUMMARY_CHARS]
    except OSError:
        return None


def failure_from_context(context: Mapping[str, Any]) -> TaskFailure:
    """Build the ``TaskFailure`` from an Airflow callback context (exception, ti, XCom,
    report dir); every piece is optional."""
    exc = context.get("exception")
    ti = context.get("ti") or context.get("task_instance")
    summary, report_dir = gate_details(exc if isinstance(exc, BaseException) else None)
    gated = summary is not None
    if report_dir is None and ti is not None:
        report_dir = _report_dir_from_xcom(ti)
    if summary is None:
        summary = _read_summary(report_dir)
    dag_run = context.get("dag_run")
    if exc is None:
        error = "unknown error"
    elif gated:  # GateBlocked's args are (summary, report_dir): name it, the summary follows
        error = f"{type(exc).__name__}: the quality gate blocked publication"
    else:
        error = f"{type(exc).__name__}: {exc}"[:2000]
    return TaskFailure(
        dag_id=str(getattr(ti, "dag_id", None) or getattr(dag_run, "dag_id", "") or "?"),
        task_id=str(getattr(ti, "task_id", None) or "?"),
        run_id=str(context.get("run_id") or getattr(ti, "run_id", None) or "?"),
        try_number=getattr(ti, "try_number", None),
        error=error,
        summary=summary[:MAX_SUMMARY_CHARS] if summary else None,
        report_dir=report_dir,
        log_url=getattr(ti, "log_url", None),
    )


# --- where to send ----------------------------------------------------------------------

def target_from_connection(conn: Any) -> Target:
    """Turn an Airflow ``Connection`` (or anything with its attributes) into a ``Target``."""
    conn_type = (getattr(conn, "conn_type", None) or "").lower()
    extra = getattr(conn, "extra_dejson", None) or {}
    host = getattr(conn, "host", None) or ""
    port = getattr(conn, "port", None)
    if conn_type in {"http", "https"}:
        if "://" in host:  # full base URL in host (as HttpHook allows)
            base = host.rstrip("/")
        else:
            scheme = extra.get("scheme") or conn_type
            base = f"{scheme}://{host}" + (f":{port}" if port else "")
        path = str(extra.get("endpoint") or getattr(conn, "schema", None) or "").lstrip("/")
        return Target(kind="webhook", url=f"{base}/{path}" if path else base + "/")
    if conn_type in {"smtp", "email"}:
        to = extra.get("to") or extra.get("to_address") or ""
        to_list = tuple(a.strip() for a in (to if isinstance(to, list) else str(to).split(","))
                        if a.strip())
        if not to_list:
            raise ValueError(f"connection {CONN_ID}: smtp needs extra 'to'")
        login = getattr(conn, "login", None)
        sender = extra.get("from") or extra.get("from_email") or login or "zonewatch@localhost"
        return Target(
            kind="email", host=host or "localhost", port=int(port or 25), sender=str(sender),
            to=to_list, login=login, password=getattr(conn, "password", None),
            starttls=str(extra.get("starttls", "")).lower() in {"1", "true", "yes", "on"},
        )
    raise ValueError(f"connection {CONN_ID}: conn_type {conn_type!r} is not http or smtp")


def _load_connection(conn_id: str) -> Any | None:
    """The Airflow connection, or None when it is not configured."""
    try:
        from airflow.sdk import Connection
        from airflow.sdk.exceptions import AirflowNotFoundException
    except ImportError:
        logger.info("Airflow not importable: no %s connection, logging only", conn_id)
        return None
    try:
        return Connection.get(conn_id)
    except AirflowNotFoundException:
        logger.info("no %s connection configured: logging only", conn_id)
    except Exception:  # noqa: BLE001 - a broken secrets backend must not hide the failure
        logger.exception("could not read connection %s: logging only", conn_id)
    return None


def send(target: Target, failure: TaskFailure) -> None:
    if target.kind == "webhook" and target.url:
        status = send_webhook(target.url, failure.to_payload())
        logger.info("failure sent to webhook %s (HTTP %s)", target.url, status)
    elif target.kind == "email" and target.host:
        send_email(target.host, target.port or 25, target.sender or "zonewatch@localhost",
                   target.to, failure.subject, failure.body, login=target.login,
                   password=target.password, starttls=target.starttls)
        logger.info("failure mailed to %s via %s:%s", ", ".join(target.to), target.host,
                    target.port)
    else:
        raise ValueError(f"incomplete notify target: {target}")


def notify_failure(context: Mapping[str, Any], conn_id: str = CONN_ID) -> TaskFailure:
    """``on_failure_callback``: log the failure and its gate summary, then send them to
    the configured notifier. Never raises: a broken notifier is logged, not propagated."""
    failure = failure_from_context(context)
    logger.error("%s", failure.body)
    conn = _load_connection(conn_id)
    if conn is None:
        return failure
    try:
        send(target_from_connection(conn), failure)
    except Exception:  # noqa: BLE001 - the task already failed; say why the alert did not go
        logger.exception("could not send the failure notification via %s", conn_id)
    return failure
