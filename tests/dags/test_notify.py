"""Failure notifications: webhook to a local HTTP server, mail to a local SMTP sink.

Both servers bind 127.0.0.1 on a free port, run in a daemon thread and are shut down when
the test ends. No network, no sleeps: each test waits on the server's own event.
"""

from __future__ import annotations

import json
import socketserver
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest

from ingest.ops import notify
from ingest.ops.notify import (
    Target,
    failure_from_context,
    gate_details,
    notify_failure,
    send_email,
    send_webhook,
    target_from_connection,
)

HOST = "127.0.0.1"
WAIT_S = 10.0


# --- a webhook receiver -----------------------------------------------------------------

@dataclass
class Hook:
    url: str
    requests: list[tuple[str, dict, dict]] = field(default_factory=list)
    got: threading.Event = field(default_factory=threading.Event)
    status: int = 204


@pytest.fixture
def webhook() -> Iterator[Hook]:
    hook = Hook(url="")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            return

        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            hook.requests.append((self.path, dict(self.headers), json.loads(body)))
            self.send_response(hook.status)
            self.send_header("Content-Length", "0")
            self.end_headers()
            hook.got.set()

    httpd = ThreadingHTTPServer((HOST, 0), Handler)
    httpd.daemon_threads = True
    hook.url = f"http://{HOST}:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield hook
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(WAIT_S)


# --- a tiny SMTP sink (aiosmtpd is not a dependency) -------------------------------------

@dataclass
class Mail:
    sender: str
    rcpts: list[str]
    data: bytes

    @property
    def message(self):
        return message_from_bytes(self.data, policy=policy.default)


@dataclass
class SmtpSink:
    host: str
    port: int
    mails: list[Mail] = field(default_factory=list)
    got: threading.Event = field(default_factory=threading.Event)


def _smtp_handler(sink: SmtpSink) -> type[socketserver.StreamRequestHandler]:
    class Handler(socketserver.StreamRequestHandler):
        timeout = WAIT_S

        def reply(self, line: str) -> None:
            self.wfile.write(line.encode() + b"\r\n")

        def handle(self) -> None:
            self.reply("220 sink ESMTP")
            sender, rcpts = "", []
            while line := self.rfile.readline():
                cmd = line.decode("utf-8", "replace").strip()
                verb = cmd.split(" ", 1)[0].upper()
                if verb in {"EHLO", "HELO"}:
                    self.reply("250 sink")
                elif verb == "MAIL":
                    sender, rcpts = cmd.split(":", 1)[1].strip().split()[0].strip("<>"), []
                    self.reply("250 OK")
                elif verb == "RCPT":
                    rcpts.append(cmd.split(":", 1)[1].strip().strip("<>"))
                    self.reply("250 OK")
                elif verb == "DATA":
                    self.reply("354 end with <CRLF>.<CRLF>")
                    chunks = []
                    while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                        chunks.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                    sink.mails.append(Mail(sender, rcpts, b"".join(chunks)))
                    self.reply("250 queued")
                    sink.got.set()
                elif verb in {"RSET", "NOOP"}:
                    self.reply("250 OK")
                elif verb == "QUIT":
                    self.reply("221 bye")
                    return
                else:
                    self.reply("502 not implemented")

    return Handler


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink(HOST, 0)
    server = socketserver.ThreadingTCPServer((HOST, 0), _smtp_handler(sink))
    sink.port = server.server_address[1]
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield sink
    finally:
        server.shutdown()
        server.server_close()
        thread.join(WAIT_S)


# --- a gate failure as Airflow hands it to the callback ---------------------------------

class GateBlocked(Exception):
    """Shaped like ingest.pipeline.GateBlocked(summary_text, report_dir)."""

    def __init__(self, summary_text: str, report_dir: str) -> None:
        super().__init__(summary_text, report_dir)


SUMMARY = "质量闸门: 2 项阻断性检查未通过\nfct_investment.value not null: 3 rows\n"


def _ti(xcom: dict | None = None, task_id: str = "gate"):
    return SimpleNamespace(
        dag_id="zonewatch_pipeline", task_id=task_id, run_id="manual__2025-06-01",
        try_number=1, log_url="http://airflow.local/log",
        task=SimpleNamespace(upstream_task_ids={"dbt_build"}),
        xcom_pull=lambda task_ids=None: xcom,
    )


# --- transports -------------------------------------------------------------------------

def test_send_webhook_posts_json(webhook):
    status = send_webhook(webhook.url + "/hooks/zw", {"text": "门控失败", "n": 2})
    assert webhook.got.wait(WAIT_S)
    assert status == 204
    path, headers, payload = webhook.requests[0]
    assert path == "/hooks/zw"
    assert headers["Content-Type"].startswith("application/json")
    assert payload == {"text": "门控失败", "n": 2}


def test_send_webhook_raises_on_server_error(webhook):
    import urllib.error

    webhook.status = 500
    with pytest.raises(urllib.error.HTTPError):
        send_webhook(webhook.url + "/x", {"a": 1})


def test_send_email_delivers_utf8_mail(smtp_sink):
    send_email(smtp_sink.host, smtp_sink.port, "zonewatch@example.org",
               "oncall@example.org, data@example.org", "[zonewatch] gate blocked", SUMMARY)
    assert smtp_sink.got.wait(WAIT_S)
    mail = smtp_sink.mails[0]
    assert mail.sender == "zonewatch@example.org"
    assert mail.rcpts == ["oncall@example.org", "data@example.org"]
    msg = mail.message
    assert msg["Subject"] == "[zonewatch] gate blocked"
    assert "质量闸门" in msg.get_content()


# --- reading the failure ----------------------------------------------------------------

def test_gate_details_positional_and_attributes():
    assert gate_details(GateBlocked("s", "/r")) == ("s", "/r")
    e = RuntimeError("boom")
    assert gate_details(e) == (None, None)
    e2 = Exception()
    e2.summary_text, e2.report_dir = "t", "/q"  # type: ignore[attr-defined]
    assert gate_details(e2) == ("t", "/q")


def test_failure_from_exception(tmp_path):
    f = failure_from_context({"exception": GateBlocked(SUMMARY, str(tmp_path)), "ti": _ti(),
                              "run_id": "manual__2025-06-01"})
    assert f.summary == SUMMARY and f.report_dir == str(tmp_path)
    assert f.task_id == "gate" and "gate blocked" in f.subject
    assert SUMMARY in f.body and str(tmp_path) in f.body and "zonewatch failures" in f.body


def test_failure_summary_from_report_dir_via_xcom(tmp_path):
    report = tmp_path / "reports" / "run1"
    report.mkdir(parents=True)
    (report / "summary.txt").write_text(SUMMARY, encoding="utf-8")
    xcom = {"cfg": {"workdir": str(tmp_path), "run_id": "run1"}, "result": {}}
    f = failure_from_context({"exception": RuntimeError("GX crashed"), "ti": _ti(xcom)})
    assert f.report_dir == str(report)
    assert f.summary == SUMMARY
    assert f.error == "RuntimeError: GX crashed"


def test_failure_without_anything():
    f = failure_from_context({})
    assert f.summary is None and f.error == "unknown error"


# --- connections ------------------------------------------------------------------------

def _conn(**kw):
    base = {"conn_type": "http", "host": None, "port": None, "schema": None, "login": None,
            "password": None, "extra_dejson": {}}
    return SimpleNamespace(**{**base, **kw})


def test_target_http():
    t = target_from_connection(_conn(host="hooks.local", port=8080, schema="zonewatch/alert"))
    assert t == Target(kind="webhook", url="http://hooks.local:8080/zonewatch/alert")
    t = target_from_connection(_conn(conn_type="https", host="hooks.local"))
    assert t.url == "https://hooks.local/"
    t = target_from_connection(_conn(host="https://h.example/base",
                                     extra_dejson={"endpoint": "/a"}))
    assert t.url == "https://h.example/base/a"


def test_target_smtp():
    t = target_from_connection(_conn(conn_type="smtp", host="mail", port=2525,
                                     extra_dejson={"to": "a@x.org,b@x.org", "from": "z@x.org"}))
    assert (t.kind, t.host, t.port, t.to, t.sender) == ("email", "mail", 2525,
                                                       ("a@x.org", "b@x.org"), "z@x.org")
    with pytest.raises(ValueError, match="to"):
        target_from_connection(_conn(conn_type="smtp", host="mail"))
    with pytest.raises(ValueError, match="conn_type"):
        target_from_connection(_conn(conn_type="postgres", host="db"))


# --- the callback end to end, connection from the environment ---------------------------

def test_notify_failure_webhook_from_env_connection(webhook, monkeypatch, tmp_path):
    monkeypatch.setenv("AIRFLOW_CONN_ZONEWATCH_NOTIFY", webhook.url + "/hooks/zonewatch")
    notify_failure({"exception": GateBlocked(SUMMARY, str(tmp_path)), "ti": _ti()})
    assert webhook.got.wait(WAIT_S)
    path, _, payload = webhook.requests[0]
    assert path == "/hooks/zonewatch"
    assert payload["summary"] == SUMMARY
    assert payload["report_dir"] == str(tmp_path)
    assert payload["dag_id"] == "zonewatch_pipeline" and payload["task_id"] == "gate"


def test_notify_failure_email_from_env_connection(smtp_sink, monkeypatch, tmp_path):
    monkeypatch.setenv("AIRFLOW_CONN_ZONEWATCH_NOTIFY", json.dumps({
        "conn_type": "smtp", "host": smtp_sink.host, "port": smtp_sink.port,
        "extra": {"to": "oncall@example.org", "from": "zonewatch@example.org"}}))
    notify_failure({"exception": GateBlocked(SUMMARY, str(tmp_path)), "ti": _ti()})
    assert smtp_sink.got.wait(WAIT_S)
    msg = smtp_sink.mails[0].message
    assert smtp_sink.mails[0].rcpts == ["oncall@example.org"]
    assert "gate blocked" in msg["Subject"]
    assert "质量闸门" in msg.get_content()


def test_notify_failure_without_connection_only_logs(monkeypatch, caplog):
    monkeypatch.delenv("AIRFLOW_CONN_ZONEWATCH_NOTIFY", raising=False)
    sent = []
    monkeypatch.setattr(notify, "send", lambda *a: sent.append(a))
    with caplog.at_level("INFO", logger="ingest.ops.notify"):
        f = notify_failure({"exception": GateBlocked(SUMMARY, "/r"), "ti": _ti()})
    assert sent == [] and f.summary == SUMMARY
    assert "质量闸门" in caplog.text


def test_notify_failure_never_raises_when_the_notifier_is_down(monkeypatch, caplog):
    # a port nobody listens on: bind, note the port, close
    import socket

    with socket.socket() as s:
        s.bind((HOST, 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("AIRFLOW_CONN_ZONEWATCH_NOTIFY", f"http://{HOST}:{port}/x")
    f = notify_failure({"exception": GateBlocked(SUMMARY, "/r"), "ti": _ti()})
    assert f.summary == SUMMARY
    assert "could not send the failure notification" in caplog.text
