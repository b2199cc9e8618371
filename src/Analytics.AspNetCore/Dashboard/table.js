// Table rows for the dashboard's panels: a text cell, and the muted row that says a table has nothing to show.
(function () {
  'use strict';

  /** Adds a cell holding text (never markup) to the row, with an optional class; returns it. */
  function cell(row, text, className) {
    const c = row.insertCell();
    c.textContent = text;
    if (className) c.className = className;
    return c;
  }

  /** Adds a row spanning every column that says why the table is empty. */
  function emptyRow(body, columns, message) {
    const c = body.insertRow().insertCell();
    c.colSpan = columns;
    c.className = 'muted';
    c.textContent = message;
  }

  globalThis.RequestAnalyticsTable = { cell, emptyRow };
})();
