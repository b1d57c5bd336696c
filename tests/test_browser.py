"""The scholar's desk in a real headless browser: Debian's chromium driven by chromedriver (selenium),
against a real uvicorn server (``kzlaw serve``) on a free loopback port with a fresh store.

Needs `make web` (the page) and /usr/bin/chromium + /usr/bin/chromedriver (`make browser` installs them);
`make test` does both first. Missing pieces fail the test with the command to run; they never skip it.
Screenshots of each state are kept under tests/artifacts/ (gitignored)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
WORKED = ROOT / "tests" / "scenarios" / "worked" / "good"
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    assert (ROOT / "api" / "static" / "index.html").is_file(), "the page is not built: run `make web`"
    port = _free_port()
    store = tempfile.mkdtemp(prefix="kzlaw-browser-")
    kzlaw = Path(sys.executable).with_name("kzlaw")
    log = open(Path(store) / "server.log", "wb")  # noqa: SIM115 - held open for the server's lifetime
    proc = subprocess.Popen([str(kzlaw), "serve", "--store", str(Path(store) / "store"), "--host", "127.0.0.1",
                             "--port", str(port), "--load", str(WORKED / "facebook-reachable.jsonld"),
                             "--load", str(WORKED / "facebook-abroad-refusal.jsonld")],
                            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, (Path(store) / "server.log").read_text(errors="replace")
            try:
                with urllib.request.urlopen(base + "/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the server did not come up"
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        shutil.rmtree(store, ignore_errors=True)


@pytest.fixture(scope="module")
def browser():
    for p in (CHROMIUM, CHROMEDRIVER):
        assert os.access(p, os.X_OK), f"{p} missing: run `make browser` (apt-get install chromium chromium-driver)"
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="kzlaw-chromium-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # the console: CSP refusals, script errors
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              f"--user-data-dir={profile}", "--window-size=1400,1800", "--lang=en-US"):
        opts.add_argument(a)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _shot(driver, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / f"browser-{name}.png"))


def test_the_scholars_desk(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select, WebDriverWait

    wait = WebDriverWait(browser, 30)
    browser.get(server + "/")
    # 1. the page: YASGUI with the seven competency queries as tabs, no error.
    wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "1")
    tabs = browser.find_elements(By.CSS_SELECTOR, ".tabsList .tab")
    assert [t.text.split("\n")[0].strip() for t in tabs][:7] == [f"CQ{i}" for i in range(1, 8)]
    assert "CQ1. Who is liable" in browser.execute_script("return window.kzYasgui.getTab().getQuery()")
    assert browser.find_element(By.CSS_SELECTOR, ".CodeMirror .cm-keyword"), "no syntax highlighting"
    _shot(browser, "1-loaded")

    # 2. run CQ1 on the server's own /sparql and see rows in the table.
    browser.find_element(By.CSS_SELECTOR, ".tabPanel.active .yasqe_queryButton").click()
    rows = wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".tabPanel.active .yasr table tbody tr") or False)
    wait.until(lambda d: "John Doe" in d.find_element(By.CSS_SELECTOR, ".tabPanel.active .yasr table tbody").text)
    assert len(rows) >= 1
    _shot(browser, "2-query")

    # 3. assess a worked case: its findings under every regime side by side, differences marked.
    Select(browser.find_element(By.ID, "example")).select_by_visible_text("facebook-reachable.jsonld")
    wait.until(lambda d: '"John Doe"' in d.find_element(By.ID, "scenario").get_attribute("value"))
    browser.find_element(By.ID, "assess").click()
    table = wait.until(ec.presence_of_element_located((By.ID, "findings-table")))
    heads = [th.get_attribute("data-regime") for th in table.find_elements(By.CSS_SELECTOR, "thead th[data-regime]")]
    assert heads == ["current-law", "reform-proposal", "platform-duties"]
    assert "current law (as the commentary describes it)" in table.find_element(By.TAG_NAME, "thead").text
    assert table.find_elements(By.CSS_SELECTOR, "tr.differs"), "no difference between regimes highlighted"
    assert "liable" in table.text
    _shot(browser, "3-findings")

    # 4. open a proof: the rule, the provision, the quoted passage and the facts used.
    button = table.find_element(By.CSS_SELECTOR, "button.open-proof[data-finding*='/current-law/A3/']")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    button.click()
    proof = wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, "#proof details.proof")))
    quote = proof.find_element(By.CSS_SELECTOR, "blockquote.passage")
    assert "First that comes to mind" in quote.text
    text = proof.text.lower()
    assert "rule" in text and "provisions" in text and "facts used" in text and "john doe" in text
    browser.execute_script("arguments[0].scrollIntoView({block: 'start'})", proof)
    _shot(browser, "4-proof")
    # a proof resting on an earlier finding unfolds to it: A6-not-ordered ← A6-eligible ← A1
    browser.find_element(By.CSS_SELECTOR, "button.open-proof[data-finding*='/current-law/A6-not-ordered/']").click()
    outer = wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, "#proof > details.proof")))
    nested = outer.find_element(By.CSS_SELECTOR, ".premises > details.proof")
    assert not nested.get_attribute("open")
    nested.find_element(By.TAG_NAME, "summary").click()
    deeper = wait.until(lambda d: nested.find_element(By.CSS_SELECTOR, ".premises > details.proof"))
    deeper.find_element(By.TAG_NAME, "summary").click()
    wait.until(lambda d: "since 2012, Internet resources" in deeper.text)  # A1's quoted passage
    _shot(browser, "4b-nested-proof")

    # 5. switch to Russian: the page's words and the findings' labels are Russian.
    Select(browser.find_element(By.ID, "lang")).select_by_value("ru")
    wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "#desk h2").text == "Рабочий стол сценариев")
    wait.until(lambda d: "несёт ответственность" in d.find_element(By.ID, "findings").text
               or "ответствен" in d.find_element(By.ID, "findings").text)
    assert browser.find_element(By.ID, "assess").text == "Оценить по всем режимам"
    assert "действующее право" in browser.find_element(By.CSS_SELECTOR, "#findings-table thead").text
    browser.execute_script("window.scrollTo(0, document.getElementById('desk').offsetTop)")
    _shot(browser, "5-russian")

    # 6. the form (still in Russian): a commenter of unknown residence; validate, then assess.
    browser.find_element(By.ID, "tab-form").click()
    Select(browser.find_element(By.NAME, "residence")).select_by_value("")
    browser.find_element(By.NAME, "demand").click()
    browser.find_element(By.ID, "validate").click()
    wait.until(lambda d: d.find_element(By.ID, "status").text == "Сценарий соответствует входным формам.")
    browser.find_element(By.ID, "assess").click()
    wait.until(lambda d: d.find_element(By.ID, "status").text.startswith("Выводов:"))
    findings = browser.find_element(By.ID, "findings-table").text
    assert "John Doe" in findings and "нереализуема" in findings  # residence unknown: not enforceable
    assert not browser.find_elements(By.ID, "notices")  # 2015: the law the commentary describes
    _shot(browser, "6-form")
    # dated 2025, after the 1999 media law was replaced: the notice, in Russian, with its sources
    date = browser.find_element(By.NAME, "date")
    browser.execute_script("arguments[0].value = '2025-03-02'", date)
    browser.find_element(By.ID, "assess").click()
    notices = wait.until(ec.visibility_of_element_located((By.ID, "notices")))
    assert "заменён" in notices.text and "20 июня 2024" in notices.text
    assert notices.find_element(By.CSS_SELECTOR, "a").get_attribute("href").startswith("https://")
    _shot(browser, "6b-notice")
    browser.execute_script("arguments[0].value = '2015-03-02'", date)
    # a platform of one's own (an information portal) gets an owner and a jurisdiction: still conforms
    Select(browser.find_element(By.NAME, "platform")).select_by_value("InformationPortal")
    browser.find_element(By.ID, "validate").click()
    wait.until(lambda d: d.find_element(By.ID, "status").text == "Сценарий соответствует входным формам.")

    # 7. a scenario that does not conform: the validation report, messages in Russian.
    browser.find_element(By.ID, "tab-paste").click()
    bad = (ROOT / "tests/scenarios/input/bad/person-with-bad-date.jsonld").read_text(encoding="utf-8")
    area = browser.find_element(By.ID, "scenario")
    browser.execute_script("arguments[0].value = arguments[1]", area, bad)
    browser.find_element(By.ID, "validate").click()
    report = wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, "#report table.report")))
    assert "Даты должны быть значениями xsd:date" in report.text
    assert "не соответствует" in browser.find_element(By.ID, "status").text
    _shot(browser, "7-report")

    # 8. autocompletion from kzlaw's own ontology (no Internet): kz:Fin… offers kz:Finding.
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys
    browser.execute_script("window.scrollTo(0, 0)")
    browser.execute_script("""const y = window.kzYasgui.getTab().getYasqe();
        y.setValue('PREFIX kz: <https://w3id.org/kzlaw/ontology#>\\nSELECT * WHERE { ?s a kz:Fin');
        y.focus(); y.setCursor(y.lineCount() - 1, 1000);""")
    ActionChains(browser).key_down(Keys.CONTROL).send_keys(Keys.SPACE).key_up(Keys.CONTROL).perform()
    hints = wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".CodeMirror-hints li") or False)
    assert any("Finding" in h.text for h in hints), [h.text for h in hints]
    _shot(browser, "8-autocomplete")

    # 9. the ontology's reference documentation, as a browser asks for it.
    browser.get(server + "/ontology")
    wait.until(lambda d: d.find_elements(By.ID, "kz-Finding"))
    assert "Қазақша" in browser.find_element(By.ID, "kz-Finding").text
    _shot(browser, "9-ontology")


def _own_requests_only(driver, base: str) -> None:
    """Every resource the page loaded came from the server on loopback, and the console shows no error
    (a refused CDN script or font, a policy violation, a script that failed)."""
    urls = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert urls and all(u.startswith((base + "/", "blob:" + base + "/")) for u in urls), urls
    errors = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors


def test_the_api_docs_work_offline(server, browser):
    """/docs (Swagger UI) and /redoc (ReDoc) render kzlaw's OpenAPI from kzlaw's own copies, under a policy
    that allows no other origin, and Swagger UI's "Try it out" reaches the API."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, 30)
    browser.get_log("browser")  # what earlier pages logged
    browser.get(server + "/docs")
    ops = wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".opblock .opblock-summary-path") or False)
    paths = {o.get_attribute("data-path") for o in ops}
    assert {"/v1/assess", "/v1/scenarios", "/sparql", "/health"} <= paths, paths
    assert "kzlaw" in browser.find_element(By.CSS_SELECTOR, ".info .title").text
    health = browser.find_element(By.ID, "operations-health-health_health_get")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", health)
    health.find_element(By.CSS_SELECTOR, ".opblock-summary-control").click()
    wait.until(lambda d: health.find_elements(By.CSS_SELECTOR, ".try-out__btn") or False)[0].click()
    health.find_element(By.CSS_SELECTOR, ".execute").click()
    status = wait.until(lambda d: health.find_elements(By.CSS_SELECTOR, ".live-responses-table tr.response .response-col_status")
                        or False)
    assert status[0].text.strip() == "200"
    assert '"scenarios"' in health.find_element(By.CSS_SELECTOR, ".live-responses-table .microlight").text
    _shot(browser, "10-swagger-ui")
    _own_requests_only(browser, server)

    browser.get(server + "/redoc")
    wait.until(lambda d: "kzlaw" in d.find_element(By.TAG_NAME, "body").text
               and d.find_elements(By.CSS_SELECTOR, "[data-section-id^='tag/']"))
    text = browser.find_element(By.TAG_NAME, "body").text
    assert "/v1/assess" in text or "Assess" in text
    _shot(browser, "11-redoc")
    _own_requests_only(browser, server)
