// 校安 console: small progressive enhancements only; every page works without script.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // Irreversible steps (销号, 存档, 报送) ask first: a button's data-confirm is the question.
  document.querySelectorAll("button[data-confirm]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.getAttribute("data-confirm"))) {
        event.preventDefault();
      }
    });
  });
  // One submission per click: a slow phone network must not send a report twice.
  document.querySelectorAll("form[method=post]").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        window.setTimeout(function () { button.disabled = true; }, 0);
      });
    });
  });
});
// 打印 buttons (the risk announcement): CSP forbids inline handlers.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
});
// 复制 buttons (the calendar's subscription URL): data-copy names the input to copy.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var field = document.getElementById(button.getAttribute("data-copy"));
      var said = document.getElementById(button.getAttribute("data-copy") + "-copied");
      if (!field) { return; }
      field.select();
      var done = function () { if (said) { said.textContent = "已复制"; } };
      if (navigator.clipboard) {
        navigator.clipboard.writeText(field.value).then(done, function () { field.select(); });
      } else if (document.execCommand("copy")) {
        done();
      }
    });
  });
});
// 上报隐患: the sub-category list shows only the chosen category's (each <optgroup> says
// its category in data-category); without script all are shown and the service checks.
document.addEventListener("DOMContentLoaded", function () {
  var category = document.getElementById("category");
  var sub = document.getElementById("subcategory");
  if (!category || !sub) { return; }
  var narrow = function () {
    sub.querySelectorAll("optgroup[data-category]").forEach(function (group) {
      var mine = group.getAttribute("data-category") === category.value;
      group.hidden = !mine;
      group.disabled = !mine;
    });
    var picked = sub.options[sub.selectedIndex];
    if (picked && picked.parentNode.disabled) { sub.value = ""; }
  };
  category.addEventListener("change", narrow);
  narrow();
});
// File and date fields in Chinese whatever the browser's own language: a file field's
// native button says "Choose File" in an English browser, so a label styled as a button
// says 选择照片 / 选择文件 and the names chosen are shown beside it (the input stays in the
// page, focusable, and is what a form submits); a date field shows mm/dd/yyyy in such a
// browser (navigator.language does not tell: headless Chromium says zh-CN and still does),
// so its label says the order, 年-月-日.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("input[type=file][id]").forEach(function (input) {
    var accept = input.getAttribute("accept") || "";
    var photos = accept.split(",").every(function (a) { return a.trim().indexOf("image/") === 0; });
    var what = photos ? "照片" : "文件";
    var pick = document.createElement("label");
    pick.className = "button file-pick";
    pick.htmlFor = input.id;
    pick.textContent = "选择" + what;
    var chosen = document.createElement("span");
    chosen.className = "file-chosen muted";
    chosen.setAttribute("aria-live", "polite");
    chosen.textContent = "未选择" + what;
    input.classList.add("file-native");
    input.insertAdjacentElement("afterend", pick);
    pick.insertAdjacentElement("afterend", chosen);
    input.addEventListener("change", function () {
      var names = Array.prototype.map.call(input.files || [], function (f) { return f.name; });
      chosen.textContent = names.length === 0 ? "未选择" + what
        : names.length === 1 ? "已选择：" + names[0]
        : "已选择 " + names.length + " 个" + what + "：" + names.join("、");
    });
  });
  document.querySelectorAll("input[type=date][id]").forEach(function (input) {
    var label = document.querySelector("label[for='" + input.id + "']");
    if (!label || label.querySelector(".date-order")) { return; }
    var order = document.createElement("span");
    order.className = "date-order muted";
    order.textContent = "（年-月-日）";
    label.appendChild(order);
  });
});
// The desk menu's sections (details): one open at a time; a click elsewhere or Escape closes.
document.addEventListener("DOMContentLoaded", function () {
  var groups = document.querySelectorAll(".nav-group details");
  var closeAll = function (except) {
    groups.forEach(function (d) { if (d !== except) { d.open = false; } });
  };
  groups.forEach(function (d) {
    d.addEventListener("toggle", function () { if (d.open) { closeAll(d); } });
  });
  document.addEventListener("click", function (event) {
    if (!event.target.closest(".nav-group")) { closeAll(null); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { closeAll(null); }
  });
});
