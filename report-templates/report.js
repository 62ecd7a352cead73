/* cmk-audit report: filtering, sorting, details and copy buttons. Vanilla JS, no network, no eval.
   Reads data only from the DOM (data-* attributes and text) that the template escaped. */
(function () {
  'use strict';
  document.documentElement.classList.add('js');

  function $(sel, root) { return (root || document).querySelector(sel); }
  function $$(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }
  function val(sel) { var el = $(sel); return el ? el.value : ''; }
  function lower(s) { return (s || '').trim().toLowerCase(); }

  var rows = [];

  function searchText(tb) {
    if (tb._search === undefined) {
      var d = tb.dataset;
      tb._search = (tb.textContent + ' ' + [d.fid, d.principal, d.key, d.instance, d.type, d.account]
        .join(' ')).toLowerCase();
    }
    return tb._search;
  }

  function currentFilters() {
    return {
      sev: val('#f-sev'), type: val('#f-type'), account: val('#f-account'), change: val('#f-change'),
      principal: lower(val('#f-principal')), text: lower(val('#f-text'))
    };
  }

  function isActive(f) {
    return f.sev !== '' || f.type !== '' || f.account !== '' || f.change !== '' || f.principal !== '' || f.text !== '';
  }

  function matches(tb, f) {
    var d = tb.dataset;
    if (f.sev !== '' && Number(d.sevRank) > Number(f.sev)) { return false; }
    if (f.type && d.type !== f.type) { return false; }
    if (f.account && d.account !== f.account) { return false; }
    if (f.change && d.change !== f.change) { return false; }
    if (f.principal && (d.principal || '').toLowerCase().indexOf(f.principal) < 0) { return false; }
    if (f.text && searchText(tb).indexOf(f.text) < 0) { return false; }
    return true;
  }

  function num(n) { return Number(n).toLocaleString('en-US'); }

  /* Count badge of a group: its full count (data-total, which may exceed the rows the page lists) without
     filters; "shown of listed" with filters ("listed" added when the group lists fewer rows than it has). */
  function setCount(group, shown, listed, active) {
    var c = $('[data-role=count]', group);
    if (!c) { return; }
    var total = c.dataset.total !== undefined ? Number(c.dataset.total) : listed;
    c.textContent = active ? shown + ' of ' + listed + (listed < total ? ' listed' : '') : String(total);
  }

  function applyFilters() {
    var f = currentFilters();
    var active = isActive(f);
    var shownOpen = 0;
    var totalOpen = 0;
    rows.forEach(function (tb) {
      var ok = matches(tb, f);
      tb.hidden = !ok;
      if (tb.dataset.status === 'OPEN') {
        totalOpen++;
        if (ok) { shownOpen++; }
      }
    });
    $$('.acct-group, .type-group').forEach(function (g) {
      var all = $$('tbody.finding', g);
      var shown = all.filter(function (tb) { return !tb.hidden; }).length;
      g.hidden = active && shown === 0;
      setCount(g, shown, all.length, active);
    });
    var status = $('#filter-status');
    if (status) {
      /* the page may list fewer open findings than there are (row limits): say so, filters see only those */
      var allOpen = status.dataset.openTotal !== undefined ? Number(status.dataset.openTotal) : totalOpen;
      var cut = totalOpen < allOpen;
      if (active) {
        status.textContent = cut
          ? 'Showing ' + shownOpen + ' of the ' + num(totalOpen) + ' open findings this page lists ('
            + num(allOpen) + ' in all, every one in findings.csv / findings.json); filters also apply to accepted risks.'
          : 'Showing ' + shownOpen + ' of ' + totalOpen + ' open findings (filters also apply to accepted risks).';
      } else {
        status.textContent = cut
          ? num(allOpen) + ' open findings; this page lists ' + num(totalOpen)
            + ' of them (findings.csv / findings.json hold every one).'
          : totalOpen + ' open findings.';
      }
    }
    var none = $('#no-match');
    if (none) { none.hidden = !(active && shownOpen === 0 && totalOpen > 0); }
  }

  var sortKeys = {
    sev: function (d) { return Number(d.sevRank); },
    principal: function (d) { return lower(d.principal).replace(/^.*\//, ''); },
    instance: function (d) { return lower(d.instance); },
    key: function (d) { return lower(d.key); },
    region: function (d) { return lower(d.region); },
    layer: function (d) { return lower(d.layer); },
    change: function (d) { return lower(d.change); },
    type: function (d) { return lower(d.type); },
    account: function (d) { return lower(d.account); }
  };

  function compare(a, b) {
    if (typeof a === 'number' && typeof b === 'number') { return a - b; }
    if (a === b) { return 0; }
    if (a === '') { return 1; }
    if (b === '') { return -1; }
    return a < b ? -1 : 1;
  }

  function sortBy(button) {
    var key = button.dataset.sort;
    var th = button.closest('th');
    var dir = th.getAttribute('aria-sort') === 'ascending' ? 'descending' : 'ascending';
    var scope = button.closest('section.card') || document;
    var keyFn = sortKeys[key] || sortKeys.sev;
    $$('table.findings', scope).forEach(function (table) {
      var bodies = $$('tbody.finding', table);
      bodies.sort(function (x, y) {
        var c = compare(keyFn(x.dataset), keyFn(y.dataset));
        if (c === 0) { c = Number(x.dataset.sevRank) - Number(y.dataset.sevRank); }
        if (c === 0) { c = Number(x.dataset.idx) - Number(y.dataset.idx); return c; }
        return dir === 'ascending' ? c : -c;
      });
      bodies.forEach(function (tb) { table.appendChild(tb); });
      $$('th[aria-sort]', table).forEach(function (h) {
        var b = $('button.sort', h);
        h.setAttribute('aria-sort', b && b.dataset.sort === key ? dir : 'none');
      });
    });
  }

  function toggle(tb, open) {
    var want = open === undefined ? !tb.classList.contains('open') : open;
    tb.classList.toggle('open', want);
    var b = $('button.toggle', tb);
    if (b) {
      b.setAttribute('aria-expanded', want ? 'true' : 'false');
      b.textContent = want ? 'Hide' : 'Details';
    }
  }

  function fallbackCopy(text) {
    var ta = document.createElement('textarea');
    ta.value = text;
    ta.setAttribute('readonly', '');
    ta.className = 'copy-buffer';
    ta.style.position = 'fixed';
    ta.style.top = '-1000px';
    ta.style.opacity = '0';
    document.body.appendChild(ta);
    ta.focus();
    ta.select();
    var ok = false;
    try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
    document.body.removeChild(ta);
    return ok;
  }

  function selectText(el) {
    var range = document.createRange();
    range.selectNodeContents(el);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  }

  function copy(button) {
    var pre = document.getElementById(button.dataset.copy);
    if (!pre) { return; }
    var text = pre.textContent;
    function done(ok) {
      if (!ok) { selectText(pre); }
      button.textContent = ok ? 'Copied' : 'Press Ctrl+C';
      button.classList.toggle('copied', ok);
      window.setTimeout(function () { button.textContent = 'Copy'; button.classList.remove('copied'); }, 2000);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { done(true); },
        function () { done(fallbackCopy(text)); });
    } else {
      done(fallbackCopy(text));
    }
  }

  function showFindings() {
    var target = $('#findings');
    if (target) { target.scrollIntoView({ block: 'start' }); }
  }

  function init() {
    rows = $$('tbody.finding');
    rows.forEach(function (tb, i) { tb.dataset.idx = String(i); });

    var form = $('#filters');
    if (form) {
      var timer = 0;
      form.addEventListener('input', function (e) {
        if (e.target.tagName === 'INPUT') {
          window.clearTimeout(timer);
          timer = window.setTimeout(applyFilters, 120);
        }
      });
      form.addEventListener('change', applyFilters);
      form.addEventListener('submit', function (e) { e.preventDefault(); applyFilters(); });
      form.addEventListener('reset', function () { window.setTimeout(applyFilters, 0); });
    }

    document.addEventListener('click', function (e) {
      var t = e.target;
      var b = t.closest('button');
      if (b) {
        if (b.classList.contains('sort')) { sortBy(b); return; }
        if (b.classList.contains('copy')) { copy(b); return; }
        if (b.classList.contains('toggle')) { toggle(b.closest('tbody.finding')); return; }
        if (b.id === 'expand-all' || b.id === 'collapse-all') {
          var open = b.id === 'expand-all';
          rows.forEach(function (tb) { if (!tb.hidden) { toggle(tb, open); } });
          return;
        }
        if (b.dataset.filterChange !== undefined) {
          var sel = $('#f-change');
          if (sel) { sel.value = b.dataset.filterChange; applyFilters(); showFindings(); }
          return;
        }
        return;
      }
      var summary = t.closest('tbody.finding tr.summary');
      if (summary && !t.closest('a') && String(window.getSelection()).length === 0) {
        toggle(summary.closest('tbody.finding'));
        return;
      }
      var bar = t.closest('.chart .bar');
      if (bar) { filterAccount(bar.getAttribute('data-account')); }
    });
    document.addEventListener('keydown', function (e) {
      var bar = e.target.closest && e.target.closest('.chart .bar');
      if (bar && (e.key === 'Enter' || e.key === ' ')) {
        e.preventDefault();
        filterAccount(bar.getAttribute('data-account'));
      }
    });

    var opened = [];
    window.addEventListener('beforeprint', function () {
      opened = $$('details:not([open])');
      opened.forEach(function (d) { d.open = true; });
    });
    window.addEventListener('afterprint', function () {
      opened.forEach(function (d) { d.open = false; });
    });

    applyFilters();
  }

  function filterAccount(account) {
    var sel = $('#f-account');
    if (sel && account) { sel.value = account; applyFilters(); showFindings(); }
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
}());
