/* Quote and contract entry: searchable customer and product pickers (Tom Select), lines added and removed without a
   reload (a Django formset), the standard price and running totals while typing, the salesperson's own discount
   authority. The server stays the judge: the htmx preview below the lines shows the amount and the rules that fire. */
(function () {
  "use strict";

  function cents(value) {
    // A decimal string to whole cents, rounded half up (like core.money.round_money), without float drift.
    var n = Number(String(value || "").trim());
    if (!isFinite(n)) return null;
    return Math.round(n * 100 + (n >= 0 ? 1e-7 : -1e-7));
  }

  function money(c) {
    var sign = c < 0 ? "-" : "";
    c = Math.abs(c);
    var whole = Math.floor(c / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return sign + whole + "." + String(c % 100).padStart(2, "0");
  }

  function number(input) {
    if (!input || input.value.trim() === "") return null;
    var n = Number(input.value.trim());
    return isFinite(n) ? n : NaN;
  }

  function enhanceProduct(select) {
    if (!window.TomSelect || select.tomselect) return;
    new TomSelect(select, {
      maxOptions: 200,
      allowEmptyOption: true,
      placeholder: select.closest("[data-placeholder]") ? select.closest("[data-placeholder]").dataset.placeholder : "",
      dropdownParent: "body",
      closeAfterSelect: true,
    });
  }

  function enhanceCustomer(select) {
    if (!window.TomSelect || select.tomselect) return;
    var url = select.dataset.url;
    new TomSelect(select, {
      valueField: "value",
      labelField: "text",
      searchField: [],  // the server searches (number, name with typos, tax number, phone)
      maxOptions: 20,
      loadThrottle: 250,
      preload: "focus",
      dropdownParent: "body",
      closeAfterSelect: true,
      load: function (query, callback) {
        fetch(url + "?q=" + encodeURIComponent(query), { headers: { Accept: "application/json" }, credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : { results: [] }; })
          .then(function (data) { callback(data.results); })
          .catch(function () { callback(); });
      },
      shouldLoad: function () { return true; },
    });
  }

  function recompute(root) {
    if (root.dataset.kind === "rows") return;  // a plain table of rows (price list): no totals
    var authority = root.dataset.authority !== undefined ? Number(root.dataset.authority) : null;
    var total = 0;
    var any = false;
    root.querySelectorAll("[data-lines-body] [data-line]").forEach(function (row) {
      if (row.hidden) return;
      var select = row.querySelector("select[name$='-product']");
      var option = select && select.selectedOptions[0];
      var standard = option && option.dataset.price ? option.dataset.price : "";
      var uom = option && option.dataset.uom ? option.dataset.uom : "";
      var standardCell = row.querySelector(".line-standard");
      standardCell.textContent = standard ? (root.dataset.standardLabel || "") + " " + money(cents(standard)) + " / " + uom : "";
      var qty = number(row.querySelector("input[name$='-quantity']"));
      var disc = number(row.querySelector("input[name$='-discount_percent']"));
      var listInput = row.querySelector("input[name$='-list_price']");
      if (listInput) listInput.placeholder = standard ? money(cents(standard)) : "";
      var list = number(listInput);
      var price = list === null ? (standard ? Number(standard) : null) : list;
      var note = row.querySelector(".line-authority");
      if (note) note.classList.toggle("d-none", !(authority !== null && disc !== null && disc > authority));
      var cell = row.querySelector(".line-subtotal");
      if (price === null || qty === null || isNaN(price) || isNaN(qty) || (disc !== null && isNaN(disc))) {
        cell.textContent = "–";
        return;
      }
      var unit = cents(price * (100 - (disc || 0)) / 100);
      var sub = qty * unit;  // unrounded cents; the amount rounds the sum, as the server does
      total += sub;
      any = true;
      cell.textContent = money(Math.round(sub));
    });
    var totalCell = root.querySelector("[data-lines-total]");
    if (totalCell) totalCell.textContent = any ? money(Math.round(total)) : "–";
  }

  function changed(form) {
    form.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function init(root) {
    var form = root.closest("form");
    var prefix = root.dataset.prefix;
    var totalForms = form.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
    var template = root.querySelector("template[data-line-template]");
    var body = root.querySelector("[data-lines-body]");
    var addButton = root.querySelector("[data-add-line]");

    body.querySelectorAll("select[data-picker=product], select[data-picker=local]").forEach(enhanceProduct);

    addButton.addEventListener("click", function () {
      var index = Number(totalForms.value);
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      var holder = document.createElement("tbody");
      holder.innerHTML = html;
      var row = holder.querySelector("tr");
      body.appendChild(row);
      totalForms.value = String(index + 1);
      var select = row.querySelector("select[data-picker=product], select[data-picker=local]");
      var customer = row.querySelector("select[data-picker=customer]");
      if (select) enhanceProduct(select);
      if (customer) { enhanceCustomer(customer); select = customer; }
      if (select && select.tomselect) select.tomselect.focus(); else if (select) select.focus(); else {
        var first = row.querySelector("input:not([type=hidden]):not([type=checkbox])");
        if (first) first.focus();
      }
      recompute(root);
    });

    body.addEventListener("click", function (event) {
      var button = event.target.closest(".line-remove");
      if (!button) return;
      var row = button.closest("[data-line]");
      var del = row.querySelector("input[name$='-DELETE']");
      if (del) del.checked = true;
      row.hidden = true;
      recompute(root);
      changed(form);
      addButton.focus();  // not a picker: focusing one would open its list
    });

    // A tap on Save must not move the focus first: leaving the field just typed in closes a phone's keyboard (or
    // ends a resize), and the browser then scrolls the page to that field — between the press and the release, so
    // the release lands on another element and no click happens. Keeping the focus where it is, the tap submits.
    form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (button) {
      button.addEventListener("mousedown", function (event) { event.preventDefault(); });
    });
    form.addEventListener("input", function () { recompute(root); });
    form.addEventListener("change", function () { recompute(root); });
    recompute(root);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[data-picker=customer]").forEach(function (select) {
      if (!select.closest("template")) enhanceCustomer(select);
    });
    document.querySelectorAll(".line-entry").forEach(init);
    document.body.addEventListener("htmx:configRequest", function (e) {
      var token = document.querySelector("[name=csrfmiddlewaretoken]");
      if (token) e.detail.headers["X-CSRFToken"] = token.value;
    });
  });
})();
