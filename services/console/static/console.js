// 校安 console: small progressive enhancements only; every page works without script.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var photos = document.getElementById("photos");
  var count = document.getElementById("photo-count");
  if (photos && count) {
    photos.addEventListener("change", function () {
      var n = photos.files ? photos.files.length : 0;
      count.textContent = n ? "已选择 " + n + " 张照片" : "";
    });
  }
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
