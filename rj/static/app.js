// The words app.js shows, in the organisation's language: the page carries them as JSON
// (rj/i18n.py SCRIPT_WORDS), each with %(name)s placeholders.
window.mendWords = (function () {
  "use strict";
  var words = null;
  function all() {
    if (!words) {
      var block = document.getElementById("mend-words");
      try { words = JSON.parse(block ? block.textContent : "{}"); } catch (e) { words = {}; }
    }
    return words;
  }
  function say(key, values) {
    var text = all()[key] || key;
    return text.replace(/%\((\w+)\)s/g, function (_, name) {
      return values && values[name] !== undefined ? String(values[name]) : "";
    });
  }
  // A count's words in the plural form the page's language uses for it.
  say.count = function (stem, n) {
    var category = "other";
    try { category = new Intl.PluralRules(document.documentElement.lang || "en").select(n); } catch (e) { /* old browser */ }
    var key = all()[stem + "_" + category] ? stem + "_" + category : stem + "_other";
    return say(key, { num: n.toLocaleString(document.documentElement.lang || undefined) });
  };
  return say;
})();

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
    text = message ? message.textContent.trim() : window.mendWords("error_status", { status: xhr.status });
    pageAlert(text);
  });
  document.addEventListener("htmx:sendError", function () {
    pageAlert(window.mendWords("unreachable"));
  });
  document.addEventListener("htmx:beforeRequest", function () { pageAlert(""); });

  // The session ended under an htmx request: offer to sign in in a new tab so nothing typed is lost.
  document.body.addEventListener("session-ended", function () {
    var url = document.body.getAttribute("data-signin-url") || "/signin";
    var box = document.getElementById("page-alert");
    if (!box) return;
    box.textContent = window.mendWords("session_ended") + " ";
    var link = document.createElement("a");
    link.href = url;
    link.target = "_blank";
    link.rel = "noopener";
    link.textContent = window.mendWords("sign_in_again");
    box.appendChild(link);
    box.hidden = false;
  });
})();

// --- The board ----------------------------------------------------------------
// Cards move by drag (SortableJS: mouse, touch) or by the "Move to…" dialog; both
// send the same request. The server decides; a refused move puts the card back.
(function () {
  "use strict";

  var state = { dragging: false, pending: null, dialogMode: null, origin: null };

  function board() { return document.getElementById("board"); }
  function dialog() { return document.getElementById("move-dialog"); }
  function announce(text) {
    var region = document.getElementById("board-announce");
    if (region) { region.textContent = ""; window.setTimeout(function () { region.textContent = text; }, 50); }
  }
  function showMessage(html) {
    var box = document.getElementById("board-message");
    if (box) box.innerHTML = html;
  }
  function stageOrder() { return (board().getAttribute("data-stage-order") || "").split(","); }
  function isBackward(from, to) {
    var order = stageOrder();
    var a = order.indexOf(from), b = order.indexOf(to);
    return a >= 0 && b >= 0 && b < a;
  }
  function stageLabel(key) {
    var heading = document.getElementById("col-" + key + "-heading");
    return heading ? heading.firstChild.textContent.trim() : key;
  }
  function cardId(el) { return el && el.classList && el.classList.contains("card") ? el.id.replace("case-", "") : ""; }
  function moveUrl(card) { return card.querySelector(".move-button").getAttribute("href"); }
  function referenceOf(card) { return card.querySelector(".ref").textContent; }

  // Remember where a card was, to put it back if the move is refused.
  function originOf(card) { return { list: card.parentNode, next: card.nextElementSibling }; }
  function restore(card, origin) {
    if (!origin || !card || !origin.list) return;
    if (origin.next && origin.next.parentNode === origin.list) origin.list.insertBefore(card, origin.next);
    else origin.list.appendChild(card);
  }

  function sendMove(card, to, reason, origin) {
    var before = card.previousElementSibling, after = card.nextElementSibling;
    var url = moveUrl(card);
    state.pending = { id: card.id, origin: origin, to: to, url: url };
    card.classList.add("is-pending");
    window.htmx.ajax("POST", url, {
      source: card,
      target: card,
      swap: "outerHTML",
      values: {
        to: to,
        version: card.getAttribute("data-version"),
        reason: reason || "",
        before: cardId(before),
        after: cardId(after)
      }
    });
  }

  document.addEventListener("htmx:afterRequest", function (event) {
    var pending = state.pending;
    var path = event.detail.pathInfo && event.detail.pathInfo.requestPath;
    // After a swap the card that sent the move is detached, so match on the request itself.
    if (!pending || path !== pending.url || event.detail.requestConfig.verb !== "post") return;
    state.pending = null;
    var status = event.detail.xhr.status;
    window.setTimeout(function () {
      var card = document.getElementById(pending.id);
      if (!card) return;
      card.classList.remove("is-pending");
      if (status !== 200) {
        restore(card, pending.origin);
        if (status === 409) refresh(true);
        if (status !== 409 && status !== 422) showMessage("");
      }
      card.focus();
    }, 0);
  });

  // --- Drag and drop
  function setupSortables() {
    var root = board();
    if (!root || !window.Sortable) return;
    var filtered = root.getAttribute("data-filtered") === "true";
    root.setAttribute("data-ready", "true");  // cards can be dragged from here on
    root.querySelectorAll("ol.cards").forEach(function (list) {
      if (list._sortable) list._sortable.destroy();
      list._sortable = window.Sortable.create(list, {
        group: "board",
        animation: 150,
        sort: !filtered,            // with a filter on, a card can change column but not be reordered
        delay: 180,
        delayOnTouchOnly: true,     // a swipe still scrolls on a tablet
        touchStartThreshold: 6,
        filter: ".move-button, .ref",
        preventOnFilter: false,
        onStart: function (evt) {
          state.dragging = true;
          state.origin = { list: evt.from, next: evt.item.nextElementSibling };
        },
        onEnd: function (evt) {
          state.dragging = false;
          var card = evt.item, origin = state.origin;
          if (evt.from === evt.to && evt.oldIndex === evt.newIndex) return;
          var from = card.getAttribute("data-stage"), to = evt.to.getAttribute("data-stage");
          if (isBackward(from, to)) {
            openDialog(card, { mode: "drag", to: to, origin: origin });
          } else {
            sendMove(card, to, "", origin);
          }
        }
      });
    });
  }

  // --- The "Move to…" dialog (also asks for the reason of a backward drag)
  function openDialog(card, options) {
    var dlg = dialog();
    if (!dlg) return;
    state.dialogMode = { card: card.id, mode: options.mode, origin: options.origin };
    var url = moveUrl(card) + (options.to ? "?to=" + encodeURIComponent(options.to) : "");
    window.htmx.ajax("GET", url, { source: card, target: "#move-dialog-body", swap: "innerHTML" }).then(function () {
      var form = dlg.querySelector("[data-move-form]");
      if (!form) return;
      if (options.to) {
        var radio = form.querySelector('input[name="to"][value="' + options.to + '"]');
        if (radio) radio.checked = true;
      }
      updateReason(form);
      if (!dlg.open) dlg.showModal();
      var focusTarget = options.mode === "drag" ? form.querySelector("textarea")
        : form.querySelector('input[name="to"]:checked') || form.querySelector('input[name="to"]:not([disabled])');
      if (focusTarget) focusTarget.focus();
    });
  }

  function closeDialog(cancelled) {
    var dlg = dialog(), mode = state.dialogMode;
    state.dialogMode = null;
    if (dlg && dlg.open) dlg.close();
    if (!mode) return;
    var card = document.getElementById(mode.card);
    if (cancelled && mode.mode === "drag") restore(card, mode.origin);
    if (cancelled && card) card.focus();
  }

  // The reason is asked for a move back only.
  function updateReason(form) {
    var checked = form.querySelector('input[name="to"]:checked');
    var reason = form.querySelector("textarea");
    var box = form.querySelector("[data-reason-field]");
    if (!reason) return;
    var back = !!checked && checked.getAttribute("data-backward") === "true";
    reason.required = back;
    reason.setAttribute("aria-required", back ? "true" : "false");
    if (box) box.hidden = !back;
  }

  // Up or down within the column, from the dialog or with Alt+arrow on a focused card:
  // the same request as a drag (WCAG 2.5.7: no drag is ever needed).
  function reorder(card, direction) {
    var origin = originOf(card);
    var sibling = direction < 0 ? card.previousElementSibling : card.nextElementSibling;
    if (!sibling || !sibling.classList.contains("card")) return false;
    if (board().getAttribute("data-filtered") === "true") return false;
    var focused = document.activeElement;
    card.parentNode.insertBefore(card, direction < 0 ? sibling : sibling.nextElementSibling);
    if (focused && card.contains(focused)) focused.focus();  // moving a node drops its focus
    sendMove(card, card.getAttribute("data-stage"), "", origin);  // its answer is announced
    return true;
  }

  document.addEventListener("keydown", function (event) {
    if (!event.altKey || (event.key !== "ArrowUp" && event.key !== "ArrowDown")) return;
    var card = event.target.closest && event.target.closest(".card");
    if (!card || !board() || !board().contains(card) || state.pending) return;
    event.preventDefault();
    reorder(card, event.key === "ArrowUp" ? -1 : 1);
  });

  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("[data-move-form]");
    if (form) updateReason(form);
  });

  document.addEventListener("click", function (event) {
    var opener = event.target.closest && event.target.closest("[data-move-open]");
    if (opener && board()) {
      event.preventDefault();
      openDialog(opener.closest(".card"), { mode: "menu" });
      return;
    }
    var cancel = event.target.closest && event.target.closest("[data-move-cancel]");
    if (cancel && dialog() && dialog().contains(cancel)) {
      event.preventDefault();
      closeDialog(true);
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches("[data-reorder-form]") && dialog() && dialog().contains(form)) {
      event.preventDefault();
      var moving = document.getElementById(form.getAttribute("data-card"));
      closeDialog(false);
      var up = form.getAttribute("data-direction") === "up";
      if (moving && !reorder(moving, up ? -1 : 1)) moving.focus();
      return;
    }
    if (!form.matches("[data-move-form]") || !dialog() || !dialog().contains(form)) return;
    event.preventDefault();
    var mode = state.dialogMode;
    var card = document.getElementById(form.getAttribute("data-card"));
    var checked = form.querySelector('input[name="to"]:checked');
    var reasonField = form.querySelector("textarea");
    var reason = reasonField ? reasonField.value.trim() : "";
    if (!card || !checked) { closeDialog(true); return; }
    if (reasonField && reasonField.required && !reason) {
      reasonField.setAttribute("aria-invalid", "true");
      var hint = form.querySelector(".reason-needed");
      if (!hint) {
        hint = document.createElement("p");
        hint.className = "error reason-needed";
        hint.id = "reason-needed";
        hint.textContent = window.mendWords("move_back_reason", { stage: stageLabel(checked.value) });
        reasonField.insertAdjacentElement("afterend", hint);
        reasonField.setAttribute("aria-describedby", "reason-needed");
      }
      reasonField.focus();
      return;
    }
    var origin = mode && mode.mode === "drag" ? mode.origin : originOf(card);
    state.dialogMode = null;
    dialog().close();
    var to = checked.value;
    if (mode && mode.mode !== "drag") {
      if (to === card.getAttribute("data-stage")) { card.focus(); return; }
      var list = document.getElementById("cards-" + to);
      if (list) list.insertBefore(card, list.firstElementChild);
    }
    sendMove(card, to, reason, origin);
  });

  document.addEventListener("cancel", function (event) {
    if (event.target === dialog()) { event.preventDefault(); closeDialog(true); }
  }, true);

  // --- Keeping up with other facilitators: a conditional poll every 10 s
  function loadedCounts() {
    var parts = [];
    board().querySelectorAll("ol.cards").forEach(function (list) {
      parts.push(list.getAttribute("data-stage") + ":" + list.children.length);
    });
    return parts.join(",");
  }

  function busy() {
    return state.dragging || state.pending || state.dialogMode || (dialog() && dialog().open) || document.hidden;
  }

  function refresh(force) {
    var root = board();
    if (!root || (!force && busy())) return;
    var url = root.getAttribute("data-poll-url");
    url += (url.indexOf("?") >= 0 ? "&" : "?") + "loaded=" + encodeURIComponent(loadedCounts());
    var headers = { "X-Mend-Background": "1" };
    if (!force) headers["If-None-Match"] = root.getAttribute("data-etag");
    var before = {};
    root.querySelectorAll(".card").forEach(function (c) { before[c.id] = c.getAttribute("data-stage"); });
    var focused = document.activeElement && document.activeElement.id;
    window.htmx.ajax("GET", url, { source: root, target: "#board", swap: "outerHTML", headers: headers }).then(function () {
      var fresh = board();
      if (!fresh || fresh === root) return;
      setupSortables();
      var moved = [];
      fresh.querySelectorAll(".card").forEach(function (c) {
        var was = before[c.id];
        if (was && was !== c.getAttribute("data-stage")) {
          moved.push(window.mendWords("now_in", { reference: referenceOf(c), stage: stageLabel(c.getAttribute("data-stage")) }));
        }
      });
      if (moved.length) announce(moved.join(". ") + ".");
      if (focused) {
        var again = document.getElementById(focused);
        if (again) again.focus();
      }
    });
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    var trigger = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (trigger && trigger.hasAttribute && trigger.hasAttribute("data-show-more")) {
      var list = document.getElementById("cards-" + trigger.getAttribute("data-show-more"));
      var shown = trigger.getAttribute("data-shown-before");
      if (list && shown) {
        var first = list.children[parseInt(shown, 10)];
        if (first) first.focus();
      }
    }
  });
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    if (elt && elt.hasAttribute && elt.hasAttribute("data-show-more")) {
      var list = document.getElementById("cards-" + elt.getAttribute("data-show-more"));
      if (list) elt.setAttribute("data-shown-before", String(list.children.length));
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    if (!board()) return;
    setupSortables();
    var every = parseInt(board().getAttribute("data-poll-ms"), 10) || 10000;
    window.setInterval(function () { refresh(false); }, every);
  });
})();

// --- The tablet -----------------------------------------------------------------
// Drafts autosave to the server (htmx). Sending goes through fetch so a failed network
// keeps the account queued on this device, and only then: it is sent when the network
// returns and wiped once the server confirms. The server's key makes a resend harmless.
(function () {
  "use strict";

  var QUEUE = "mend-unsent-accounts";

  function readQueue() {
    try { return JSON.parse(window.localStorage.getItem(QUEUE) || "[]"); } catch (e) { return []; }
  }
  function writeQueue(items) {
    if (items.length) window.localStorage.setItem(QUEUE, JSON.stringify(items));
    else window.localStorage.removeItem(QUEUE);
  }
  function statusBox() {
    var box = document.getElementById("tablet-status");
    if (!box) {
      box = document.createElement("p");
      box.id = "tablet-status";
      box.className = "tablet-status";
      box.setAttribute("role", "status");
      var main = document.getElementById("main");
      if (main) main.insertBefore(box, main.firstChild);
    }
    return box;
  }
  function say(text, kind) {
    var box = statusBox();
    box.textContent = text;
    box.className = "tablet-status" + (kind ? " is-" + kind : "");
  }

  function send(item) {
    return window.fetch(item.url, {
      method: "POST",
      body: new URLSearchParams(item.fields),
      headers: { "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      if (response.status === 200) return response.json();
      if ([403, 404, 409, 422].indexOf(response.status) >= 0) {
        return response.json().then(function (body) { throw { refused: body.errors || {} }; });
      }
      throw new Error("status " + response.status);
    });
  }

  // The receipt is the server's own fragment (tablet/_receipt.html): the same words, time
  // format and "Correct it" link as the page a reload would show.
  function showReceipt(form, data) {
    var container = form.closest(".tablet") || form.parentNode;
    container.innerHTML = data.receipt_html;
    var first = container.querySelector("[data-receipt-first]");
    if (first) first.focus();
  }

  function enqueue(item) {
    var items = readQueue().filter(function (other) { return other.key !== item.key; });
    items.push(item);
    writeQueue(items);
    say(window.mendWords("offline_kept"), "offline");
  }

  function forget(key) {
    writeQueue(readQueue().filter(function (other) { return other.key !== key; }));
  }

  // Mark the fields the server refused, beside each field, on the draft's own page.
  function markRefused(form, errors) {
    form.querySelectorAll(".error[data-from-queue]").forEach(function (old) { old.remove(); });
    Object.keys(errors).forEach(function (name) {
      var input = form.querySelector('[name="' + name + '"]');
      if (!input) return;
      var message = document.createElement("p");
      message.className = "error";
      message.id = name + "-error";
      message.setAttribute("data-from-queue", "1");
      message.textContent = errors[name];
      input.closest(".field").classList.add("has-error");
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", ((input.getAttribute("aria-describedby") || "") + " " + message.id).trim());
      input.parentNode.appendChild(message);
    });
  }

  function refusedText(errors) {
    var first = Object.keys(errors).map(function (name) { return errors[name]; })[0];
    return first || window.mendWords("not_accepted");
  }

  function flush() {
    var items = readQueue();
    if (!items.length || !navigator.onLine) return;
    items.forEach(function (item) {
      if (item.refused) return;  // waits for its author to finish it, or to discard it
      send(item).then(function (data) {
        forget(item.key);
        var form = document.querySelector('[data-tablet-form][data-key="' + item.key + '"]');
        if (form) showReceipt(form, data);
        else say(window.mendWords("queued_saved", { time: data.saved_at_text, reference: data.reference }), "saved");
      }).catch(function (error) {
        if (!error || !error.refused) return;  // still offline: try again later
        // The server kept what was sent in the draft; this tablet keeps its copy too,
        // until the account is sent or discarded on purpose.
        item.refused = error.refused;
        writeQueue(readQueue().map(function (other) { return other.key === item.key ? item : other; }));
        showQueued();
      });
    });
  }

  // An account this tablet kept but the server refused stays in view until it is dealt with.
  function showQueued() {
    readQueue().forEach(function (item) {
      if (!item.refused) return;
      var form = document.querySelector('[data-tablet-form][data-key="' + item.key + '"]');
      if (form) {
        markRefused(form, item.refused);
        say(window.mendWords("not_sent", { problem: refusedText(item.refused) }), "offline");
      } else {
        say(window.mendWords("queued_not_sent", { problem: refusedText(item.refused) }), "offline");
      }
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("[data-tablet-form]")) return;
    if (form.getAttribute("data-submit-fallback") === "1") return;  // let the page show the errors
    event.preventDefault();
    var button = form.querySelector("[data-tablet-send]");
    if (button && button.disabled) return;
    if (button) button.disabled = true;
    var fields = {};
    new FormData(form).forEach(function (value, name) { fields[name] = value; });
    var item = { url: form.action, key: form.getAttribute("data-key"), fields: fields };
    forget(item.key);  // what is on screen now replaces any copy kept before
    if (!navigator.onLine) {
      enqueue(item);
      if (button) button.disabled = false;
      return;
    }
    say(window.mendWords("sending"));
    send(item).then(function (data) {
      showReceipt(form, data);
    }).catch(function (error) {
      if (button) button.disabled = false;
      if (error && error.refused) {
        form.setAttribute("data-submit-fallback", "1");
        form.submit();
        return;
      }
      enqueue(item);
    });
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (!form || !form.matches || !form.matches("[data-tablet-form]")) return;
    if (event.detail.successful) {
      var at = event.detail.xhr.getResponseHeader("X-Mend-Saved-At");  // the server's format
      say(at ? window.mendWords("draft_saved_at", { time: at }) : window.mendWords("draft_saved"));
    }
    else if (!navigator.onLine || event.detail.xhr.status === 0) say(window.mendWords("offline_send_later"), "offline");
  });
  document.addEventListener("htmx:sendError", function (event) {
    var form = event.detail.elt;
    if (form && form.matches && form.matches("[data-tablet-form]")) say(window.mendWords("offline_keep_writing"), "offline");
  });

  // Discarding an account on purpose is the one other way its kept copy goes.
  document.addEventListener("submit", function (event) {
    var key = event.target.getAttribute && event.target.getAttribute("data-discard-key");
    if (key) forget(key);
  });

  window.addEventListener("online", flush);
  window.addEventListener("offline", function () {
    if (document.querySelector("[data-tablet-form]")) say(window.mendWords("offline_keep_writing"), "offline");
  });

  // A shared tablet signs itself out after a quiet spell and clears the screen.
  function idleSignOut(seconds) {
    var timer;
    function reset() {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        var main = document.getElementById("main");
        if (main) main.innerHTML = "";
        var token = "";
        try { token = JSON.parse(document.body.getAttribute("data-hx-headers"))["X-CSRFToken"]; } catch (e) { /* none */ }
        window.fetch("/signout", { method: "POST", headers: { "X-CSRFToken": token }, credentials: "same-origin" })
          .finally(function () { window.location.replace("/signin"); });
      }, seconds * 1000);
    }
    ["input", "pointerdown", "keydown", "touchstart"].forEach(function (name) {
      document.addEventListener(name, reset, { passive: true });
    });
    reset();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var tabletPage = document.querySelector("[data-idle-seconds]");
    if (tabletPage) idleSignOut(parseInt(tabletPage.getAttribute("data-idle-seconds"), 10) || 300);
    showQueued();
    flush();
    window.setInterval(flush, 5000);
  });
})();

// --- Character counts ------------------------------------------------------------
// A field with a limit says so ("Up to 2,000 characters."); as it is typed in, the hint
// counts what is left, or how many characters are too many, as GOV.UK's character count
// does. Nothing is ever cut: the server refuses too long, beside the field.
(function () {
  "use strict";

  var announce;
  function announcer() {
    if (!announce) {
      announce = document.createElement("div");
      announce.className = "visually-hidden";
      announce.setAttribute("aria-live", "polite");
      document.body.appendChild(announce);
    }
    return announce;
  }

  function update(hint, input, speak) {
    var limit = parseInt(hint.getAttribute("data-limit"), 10);
    var left = limit - input.value.length;
    var over = left < 0;
    var text = over ? window.mendWords.count("chars_over", -left) : window.mendWords.count("chars_left", left);
    hint.textContent = text;
    hint.classList.toggle("is-over", over);
    if (speak) announcer().textContent = text;
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-count-for]").forEach(function (hint) {
      var input = document.getElementById(hint.getAttribute("data-count-for"));
      if (!input) return;
      var timer;
      if (input.value.length) update(hint, input, false);
      input.addEventListener("input", function () {
        update(hint, input, false);
        window.clearTimeout(timer);
        timer = window.setTimeout(function () { update(hint, input, true); }, 1000);
      });
    });
  });
})();

// --- Leave quickly --------------------------------------------------------------------
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("[data-leave-quickly]") : null;
    if (!target) return;
    // Leave quickly: sign out and take this page's place in the history, so the back
    // button does not bring the case back (the pages behind it are not cached either).
    event.preventDefault();
    document.body.innerHTML = "";
    window.location.replace(target.getAttribute("href"));
  });
})();

// --- Public pages: printing a slip or a poster, and a form sent once -----------------
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-print]");
    if (button) window.print();
  });
  // A double tap sends the form once (the server also files it once, by its key).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-submit-once")) return;
    if (form.getAttribute("data-sent") === "true") { event.preventDefault(); return; }
    form.setAttribute("data-sent", "true");
  });
})();

// --- The menu on narrow screens -------------------------------------------------------
// Without script the navigation simply shows; with it, narrow screens fold it behind "Menu".
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var header = document.querySelector("[data-site-header]");
    var toggle = document.querySelector("[data-menu-toggle]");
    if (!header || !toggle) return;
    header.classList.add("has-menu");
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      var open = header.classList.toggle("is-open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  });
})();

// --- The board on any screen: a cue when more columns lie to the right; below about
// 48rem, stage tabs with their counts instead of side-by-side columns; the filters
// behind a "Filter" button. Without script the columns simply scroll sideways.
(function () {
  "use strict";
  var NARROW = window.matchMedia("(max-width: 48rem)");
  var KEY = "mend-board-tab";

  function board() { return document.getElementById("board"); }

  function updateCue() {
    var wrap = document.querySelector("[data-board-wrap]"), root = board();
    var button = document.querySelector("[data-more-columns]");
    if (!wrap || !root) return;
    var more = !NARROW.matches && root.scrollWidth - root.clientWidth - root.scrollLeft > 8;
    wrap.classList.toggle("more-right", more);
    if (button) button.hidden = !more;
  }

  function columns() { return Array.prototype.slice.call(board().querySelectorAll(".column")); }

  function tabLabel(column) {
    var heading = column.querySelector(".column-head h2");
    var count = column.querySelector(".count");
    var name = heading ? heading.firstChild.textContent.trim() : column.id;
    return { name: name, count: count ? count.textContent.trim() : "" };
  }

  function showTab(key, focus) {
    var root = board();
    if (!root) return;
    try { window.sessionStorage.setItem(KEY, key); } catch (e) { /* private mode */ }
    columns().forEach(function (column) {
      var shown = column.id === "col-" + key;
      column.classList.toggle("is-shown", shown);
    });
    document.querySelectorAll("[data-stage-tab]").forEach(function (tab) {
      var on = tab.getAttribute("data-stage-tab") === key;
      tab.setAttribute("aria-selected", on ? "true" : "false");
      tab.tabIndex = on ? 0 : -1;
      if (on && focus) tab.focus();
    });
  }

  function buildTabs() {
    var root = board(), old = document.querySelector(".stage-tabs");
    if (old) old.remove();
    if (!root) return;
    if (!NARROW.matches) {
      root.classList.remove("has-tabs");
      columns().forEach(function (c) { c.removeAttribute("role"); c.removeAttribute("aria-labelledby"); });
      return;
    }
    var list = document.createElement("div");
    list.className = "stage-tabs";
    list.setAttribute("role", "tablist");
    list.setAttribute("aria-label", window.mendWords("stages"));
    columns().forEach(function (column) {
      var key = column.id.replace("col-", ""), label = tabLabel(column);
      var tab = document.createElement("button");
      tab.type = "button";
      tab.id = "tab-" + key;
      tab.setAttribute("role", "tab");
      tab.setAttribute("aria-controls", column.id);
      tab.setAttribute("data-stage-tab", key);
      tab.textContent = label.name + (label.count ? " (" + label.count + ")" : "");
      list.appendChild(tab);
      column.setAttribute("role", "tabpanel");
      column.setAttribute("aria-labelledby", tab.id);
    });
    root.parentNode.insertBefore(list, root);
    root.classList.add("has-tabs");
    var saved = null;
    try { saved = window.sessionStorage.getItem(KEY); } catch (e) { /* private mode */ }
    var first = columns()[0];
    var key = saved && document.getElementById("col-" + saved) ? saved : first && first.id.replace("col-", "");
    if (key) showTab(key, false);
  }

  document.addEventListener("click", function (event) {
    var tab = event.target.closest && event.target.closest("[data-stage-tab]");
    if (tab) { showTab(tab.getAttribute("data-stage-tab"), false); return; }
    var more = event.target.closest && event.target.closest("[data-more-columns]");
    if (more && board()) board().scrollBy({ left: board().clientWidth * 0.8, behavior: "smooth" });
  });
  document.addEventListener("keydown", function (event) {
    var tab = event.target.closest && event.target.closest("[data-stage-tab]");
    if (!tab || (event.key !== "ArrowRight" && event.key !== "ArrowLeft")) return;
    var tabs = Array.prototype.slice.call(document.querySelectorAll("[data-stage-tab]"));
    var next = tabs[(tabs.indexOf(tab) + (event.key === "ArrowRight" ? 1 : tabs.length - 1)) % tabs.length];
    event.preventDefault();
    showTab(next.getAttribute("data-stage-tab"), true);
  });

  function setUp() {
    if (!board()) return;
    buildTabs();
    updateCue();
    board().addEventListener("scroll", updateCue, { passive: true });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var filters = document.querySelector("[data-filter-toggle]");
    if (filters && NARROW.matches && !filters.hasAttribute("data-active")) filters.open = false;
    setUp();
  });
  window.addEventListener("resize", updateCue);
  if (NARROW.addEventListener) NARROW.addEventListener("change", setUp);
  // The poll and "Show more" replace the board: build the tabs and the cue again.
  document.addEventListener("htmx:afterSettle", function () {
    if (board()) setUp();  // counts on the tabs follow every move and every poll
  });
})();

// After a failed submit the error summary takes the focus, so it is read first; each of
// its links moves the focus to its field, with the field's label in view (as GOV.UK does).
(function () {
  "use strict";

  function focusSummary(root) {
    var summary = (root || document).querySelector("[data-error-summary]");
    if (summary) summary.focus();
  }

  document.addEventListener("DOMContentLoaded", function () { focusSummary(); });
  document.addEventListener("htmx:afterSettle", function (event) { focusSummary(event.target); });
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-error-summary] a[href^='#']");
    if (!link) return;
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) return;
    event.preventDefault();
    // A group of choices is a fieldset: its legend in view, its first choice focused.
    var field = target.matches("input, select, textarea") ? target
      : target.querySelector("input, select, textarea");
    var label = target.matches("fieldset") ? target.querySelector("legend")
      : document.querySelector("label[for='" + target.id + "']");
    (label || target).scrollIntoView({ block: "start" });
    if (field) field.focus({ preventScroll: true });
  });
})();

// Discarding a witness account asks first, in a dialog; "No, keep writing" closes it and
// returns to the account (without script the link opens a page that asks the same).
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var ask = event.target.closest && event.target.closest("[data-discard-ask]");
    var dialog = document.getElementById("discard-dialog");
    if (ask && dialog && dialog.showModal) {
      event.preventDefault();
      dialog.showModal();
      var keep = dialog.querySelector("[data-discard-keep]");
      if (keep) keep.focus();
      return;
    }
    var keepWriting = event.target.closest && event.target.closest("[data-discard-keep]");
    if (keepWriting && dialog && dialog.open) {
      event.preventDefault();
      dialog.close();
      var opener = document.querySelector("[data-discard-ask]");
      if (opener) opener.focus();
    }
  });
})();
