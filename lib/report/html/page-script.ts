/**
 * The one script of report.html, as text: the page's Content-Security-Policy allows exactly this text
 * (by its sha256). It reads the embedded tasks (JSON in #report-data) and builds the table with
 * createElement and textContent only, so no name or message is ever parsed as markup. Rows are added
 * PAGE at a time (a 10,000-task table stays fast); the name search waits for a pause in typing.
 * Plain ES2017, no template literals, so that it reads the same in this file and in the page.
 */
export const PAGE_SCRIPT = String.raw`
(function () {
  'use strict';
  var PAGE = 200;
  var PROBLEMS = { failed: true, invalid: true };
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var cols = data.cols;
  var rows = data.rows;
  var nameAt = cols.indexOf('name');
  var statusAt = cols.indexOf('status');
  var lower = new Array(rows.length);
  for (var i = 0; i < rows.length; i++) lower[i] = String(rows[i][nameAt]).toLowerCase();
  var tbody = document.getElementById('task-rows');
  var statusFilter = document.getElementById('status-filter');
  var search = document.getElementById('name-search');
  var shown = document.getElementById('shown-count');
  var more = document.getElementById('show-more');
  var matches = [];
  var rendered = 0;
  var timer = 0;

  function count(n) {
    return n.toLocaleString('en-US');
  }

  function renderMore() {
    var fragment = document.createDocumentFragment();
    var end = Math.min(matches.length, rendered + PAGE);
    for (var m = rendered; m < end; m++) {
      var row = rows[matches[m]];
      var tr = document.createElement('tr');
      tr.className = 'status-' + String(row[statusAt]).replace(/[^a-z_]/g, '');
      for (var c = 0; c < cols.length; c++) {
        var td = document.createElement('td');
        td.className = 'col-' + cols[c];
        td.textContent = row[c] === null ? '' : String(row[c]);
        tr.appendChild(td);
      }
      fragment.appendChild(tr);
    }
    tbody.appendChild(fragment);
    rendered = end;
    shown.textContent = 'Showing ' + count(rendered) + ' of ' + count(matches.length) + ' matching tasks (' +
      count(rows.length) + ' in all).';
    more.hidden = rendered >= matches.length;
  }

  function filter() {
    var status = statusFilter.value;
    var query = search.value.trim().toLowerCase();
    matches = [];
    for (var i = 0; i < rows.length; i++) {
      var s = rows[i][statusAt];
      if (status === 'problems' ? !PROBLEMS[s] : status !== 'all' && s !== status) continue;
      if (query && lower[i].indexOf(query) < 0) continue;
      matches.push(i);
    }
    while (tbody.firstChild) tbody.removeChild(tbody.firstChild);
    rendered = 0;
    renderMore();
  }

  statusFilter.addEventListener('change', filter);
  search.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(filter, 150);
  });
  more.addEventListener('click', renderMore);
  filter();
  requestAnimationFrame(function () {
    setTimeout(function () {
      performance.mark('table-painted');
      document.documentElement.setAttribute('data-table-painted', '');
    }, 0);
  });
})();
`;
