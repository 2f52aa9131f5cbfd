""" "Test connection" speaks the person's language: every stage's sentence and the summary.

The panel is driven against real failures on loopback (a closed port, plain HTTP where TLS is
expected, a reserved `.invalid` name the resolver here cannot find, a proxy that refuses or
blocks, self-signed and expired certificates, a server that drops the web request, a key the
sandbox refuses) and the success path. In Simplified Chinese every row's tooltip and the
summary have no English sentence; in English they are the check's own words, exactly.
"""

from __future__ import annotations

import html
import re
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication, QToolTip
from pytestqt.qtbot import QtBot

from get3w_desktop.api.connection_test import ConnectionReport, Outcome, Stage
from get3w_desktop.core import connection_messages as sentences
from get3w_desktop.core.messages import Code, Message, http_refused
from get3w_desktop.core.proxy import NO_PROXY, ProxyConfig, describe_route
from get3w_desktop.sandbox import SandboxServer
from get3w_desktop.storage.settings import Profile
from get3w_desktop.ui import i18n
from get3w_desktop.ui.connection_panel import TIP_WIDTH, ConnectionPanel
from get3w_desktop.ui.connection_texts import CONNECTION_TEXTS
from get3w_desktop.ui.messages import render
from get3w_desktop.ui.profile_editor import ProfileEditor
from get3w_desktop.workers.connection import ConnectionTester
from tests.api.proxy_support import ConnectProxy, TLSRelay, issue
from tests.ui.test_chinese_sweep import english_in

API = "https://api.get3w.test"
WRONG_KEY = "sk_wrong_0123456789abcdef"


@pytest.fixture(autouse=True)
def no_proxy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


@pytest.fixture
def chinese(qapp: QApplication) -> Iterator[QApplication]:
    assert i18n.install_language(qapp, "zh_CN") == "zh_CN"
    yield qapp
    i18n.install_language(qapp, "en")


@pytest.fixture
def certs(tmp_path: Path) -> dict[str, Path]:
    ca = issue(["Get3W Test Authority"], is_ca=True)
    out = {"ca": ca.write(tmp_path, "ca")[0]}
    out["leaf"], out["leaf_key"] = issue(["api.get3w.test", "localhost"], ca=ca).write(
        tmp_path, "leaf"
    )
    out["old"], out["old_key"] = issue(["localhost"], ca=ca, expired=True).write(tmp_path, "old")
    out["self"], out["self_key"] = issue(["localhost"]).write(tmp_path, "self")
    return out


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def port_of(server: SandboxServer) -> int:
    return int(server.base_url.rsplit(":", 1)[1])


@dataclass
class Shown:
    """What the panel showed after one test."""

    report: ConnectionReport
    tooltips: list[str]
    summary: str
    status: str


def run_panel(qtbot: QtBot, base_url: str, proxy: ProxyConfig, key: str | None = None,
              cafile: str | None = None) -> Shown:  # fmt: skip
    """Run the panel's real test (off the GUI thread) and read what it shows."""

    def check(url: str, key: str | None, proxy: ProxyConfig | None, **kwargs: Any) -> Any:
        from get3w_desktop.api.connection_test import check_connection

        return check_connection(url, key, proxy, cafile=cafile, **kwargs)

    target = (base_url, proxy, (lambda: key) if key else None)
    panel = ConnectionPanel(lambda: target, tester=ConnectionTester(check))
    qtbot.addWidget(panel)
    qtbot.mouseClick(panel.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.report is not None, timeout=30_000)
    qtbot.waitUntil(panel.tester.idle, timeout=10_000)
    assert panel.report is not None
    tips = [plain_tip(panel.stages.item(i).toolTip()) for i in range(panel.stages.count())]
    assert len(tips) == len(panel.report.stages)
    described = [
        panel.stages.item(i).data(Qt.ItemDataRole.AccessibleDescriptionRole)
        for i in range(panel.stages.count())
    ]
    assert described == tips  # a screen reader hears the same sentence
    shown = Shown(panel.report, tips, panel.summary.text(), panel.status.text())
    assert panel.shutdown()
    return shown


def plain_tip(tip: str) -> str:
    """A row's tooltip is rich text (one line, or wrapped when long); the sentence in it."""
    short = re.fullmatch(r"<p style='white-space:pre'>([^<]*)</p>", tip)
    long = re.fullmatch(rf"<table width={TIP_WIDTH}><tr><td>([^<]*)</td></tr></table>", tip)
    found = short or long
    assert found is not None, tip
    sentence = html.unescape(found.group(1))
    width = QFontMetrics(QToolTip.font()).horizontalAdvance(sentence)
    assert (width > TIP_WIDTH) == (long is not None), (width, tip)  # only long ones wrap
    return sentence


def assert_chinese(shown: Shown, *names: str) -> None:
    """No English sentence in any tooltip or the summary (`names` are hosts and addresses)."""
    for result, tip in zip(shown.report.stages, shown.tooltips, strict=True):
        assert tip != result.message, f"{result.stage}: not translated: {tip!r}"
        plain = tip
        for name in names:
            plain = plain.replace(name, " ")
        assert english_in(plain, set()) is None, f"{result.stage}: English in {tip!r}"
    summary = shown.summary
    for name in names:
        summary = summary.replace(name, " ")
    assert shown.summary != shown.report.summary and english_in(summary, set()) is None, (
        shown.summary
    )


def assert_english(shown: Shown) -> None:
    """Without a translator the panel shows the check's own words, exactly."""
    assert shown.tooltips == [s.message for s in shown.report.stages]
    assert shown.summary == shown.report.summary


def failed_at(shown: Shown, stage: Stage, code: Code) -> str:
    first = shown.report.first_failure
    assert first is not None and first.stage is stage, shown.report.lines()
    assert first.coded is not None and first.coded.code is code, first.coded
    return first.message


# -- real failures, in Chinese and in English ---------------------------------------------


def test_a_closed_port_reads_as_chinese(qtbot: QtBot, chinese: QApplication) -> None:
    port = closed_port()
    shown = run_panel(qtbot, f"http://127.0.0.1:{port}", NO_PROXY)
    english = failed_at(shown, Stage.TCP, Code.CONN_TCP_REFUSED)
    assert english == (
        f"127.0.0.1 refused the connection on port {port} (TCP): nothing is listening there, "
        "or a firewall blocks it. Check the address and port."
    )
    assert_chinese(shown, f"http://127.0.0.1:{port}")
    assert f"127.0.0.1 拒绝了端口 {port} 上的连接" in shown.summary
    assert "请检查地址和端口" in shown.summary  # the nested "what to check" is translated too
    assert shown.status == "失败于：连接 (TCP)"  # the stage name was translated already
    later = [t for s, t in zip(shown.report.stages, shown.tooltips, strict=True)
             if s.outcome is Outcome.SKIPPED]  # fmt: skip
    assert later and all(t == "未检查：之前的检查失败了。" for t in later)


def test_a_closed_port_in_english_is_the_check_s_own_words(qtbot: QtBot) -> None:
    shown = run_panel(qtbot, f"http://127.0.0.1:{closed_port()}", NO_PROXY)
    failed_at(shown, Stage.TCP, Code.CONN_TCP_REFUSED)
    assert_english(shown)
    assert "Not checked: an earlier check failed." in shown.tooltips


def test_plain_http_where_tls_is_expected_reads_as_chinese(
    qtbot: QtBot, chinese: QApplication, sandbox: SandboxServer
) -> None:
    url = f"https://localhost:{port_of(sandbox)}"
    shown = run_panel(qtbot, url, NO_PROXY)
    english = failed_at(shown, Stage.TLS, Code.CONN_TLS_NOT_TLS)
    assert english.startswith("localhost did not answer in TLS (TLS: ")
    assert english.endswith("). Is the address http:// rather than https://, or the port wrong?")
    reason = shown.report.first_failure.coded.args["reason"]  # type: ignore[union-attr]
    assert isinstance(reason, str) and reason.isupper()  # OpenSSL's token, e.g. WRONG_VERSION_…
    assert_chinese(shown, url, "localhost")
    assert f"（TLS：{reason}）" in shown.summary  # the token is quoted, the sentence is Chinese
    assert "没有用 TLS 应答" in shown.summary


def test_plain_http_where_tls_is_expected_in_english(qtbot: QtBot, sandbox: SandboxServer) -> None:
    shown = run_panel(qtbot, f"https://localhost:{port_of(sandbox)}", NO_PROXY)
    failed_at(shown, Stage.TLS, Code.CONN_TLS_NOT_TLS)
    assert_english(shown)


def test_a_name_that_cannot_resolve_reads_as_chinese(qtbot: QtBot, chinese: QApplication) -> None:
    try:  # what this machine's resolver really says about a reserved name
        socket.getaddrinfo("nonexistent.invalid", 443, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        answer = exc.errno
    else:
        pytest.fail("the resolver found a reserved .invalid name")
    shown = run_panel(qtbot, "https://nonexistent.invalid", NO_PROXY, key="sk_x_12345678")
    code = Code.CONN_DNS_NO_ANSWER if answer == socket.EAI_AGAIN else Code.CONN_DNS_NOT_FOUND
    english = failed_at(shown, Stage.DNS, code)
    if code is Code.CONN_DNS_NOT_FOUND:
        assert english == (
            "The name nonexistent.invalid could not be found (DNS). "
            "Check the address, your internet connection or proxy settings."
        )
        assert "找不到名称 nonexistent.invalid（DNS）" in shown.summary
    assert_chinese(shown, "https://nonexistent.invalid", "nonexistent.invalid")


def test_a_proxy_that_refuses_or_blocks_reads_as_chinese(
    qtbot: QtBot, chinese: QApplication, sandbox: SandboxServer
) -> None:
    port = closed_port()
    refused = run_panel(qtbot, API, ProxyConfig("custom", f"http://127.0.0.1:{port}"))
    english = failed_at(refused, Stage.TCP, Code.CONN_TCP_REFUSED)
    assert english.startswith(f"The proxy 127.0.0.1 refused the connection on port {port}")
    assert english.endswith("Check the proxy address and port.")
    assert_chinese(refused, f"http://127.0.0.1:{port}", "https://api.get3w.test")
    assert refused.summary.startswith("代理 127.0.0.1 拒绝了") and "请检查代理地址和端口" in (
        refused.summary
    )
    with ConnectProxy() as proxy:  # knows no route to api.get3w.test: it answers 403
        blocked = run_panel(qtbot, API, ProxyConfig("custom", proxy.url))
    english = failed_at(blocked, Stage.PROXY, Code.CONN_PROXY_BLOCKED)
    assert "would not connect to api.get3w.test:443 (HTTP 403" in english
    assert_chinese(blocked, proxy.url, "https://api.get3w.test", "api.get3w.test:443")
    assert "不肯连接到 api.get3w.test:443（HTTP 403）" in blocked.summary
    # The proxy's own rows (its name, the connection to it) name it as the proxy.
    assert any(tip.startswith("代理 127.0.0.1") for tip in blocked.tooltips)


def test_a_proxy_that_wants_a_password_reads_as_chinese(
    qtbot: QtBot, chinese: QApplication, sandbox: SandboxServer
) -> None:
    with ConnectProxy({}, ("ann", "pr0xy-pass")) as strict:
        bare = run_panel(qtbot, API, ProxyConfig("custom", strict.url))
        wrong = ProxyConfig("custom", strict.url.replace("//", "//ann:nope@"))
        refused = run_panel(qtbot, API, wrong)
    failed_at(bare, Stage.PROXY, Code.CONN_PROXY_WANTS_LOGIN)
    failed_at(refused, Stage.PROXY, Code.CONN_PROXY_REFUSED_LOGIN)
    assert_chinese(bare, strict.url, "https://api.get3w.test")
    assert "要求提供用户名和密码（HTTP 407）" in bare.summary
    masked = refused.report.stages[0].coded.args["proxy"]  # type: ignore[union-attr]
    assert isinstance(masked, str) and "nope" not in masked and "nope" not in refused.summary
    assert_chinese(refused, masked, "https://api.get3w.test")
    assert "拒绝了用户名或密码" in refused.summary


def test_untrusted_certificates_read_as_chinese(
    qtbot: QtBot, chinese: QApplication, sandbox: SandboxServer, certs: dict[str, Path]
) -> None:
    with TLSRelay(certs["self"], certs["self_key"], port_of(sandbox)) as relay:
        url = f"https://localhost:{relay.port}"
        own = run_panel(qtbot, url, NO_PROXY)
    english = failed_at(own, Stage.TLS, Code.CONN_TLS_UNTRUSTED)
    assert english == (
        "The secure connection to localhost is not trusted (TLS): its certificate is "
        "self-signed, so nobody vouches for it."
    )
    assert_chinese(own, url, "localhost")
    assert "自签名" in own.summary
    with TLSRelay(certs["old"], certs["old_key"], port_of(sandbox)) as relay:
        url = f"https://localhost:{relay.port}"
        old = run_panel(qtbot, url, NO_PROXY, cafile=str(certs["ca"]))
    assert "certificate has expired" in failed_at(old, Stage.TLS, Code.CONN_TLS_UNTRUSTED)
    assert_chinese(old, url, "localhost")
    assert "证书已过期" in old.summary


def test_a_dropped_web_request_reads_as_chinese(
    qtbot: QtBot, chinese: QApplication, certs: dict[str, Path]
) -> None:
    # TLS works, then the server has nothing behind it and hangs up on the request.
    with TLSRelay(certs["leaf"], certs["leaf_key"], closed_port()) as relay:
        url = f"https://localhost:{relay.port}"
        shown = run_panel(qtbot, url, NO_PROXY, cafile=str(certs["ca"]))
    english = failed_at(shown, Stage.HTTP, Code.CONN_HTTP_FAILED)
    assert english.startswith("The web request failed (HTTP): ")
    reason = shown.report.first_failure.coded.args["reason"]  # type: ignore[union-attr]
    assert isinstance(reason, Message) and reason.code.value.startswith("http.")  # coded too
    assert_chinese(shown, url, "localhost")
    assert shown.summary.startswith("网页请求失败（HTTP）：")
    tls = shown.tooltips[[s.stage for s in shown.report.stages].index(Stage.TLS)]
    assert tls.startswith("localhost 证明了自己的身份（TLSv1")


def test_a_refused_key_reads_as_chinese(
    qtbot: QtBot, chinese: QApplication, sandbox: SandboxServer
) -> None:
    shown = run_panel(qtbot, sandbox.base_url, NO_PROXY, key=WRONG_KEY)
    english = failed_at(shown, Stage.AUTH, Code.CONN_KEY_REFUSED)
    assert english.startswith("127.0.0.1 refused the API key (auth: ")
    assert english.endswith("). Check that the whole key was pasted, or set a new one.")
    assert_chinese(shown, sandbox.base_url)
    assert "127.0.0.1 拒绝了 API 密钥（认证）" in shown.summary
    assert WRONG_KEY not in " ".join([*shown.tooltips, shown.summary])


def test_the_success_path_reads_as_chinese_and_english(
    qtbot: QtBot, qapp: QApplication, sandbox: SandboxServer, sandbox_key: str
) -> None:
    english = run_panel(qtbot, sandbox.base_url, NO_PROXY, key=sandbox_key)
    assert english.report.ok and english.report.summary_said.code is Code.CONN_EVERYTHING_WORKS
    assert english.summary == "Everything works: 127.0.0.1 answered every check."
    assert_english(english)
    assert i18n.install_language(qapp, "zh_CN") == "zh_CN"
    try:
        shown = run_panel(qtbot, sandbox.base_url, NO_PROXY, key=sandbox_key)
    finally:
        i18n.install_language(qapp, "en")
    assert shown.report.ok
    assert_chinese(shown, sandbox.base_url, "localhost")
    assert shown.summary == "一切正常：127.0.0.1 通过了每一项检查。"
    assert shown.tooltips[-1].startswith("密钥有效；余额 $")  # the key check's own code


def test_https_through_a_working_proxy_reads_as_chinese(
    qtbot: QtBot, chinese: QApplication, sandbox: SandboxServer, certs: dict[str, Path]
) -> None:
    with (
        TLSRelay(certs["leaf"], certs["leaf_key"], port_of(sandbox)) as relay,
        ConnectProxy({"api.get3w.test": relay.port}) as proxy,
    ):
        shown = run_panel(qtbot, API, ProxyConfig("custom", proxy.url), cafile=str(certs["ca"]))
    assert shown.report.ok, shown.report.lines()
    assert [s.stage for s in shown.report.stages] == list(Stage)  # the tunnel row too
    assert_chinese(shown, proxy.url, "https://api.get3w.test", "api.get3w.test:443",
                   "api.get3w.test")  # fmt: skip
    assert "代理已打开到 api.get3w.test:443 的隧道。" in shown.tooltips


def test_a_stopped_test_and_a_crashed_test_read_as_chinese(
    qtbot: QtBot, chinese: QApplication, sandbox: SandboxServer
) -> None:
    def stopped(url: str, key: str | None, proxy: ProxyConfig | None, **kwargs: Any) -> Any:
        from get3w_desktop.api.connection_test import check_connection

        stop = threading.Event()
        stop.set()  # Stop was pressed before the first stage
        return check_connection(url, key, proxy, cancel=stop, on_stage=kwargs["on_stage"])

    def crashed(*_args: object, **_kwargs: object) -> Any:
        raise RuntimeError("a bug in the check")

    for runner, words in (
        (stopped, "在此项检查之前已停止。"),
        (crashed, "测试无法运行，详情已写入日志。"),
    ):
        target = (sandbox.base_url, NO_PROXY, None)
        panel = ConnectionPanel(lambda target=target: target,  # type: ignore[misc]
                                tester=ConnectionTester(runner))  # fmt: skip
        qtbot.addWidget(panel)
        qtbot.mouseClick(panel.test_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda panel=panel: panel.report is not None, timeout=10_000)  # type: ignore[misc]
        qtbot.waitUntil(panel.tester.idle, timeout=10_000)
        tips = [plain_tip(panel.stages.item(i).toolTip()) for i in range(panel.stages.count())]
        report = panel.report
        assert report is not None
        if runner is stopped:
            assert tips and all(tip == words for tip in tips)
            assert all(s.message == "Stopped before this check." for s in report.stages)
        else:
            assert panel.summary.text() == words
            assert report.summary == "The test could not run; the log has the details."
        assert panel.shutdown()


# -- every text, including the failures loopback cannot produce -------------------------


def _sample(code: Code) -> Message:
    """`code` with arguments of the kinds the check passes (messages where it nests them)."""
    args: dict[str, Any] = {
        "host": "api.get3w.com", "port": 443, "seconds": "5", "status": 403,
        "url": "https://api.get3w.com", "proxy": "http://corp.example:3128",
        "target": "api.get3w.com:443", "addresses": "203.0.113.7", "version": "TLSv1.3",
        "stage": "Name lookup (DNS)", "kind": "RuntimeError",
        "who": sentences.who("corp.example", True),
        "what": sentences.what_name("api.get3w.com", False),
        "fix": sentences.FIX_PROXY_PORT, "hint": sentences.TLS_INSPECTING,
        "problem": sentences.proxy_no_kind("corp.example:3128"),
        "example": "http://proxy.example.com:3128", "text": "corp.example:3128",
        "shown": "ftp://corp.example", "kinds": "http://, https://", "scheme": "ftp",
        "reason": sentences.CERT_REASONS[19] if code is Code.CONN_TLS_UNTRUSTED
        else http_refused("api.get3w.com") if code in (Code.CONN_HTTP_FAILED,
                                                        Code.CONN_KEY_UNCHECKED)
        else sentences.tls_not_tls("corp.example", "WRONG_VERSION_NUMBER")
        if code is Code.CONN_PROXY_TLS else "WRONG_VERSION_NUMBER"
        if code in (Code.CONN_TLS_NOT_TLS, Code.CONN_TLS_FAILED)
        else "Connection reset by peer",
    }  # fmt: skip
    return Message(code, args, "English fallback words here")


def test_every_connection_text_has_chinese_without_an_english_sentence(
    chinese: QApplication,
) -> None:
    codes = [code for code in Code if code.value.startswith(("conn.", "url.", "proxy."))]
    assert set(codes) == set(CONNECTION_TEXTS)  # every code has a text, and only those
    for code in codes:
        shown = render(_sample(code))
        assert shown != "English fallback words here", f"{code}: no Chinese text"
        plain = shown
        for name in ("https://api.get3w.com", "http://corp.example:3128", "api.get3w.com:443",
                     "api.get3w.com", "corp.example:3128", "corp.example"):  # fmt: skip
            plain = plain.replace(name, " ")
        assert english_in(plain, set()) is None, f"{code}: English in {shown!r}"
        assert "Connection reset by peer" not in shown  # the system's words are left out


def test_the_english_words_are_the_ones_the_check_always_said() -> None:
    # The sentences the log and `ConnectionReport.lines()` print, word for word.
    said: list[tuple[Callable[[], Message], str]] = [
        (lambda: sentences.tcp_timeout("api.get3w.com", 443, False, 5.0),
         "api.get3w.com did not answer on port 443 within 5 s (TCP). "
         "A firewall may be blocking it, or the network is down."),
        (lambda: sentences.tcp_no_route("corp.example", True),
         "The proxy corp.example cannot be reached from this computer (TCP: no route). "
         "Check the proxy address and port."),
        (lambda: sentences.tcp_connected("corp.example", 3128, True),
         "Connected to the proxy corp.example on port 3128."),
        (lambda: sentences.dns_no_answer("corp.example", True),
         "The proxy's name corp.example could not be looked up right now (DNS: no answer). "
         "Check your internet connection."),
        (lambda: sentences.dns_failed("api.get3w.com", False, "System error"),
         "Looking up the name api.get3w.com failed (DNS: System error). "
         "Check the address, your internet connection or proxy settings."),
        (lambda: sentences.tls_untrusted("x.test", sentences.cert_reason(20, ""), True),
         "The secure connection to x.test is not trusted (TLS): its certificate comes from an "
         "authority this computer does not trust. A company network that inspects traffic can "
         "cause this."),
        (lambda: sentences.proxy_tls(sentences.tls_timeout("corp.example")),
         "The proxy: corp.example did not finish the secure handshake in time (TLS)."),
        (lambda: sentences.key_unchecked(http_refused("x.test")),
         "The key could not be checked (auth): Could not connect to x.test: it refused the "
         "connection or is unreachable."),
    ]  # fmt: skip
    for build, english in said:
        message = build()
        assert str(message) == english
        assert render(message) == english  # an English window shows the same words


def test_the_profile_editor_says_where_requests_go_in_chinese(
    qtbot: QtBot, chinese: QApplication
) -> None:
    proxy = ProxyConfig("custom", "http://ann:Hidden-Pw-9@corp.example:3128")
    for profile, english, words in (
        (Profile("work", "http://127.0.0.1:8080"),
         "127.0.0.1 is on this computer: no proxy is used.",
         "127.0.0.1 在这台电脑上：不使用代理。"),
        (Profile("work", "https://api.get3w.com", proxy),
         "api.get3w.com is reached through the proxy http://ann:••••@corp.example:3128.",
         "通过代理 http://ann:••••@corp.example:3128 访问 api.get3w.com。"),
        (Profile("work", "https://api.get3w.com", NO_PROXY),
         "api.get3w.com is reached directly.", "直接访问 api.get3w.com。"),
    ):  # fmt: skip
        assert describe_route(profile.proxy, profile.base_url) == english  # unchanged words
        dialog = ProfileEditor(("sandbox",), profile)
        qtbot.addWidget(dialog)
        assert dialog.proxy_note.text().startswith(words), dialog.proxy_note.text()
        assert "Hidden-Pw-9" not in dialog.proxy_note.text()
        dialog.reject()


def test_a_refused_address_and_an_unusable_proxy_read_as_chinese(
    qtbot: QtBot, chinese: QApplication
) -> None:
    shown = run_panel(qtbot, "http://api.example.com", NO_PROXY, key="sk_x_12345678")
    english = failed_at(shown, Stage.ADDRESS, Code.URL_PLAIN_HTTP)
    assert english == (
        "Refusing plain HTTP to api.example.com: the API key would travel unencrypted. "
        "Use https:// (plain http:// is allowed only for this computer)."
    )
    assert_chinese(shown, "api.example.com")
    assert shown.summary.startswith("拒绝以普通 HTTP 连接 api.example.com")
    unusable = run_panel(qtbot, API, ProxyConfig("custom", "proxy.example:3128"))
    english = failed_at(unusable, Stage.ADDRESS, Code.CONN_PROXY_UNUSABLE)
    assert english == (
        "The proxy setting is not usable: "
        "Start the proxy address with its kind, e.g. http://proxy.example:3128."
    )
    assert_chinese(unusable, "proxy.example:3128")
    assert (
        unusable.summary
        == "代理设置无法使用：代理地址需要以类型开头，例如 http://proxy.example:3128"
    )


def test_the_profile_editor_says_what_is_wrong_with_an_address_in_chinese(
    qtbot: QtBot, chinese: QApplication
) -> None:
    dialog = ProfileEditor(("sandbox",))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.name_edit.setText("work")
    for url, words in (
        ("", "请输入 API 地址，例如 https://api.get3w.com"),
        ("http://api.example.com", "拒绝以普通 HTTP 连接 api.example.com"),
        ("https://ann:pw@api.example.com", "API 地址中不能包含用户名或密码。"),
        ("ftp://api.example.com", "“ftp://api.example.com”不是网址"),
    ):
        dialog.url_edit.setText(url)
        shown = dialog.url_error.text()
        assert shown.startswith(words), shown
        assert english_in(shown, set()) is None, shown
    dialog.url_edit.setText("https://api.get3w.com")
    assert dialog.url_error.isHidden()
    dialog.proxy_combo.setCurrentIndex(dialog.proxy_combo.findData("custom"))
    for typed, words in (
        ("", "请输入代理地址，例如 http://proxy.example.com:3128"),
        ("corp.example:3128", "代理地址需要以类型开头，例如 http://corp.example:3128"),
        ("ftp://corp.example:21", "代理地址应以 "),
        ("http://corp.example:3128/path", "代理地址只能包含主机和端口"),
    ):
        dialog.proxy_edit.setText(typed)
        shown = dialog.proxy_error.text()
        assert shown.startswith(words), shown
        plain = shown.replace("corp.example:3128", " ")
        assert english_in(plain, set()) is None, shown
    dialog.reject()
