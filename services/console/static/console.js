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
  // One submission per click: a slow phone network must not send a report twice.
  document.querySelectorAll("form[method=post]").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        window.setTimeout(function () { button.disabled = true; }, 0);
      });
    });
  });
});
