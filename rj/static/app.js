// Mend's behaviour, hooked by data- attributes and htmx events (the CSP forbids inline script).
(function () {
  "use strict";

  function pageAlert(text) {
    var box = document.getElementById("page-alert");
    if (!box) return;
    box.textContent = text;
    box.hidden = !text;
  }

  // Errors htmx does not swap (5xx, 403, 404, network) are shown as one page-level message.
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    if (xhr.status === 401) return; // session-ended handles it
    var text = "";
    var doc = new DOMParser().parseFromString(xhr.responseText || "", "text/html");
    var message = doc.querySelector(".message") || doc.querySelector("main p");
    text = message ? message.textContent.trim() : "That did not work (error " + xhr.status + ").";
    pageAlert(text);
  });
  document.addEventListener("htmx:sendError", function () {
    pageAlert("Mend could not be reached. Check the network and try again; nothing was changed.");
  });
  document.addEventListener("htmx:beforeRequest", function () { pageAlert(""); });

  // The session ended under an htmx request: offer to sign in in a new tab so nothing typed is lost.
  document.body.addEventListener("session-ended", function () {
    var url = document.body.getAttribute("data-signin-url") || "/signin";
    var box = document.getElementById("page-alert");
    if (!box) return;
    box.textContent = "Your session has ended. ";
    var link = document.createElement("a");
    link.href = url;
    link.target = "_blank";
    link.rel = "noopener";
    link.textContent = "Sign in again in a new tab, then retry here";
    box.appendChild(link);
    box.hidden = false;
  });
})();
