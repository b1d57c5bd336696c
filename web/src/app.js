// The scholar's desk: YASGUI on the server's own /sparql with the competency queries, and a scenario
// desk on /v1/validate and /v1/assess (findings under every regime side by side, proofs unfolding).
(function () {
  "use strict";
  const I18N = window.KZ_I18N;
  const state = { lang: localStorage.getItem("kzlaw.lang") || "en", last: null, vocab: null, regimes: {} };
  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));
  const t = (key, vars) => {
    let s = (I18N[state.lang] && I18N[state.lang][key]) || I18N.en[key] || key;
    for (const [k, v] of Object.entries(vars || {})) s = s.replace("{" + k + "}", v);
    return s;
  };
  const el = (tag, attrs, ...children) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v; else if (k === "text") e.textContent = v; else e.setAttribute(k, v);
    }
    for (const c of children) if (c != null) e.append(c);
    return e;
  };

  // ---------- language ----------
  function applyLanguage() {
    document.documentElement.lang = state.lang;
    $("#lang").value = state.lang;
    $$("[data-i18n]").forEach((n) => { n.textContent = t(n.dataset.i18n); });
    document.title = t("title");
  }

  // ---------- SPARQL editor ----------
  let yasgui = null;
  async function setupYasgui() {
    const Yasgui = window.Yasgui;
    const Yasqe = Yasgui.Yasqe;
    const vocab = state.vocab;
    const local = (kind) => () => vocab[kind].map((x) => x.iri.replace(/^kz:/, vocab.prefixes.kz));
    // Class and property completion from kzlaw's own ontology, not from the Internet (LOV).
    Yasqe.forkAutocompleter("class", { name: "kzClass", bulk: true, get: local("classes"), persistenceId: null });
    Yasqe.forkAutocompleter("property", { name: "kzProperty", bulk: true, get: local("properties"), persistenceId: null });
    const endpoint = window.location.origin + "/sparql";
    const queries = await (await fetch("/v1/queries")).json();
    yasgui = new Yasgui($("#yasgui"), {
      requestConfig: { endpoint: endpoint, method: "POST" },
      copyEndpointOnNewTab: true,
      persistenceId: null,
      populateFromUrl: false,
      endpointCatalogueOptions: { getData: () => [{ endpoint: endpoint }] },
      yasqe: { autocompleters: ["prefixes", "variables", "kzClass", "kzProperty"], persistenceId: null },
      yasr: { defaultPlugin: "table", persistenceId: null, prefixes: Object.assign({ scenario: "https://w3id.org/kzlaw/scenario/" }, vocab.prefixes) },
    });
    const first = yasgui.getTab();
    queries.forEach((q, i) => {
      const cfg = { name: q.title.split(".")[0], yasqe: { value: q.query }, requestConfig: { endpoint: endpoint, method: "POST" } };
      if (i === 0 && first) { first.setName(cfg.name); first.setQuery(q.query); }
      else yasgui.addTab(false, cfg);
    });
    yasgui.selectTabId(yasgui.persistentConfig.getTabs()[0]);
    window.kzYasgui = yasgui;
  }

  // ---------- the scenario desk ----------
  function setStatus(text, kind) {
    const s = $("#status"); s.textContent = text; s.className = kind || "";
  }
  function fillSelects() {
    const v = state.vocab;
    $$("select.countries").forEach((sel) => {
      const keep = sel.value;
      sel.innerHTML = "";
      if (sel.dataset.unknown) sel.append(el("option", { value: "", text: t("form.unknown") }));
      v.countries.forEach((c) => sel.append(el("option", { value: c.iri, text: c.label })));
      sel.value = keep || "kz:Kazakhstan";
    });
    const cat = $("#categories"), keep = cat.value;
    cat.innerHTML = "";
    v.categories.forEach((c) => cat.append(el("option", { value: c.iri, text: c.label })));
    cat.value = keep || "kz:CallForViolentChangeOfConstitutionalOrder";
  }
  function scenarioFromForm() {
    const f = $("#scenario-form");
    const val = (n) => f.elements[n].value;
    const graph = [{ id: "", type: "Scenario", label: "A scenario from the form" }];
    const author = { id: "post-author", type: "Person", label: val("author"), identified: true };
    if (val("authorResidence")) author.residence = val("authorResidence");
    const commenter = { id: "commenter", type: "Person", label: val("commenter"), identified: f.elements.identified.checked };
    if (val("residence")) commenter.residence = val("residence");
    let platform = val("platform");
    if (!platform.startsWith("kz:")) {  // a platform of one's own needs an owner and a jurisdiction
      const where = val("jurisdiction") || "kz:Kazakhstan";
      graph.push({ id: "platform", type: platform, label: platform === "SocialNetwork" ? "a social network" : "an information portal", owner: "platform-owner", jurisdiction: where },
        { id: "platform-owner", type: "Organisation", label: "the platform's owner", identified: true, residence: where });
      platform = "platform";
    }
    graph.push(author, commenter,
      { id: "post", type: "Post", label: "the post", author: "post-author", publishedOn: platform, date: val("date") },
      { id: "comment", type: "Comment", label: val("commenter") + "'s comment", author: "commenter", commentOn: "post", date: val("date"), contentCategory: [val("category")] });
    if (f.elements.demand.checked) {
      graph.push({ id: "investigator", type: "Person", label: "the investigator", identified: true, residence: "kz:Kazakhstan" },
        { id: "demand", type: "RemovalDemand", label: "the investigator's demand to delete the comment", agent: "investigator", addressedTo: "post-author", concernsPublication: "comment", date: val("date") });
      if (f.elements.refusal.checked) graph.push({ id: "refusal", type: "Refusal", label: "the post author's refusal", agent: "post-author", answers: "demand", date: val("date") });
    }
    return { body: JSON.stringify({ "@context": "https://w3id.org/kzlaw/context.jsonld", "@graph": graph }, null, 2), type: "application/ld+json" };
  }
  function currentScenario() {
    if (!$("#pane-form").classList.contains("hidden")) return scenarioFromForm();
    return { body: $("#scenario").value, type: $("#format").value };
  }
  async function post(path, sc) {
    const r = await fetch(path, { method: "POST", headers: { "Content-Type": sc.type, "Accept": "application/json" }, body: sc.body });
    const data = await r.json().catch(() => ({}));
    return { ok: r.ok, status: r.status, data: data };
  }
  function problemText(d) {
    return t("st.error") + " " + (d.status || "") + ": " + (d.title || "") + (d.detail ? " — " + d.detail : "") +
      (d.line ? " (" + d.line + ":" + (d.column || "") + ")" : "");
  }
  function showReport(report) {
    const box = $("#report"); box.innerHTML = ""; $("#findings").innerHTML = "";
    if (report.conforms) { setStatus(t("st.conforms"), "ok"); return; }
    setStatus(t("st.notConforms", { n: report.problems.length }), "bad");
    const table = el("table", { class: "report" },
      el("thead", {}, el("tr", {}, ...["rep.severity", "rep.focus", "rep.path", "rep.value", "rep.message"].map((k) => el("th", { text: t(k) })))));
    const tb = el("tbody");
    report.problems.forEach((p) => tb.append(el("tr", {}, el("td", { text: p.severity || "" }), el("td", { text: p.focus || "" }),
      el("td", { text: p.path || "" }), el("td", { text: p.value || "" }), el("td", { text: (p.messages && p.messages[state.lang]) || p.message || "" }))));
    table.append(tb); box.append(table);
  }
  async function doValidate() {
    state.last = "validate";
    setStatus(t("st.validating"));
    const r = await post("/v1/validate?lang=" + state.lang, currentScenario());
    if (!r.ok) { $("#report").innerHTML = ""; setStatus(problemText(r.data), "bad"); return; }
    showReport(r.data);
  }

  function rowKey(f) {
    return [f.conclusion.iri, f.subject && f.subject.iri, f.concerns && f.concerns.iri, f.resource && f.resource.iri,
      f.basis && f.basis.iri, f.kind && f.kind.iri, f.regarding ? "r" : ""].join("|").replace(/\/scenario\/[^/]+\//g, "/");
  }
  function proofTree(p, open) {
    const d = el("details", { class: "proof" });
    if (open) d.open = true;
    d.append(el("summary", {}, el("strong", { text: p.conclusion }), " — ", el("span", { class: "rule", text: p.rule.label || p.rule.id })));
    if (p.explanation) d.append(el("p", { class: "explanation" }, el("em", { text: t("f.explanation") + ": " }), p.explanation));
    const sect = (key, items, render) => {
      if (!items || !items.length) return;
      const ul = el("ul"); items.forEach((x) => ul.append(el("li", {}, render(x))));
      d.append(el("div", { class: "part " + key }, el("h5", { text: t(key) }), ul));
    };
    sect("f.rule", [p.rule], (r) => el("a", { href: "/v1/rules", title: r.iri, text: (r.id || "") + " · " + (r.label || r.iri) }));
    sect("f.provisions", p.provisions, (x) => el("span", { title: x.iri, text: x.label || x.iri }));
    sect("f.passages", p.passages, (x) => el("blockquote", { class: "passage", cite: x.iri, text: "“" + x.quote + "”" }));
    sect("f.facts", p.facts, (x) => el("span", { title: x.iri, text: x.label || x.iri }));
    sect("f.notices", p.notices, (x) => el("span", { class: "notice", title: x.iri, text: "⚠ " + (x.label || x.iri) }));
    if (p.premises && p.premises.length) {
      const prem = el("div", { class: "part premises" }, el("h5", { text: t("f.premises") }));
      p.premises.forEach((q) => prem.append(proofTree(q, false)));
      d.append(prem);
    }
    return d;
  }
  function showFindings(a) {
    $("#report").innerHTML = "";
    const box = $("#findings"); box.innerHTML = "";
    const regimes = a.regimes;
    setStatus(t("st.findings", { n: a.findings.length, r: regimes.length }), "ok");
    const rows = new Map();
    a.findings.forEach((f) => {
      const k = rowKey(f);
      if (!rows.has(k)) rows.set(k, { sample: f, by: {} });
      (rows.get(k).by[f.regime] = rows.get(k).by[f.regime] || []).push(f);
    });
    box.append(el("p", { class: "legend", text: t("f.legend") }));
    const table = el("table", { class: "findings", id: "findings-table" },
      el("thead", {}, el("tr", {}, el("th", { text: t("f.finding") }), ...regimes.map((r) => {
        const label = state.regimes[r] && (state.regimes[r][state.lang] || state.regimes[r].en);
        return el("th", { "data-regime": r, title: label || r }, el("span", { class: "regime-id", text: r }),
          label ? el("span", { class: "regime-label", text: label }) : null);
      }))));
    const tb = el("tbody");
    const proofBox = el("div", { id: "proof" });
    for (const [, row] of rows) {
      const f = row.sample;
      const differs = regimes.some((r) => !row.by[r]);
      const what = [f.subject && f.subject.label, f.conclusion.label, f.concerns && f.concerns.label ? "(" + f.concerns.label + ")" : null,
        f.basis ? "— " + f.basis.label : null, f.kind ? "— " + f.kind.label : null].filter(Boolean).join(" ");
      const tr = el("tr", { class: differs ? "differs" : "same", title: differs ? t("f.differs") : t("f.same") }, el("td", { class: "what", text: what }));
      regimes.forEach((r) => {
        const fs = row.by[r];
        if (!fs) { tr.append(el("td", { class: "absent", text: t("f.none") })); return; }
        const td = el("td", { class: "present" });
        fs.forEach((x) => {
          const b = el("button", { type: "button", class: "open-proof", "data-finding": x.id, text: "✓ " + x.rule.id + " · " + t("f.proof") });
          b.addEventListener("click", () => {
            proofBox.innerHTML = "";
            proofBox.append(el("h4", { text: r + " · " + what }), proofTree(a.proofs[x.id], true));
            proofBox.scrollIntoView({ block: "nearest" });
          });
          td.append(b);
        });
        tr.append(td);
      });
      tb.append(tr);
    }
    table.append(tb);
    box.append(table, proofBox);
    if (a.notices && a.notices.length) {  // facts from beyond the two sources, each with its citation
      const nb = el("div", { id: "notices", class: "notices" }, el("h4", { text: t("f.notices") }));
      a.notices.forEach((n) => {
        const sources = el("ul");
        n.sources.forEach((s) => sources.append(el("li", {}, el("a", { href: s.address, rel: "noreferrer", text: s.label }))));
        nb.append(el("div", { class: "notice", title: n.iri }, el("strong", { text: "⚠ " + n.label }), el("p", { text: n.text }),
          ...n.passages.map((q) => el("blockquote", { class: "passage", cite: q.iri, text: "“" + q.quote + "”" })),
          el("h5", { text: t("f.sources") }), sources));
      });
      box.insertBefore(nb, table);
    }
  }
  async function doAssess() {
    state.last = "assess";
    setStatus(t("st.assessing"));
    const r = await post("/v1/assess?regime=all&proofs=true&lang=" + state.lang, currentScenario());
    if (r.status === 422 && r.data.report) { showReport(r.data.report); return; }
    if (!r.ok) { $("#findings").innerHTML = ""; setStatus(problemText(r.data), "bad"); return; }
    showFindings(r.data);
  }

  async function loadRegimes() {
    const rs = await (await fetch("/v1/regimes")).json();
    state.regimes = Object.fromEntries(rs.map((r) => [r.id, r.labels]));
  }
  async function loadVocab() {
    state.vocab = await (await fetch("/v1/vocabulary?lang=" + state.lang)).json();
    fillSelects();
  }

  async function init() {
    applyLanguage();
    await Promise.all([loadVocab(), loadRegimes()]);
    $("#lang").addEventListener("change", async (e) => {
      state.lang = e.target.value; localStorage.setItem("kzlaw.lang", state.lang);
      applyLanguage(); await loadVocab();
      if (state.last === "assess") await doAssess(); else if (state.last === "validate") await doValidate();
    });
    $$(".tab").forEach((b) => b.addEventListener("click", () => {
      $$(".tab").forEach((x) => x.classList.toggle("active", x === b));
      $("#pane-paste").classList.toggle("hidden", b.dataset.tab !== "paste");
      $("#pane-form").classList.toggle("hidden", b.dataset.tab !== "form");
    }));
    $("#file").addEventListener("change", async (e) => {
      const file = e.target.files[0]; if (!file) return;
      $("#scenario").value = await file.text();
      $("#format").value = /\.ttl$/.test(file.name) ? "text/turtle" : "application/ld+json";
    });
    const examples = await (await fetch("/static/examples.json")).json().catch(() => []);
    examples.forEach((x) => $("#example").append(el("option", { value: x.file, text: x.label })));
    $("#example").addEventListener("change", async (e) => {
      if (!e.target.value) return;
      $("#scenario").value = await (await fetch("/static/" + e.target.value)).text();
      $("#format").value = /\.ttl$/.test(e.target.value) ? "text/turtle" : "application/ld+json";
    });
    $("#validate").addEventListener("click", doValidate);
    $("#assess").addEventListener("click", doAssess);
    await setupYasgui();
    document.body.dataset.ready = "1";
  }
  init().catch((e) => { setStatus(t("st.error") + ": " + e.message, "bad"); console.error(e); });
})();
