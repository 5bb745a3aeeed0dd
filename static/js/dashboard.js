/* The participation dashboard: draws the monthly trend with Chart.js from the JSON the page embeds, and makes the
   breakdown tables sortable and searchable. No inline script: the CSP forbids it. */
(function () {
  "use strict";

  function drawTrend() {
    var source = document.getElementById("participation-trend");
    var canvas = document.getElementById("participation-chart");
    if (!source || !canvas || typeof Chart === "undefined") {
      return;
    }
    var trend = JSON.parse(source.textContent);
    var styles = getComputedStyle(document.documentElement);
    var primary = styles.getPropertyValue("--bs-primary").trim() || "#0d6efd";
    var accent = styles.getPropertyValue("--bs-success").trim() || "#198754";
    var chart = new Chart(canvas, {
      data: {
        labels: trend.labels,
        datasets: [
          {type: "bar", label: "Conversations held", data: trend.held, backgroundColor: primary, yAxisID: "held"},
          {type: "line", label: "On cadence (%)", data: trend.onCadence, borderColor: accent, backgroundColor: accent,
           yAxisID: "share", tension: 0.2, spanGaps: false}
        ]
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        interaction: {mode: "index", intersect: false},
        scales: {
          held: {type: "linear", position: "left", beginAtZero: true, title: {display: true, text: "Held"}},
          share: {type: "linear", position: "right", min: 0, max: 100, grid: {drawOnChartArea: false},
                  title: {display: true, text: "On cadence (%)"}}
        }
      }
    });
    canvas.dataset.drawn = "true";
    return chart;
  }

  function cellValue(row, index, numeric) {
    var cell = row.cells[index];
    if (!cell) {
      return null;
    }
    var raw = cell.hasAttribute("data-value") ? cell.getAttribute("data-value") : cell.textContent.trim();
    if (!numeric) {
      return raw.toLocaleLowerCase();
    }
    return raw === "" ? null : parseFloat(raw);
  }

  function sortTable(table, index, numeric, direction) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      // Suppressed groups have no figures: they stay at the bottom whichever way the column is sorted.
      var hiddenA = a.hasAttribute("data-suppressed"), hiddenB = b.hasAttribute("data-suppressed");
      if (hiddenA !== hiddenB) {
        return hiddenA ? 1 : -1;
      }
      var x = cellValue(a, index, numeric), y = cellValue(b, index, numeric);
      if (x === null || y === null) {
        return x === y ? 0 : (x === null ? 1 : -1);
      }
      var order = numeric ? x - y : x.localeCompare(y);
      return direction === "ascending" ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }

  function makeSortable(table) {
    var headers = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(headers, function (header, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort-button";
      // The arrow is drawn by CSS and aria-sort says the order, so the name is the heading alone.
      button.textContent = header.textContent.trim();
      header.textContent = "";
      header.appendChild(button);
      header.setAttribute("aria-sort", "none");
      button.addEventListener("click", function () {
        var numeric = header.getAttribute("data-sort") === "number";
        var current = header.getAttribute("aria-sort");
        // Numbers sort largest first on the first click: who is furthest ahead, or behind, shows at once.
        var direction = current === "none" ? (numeric ? "descending" : "ascending")
          : (current === "ascending" ? "descending" : "ascending");
        Array.prototype.forEach.call(headers, function (other) { other.setAttribute("aria-sort", "none"); });
        header.setAttribute("aria-sort", direction);
        sortTable(table, index, numeric, direction);
      });
    });
  }

  function makeSearchable(input) {
    var table = document.getElementById(input.getAttribute("data-filter-table"));
    if (!table) {
      return;
    }
    var status = document.getElementById(input.getAttribute("data-filter-status"));
    input.addEventListener("input", function () {
      var needle = input.value.trim().toLocaleLowerCase();
      var rows = table.tBodies[0].rows, shown = 0;
      Array.prototype.forEach.call(rows, function (row) {
        var name = row.cells[0].textContent.toLocaleLowerCase();
        row.hidden = needle !== "" && name.indexOf(needle) === -1;
        shown += row.hidden ? 0 : 1;
      });
      var text = shown + " of " + rows.length + " shown";
      // Rewriting the same words would make screen readers repeat them on every keystroke.
      if (status && status.textContent !== text) {
        status.textContent = text;
      }
    });
  }

  drawTrend();
  document.querySelectorAll("table[data-sortable]").forEach(makeSortable);
  document.querySelectorAll("input[data-filter-table]").forEach(makeSearchable);
}());
